"""Months as "YYYY-MM": the key every running total and report is filed under. Plain strings; nothing here
touches AWS."""

from __future__ import annotations

import pytest
from pennydesk.platform.errors import PennydeskError
from pennydesk.spending.months import check_month, shift_month


@pytest.mark.parametrize(
    ("month", "delta", "expected"),
    [
        ("2026-03", 0, "2026-03"),
        ("2026-03", 1, "2026-04"),
        ("2026-03", -1, "2026-02"),
        ("2026-12", 1, "2027-01"),  # over the year's end
        ("2026-01", -1, "2025-12"),  # and back
        ("2026-01", -12, "2025-01"),
        ("2026-05", 20, "2028-01"),
        ("2026-05", -29, "2023-12"),
        ("1970-01", -1, "1969-12"),
        ("0001-01", -1, "0000-12"),  # four digits even for a tiny year
    ],
)
def test_shifting_a_month_carries_into_the_year(month: str, delta: int, expected: str) -> None:
    assert shift_month(month, delta) == expected


def test_shifting_there_and_back_returns_the_same_month() -> None:
    for delta in range(-30, 31):
        assert shift_month(shift_month("2026-07", delta), -delta) == "2026-07"


@pytest.mark.parametrize("month", ["1970-01", "2026-11", "2026-12", "2200-12"])
def test_a_month_like_2026_11_from_1970_to_2200_is_accepted(month: str) -> None:
    assert check_month(month) == month


@pytest.mark.parametrize(
    "month", ["1969-12", "2201-01", "2026-00", "2026-13", "2026-1", "26-11", "2026/11", "2026-11-01", "", " 2026-11"],
)
def test_anything_else_is_refused_naming_the_field(month: str) -> None:
    with pytest.raises(PennydeskError) as refused:
        check_month(month, field="from")
    assert (refused.value.field, refused.value.message) == ("from", "Use a month like 2026-11.")


def test_a_missing_month_is_refused_as_the_month_field() -> None:
    with pytest.raises(PennydeskError) as refused:
        check_month(None)  # type: ignore[arg-type]
    assert refused.value.field == "month"
