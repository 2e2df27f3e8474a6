"""Only the ten ASCII digits are money: full-width, Arabic-Indic or other Unicode digits that Python's `\\d`
and `Decimal` accept are refused, in an amount typed and in a bank file's cell alike."""

from __future__ import annotations

import pytest
from pennydesk.platform.errors import PennydeskError
from pennydesk.spending import money
from pennydesk.spending.months import check_month

# Full-width "12.00", Arabic-Indic "12.50", a full-width five inside ASCII, Extended Arabic-Indic "12".
LOOKALIKES = ["\uff11\uff12.\uff10\uff10", "\u0661\u0662.\u0665\u0660", "12.\uff150", "\u06f1\u06f2"]


@pytest.mark.parametrize("typed", LOOKALIKES)
def test_an_amount_in_digits_that_are_not_ascii_is_refused(typed: str) -> None:
    with pytest.raises(PennydeskError, match="digits"):
        money.parse(typed, "EUR")


def test_a_month_in_full_width_digits_is_refused() -> None:
    with pytest.raises(PennydeskError):
        check_month("\uff12\uff10\uff12\uff16-\uff11\uff11")


def test_ascii_amounts_still_read() -> None:
    assert money.parse("12.50", "EUR") == 1250
