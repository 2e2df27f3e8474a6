"""An export can't smuggle a formula into a spreadsheet through a cell that a spreadsheet splits again: a
semicolon, comma, tab or pipe inside a payee starts a new cell in a locale that splits there."""

from __future__ import annotations

import pytest
from pennydesk.spending.csv_export import guard


@pytest.mark.parametrize(
    ("cell", "safe"),
    [
        ("Lunch;=HYPERLINK(\"http://evil.example\")", "Lunch;'=HYPERLINK(\"http://evil.example\")"),
        ("Shop, +1 555 0100", "Shop, '+1 555 0100"),
        ("a|@SUM(A1)", "a|'@SUM(A1)"),
        ("=1;=2", "'=1;'=2"),
        ("x;\t-3", "x;'\t-3"),  # a tab is itself a formula start
    ],
)
def test_a_formula_after_any_delimiter_is_defused_too(cell: str, safe: str) -> None:
    assert guard(cell) == safe


@pytest.mark.parametrize("cell", ["Corner shop", "a=b", "Smith & Co; Ltd", "12.50", "Rent (May)", ""])
def test_ordinary_text_is_left_as_written(cell: str) -> None:
    assert guard(cell) == cell
