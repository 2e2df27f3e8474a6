"""Money is integer minor units in the currency's own decimals; at the edges it is a decimal string, never a float."""

from __future__ import annotations

import random

import pytest
from pennydesk.platform.errors import PennydeskError
from pennydesk.spending import money


@pytest.mark.parametrize(
    ("currency", "text", "minor"),
    [
        ("USD", "12.34", 1234),
        ("USD", "0.05", 5),
        ("USD", "1000000.00", 100_000_000),
        ("JPY", "1200", 1200),
        ("JPY", "1", 1),
        ("KWD", "1.250", 1250),
        ("KWD", "0.001", 1),
    ],
)
def test_an_amount_round_trips_in_its_currencys_decimals(currency: str, text: str, minor: int) -> None:
    assert money.parse(text, currency) == minor
    assert money.format(minor, currency) == text


@pytest.mark.parametrize(
    ("currency", "typed", "shown"),
    [("USD", "12.3", "12.30"), ("USD", "7", "7.00"), ("KWD", "5", "5.000"), ("KWD", "0.5", "0.500")],
)
def test_fewer_decimals_than_the_currency_has_are_filled_in(currency: str, typed: str, shown: str) -> None:
    assert money.format(money.parse(typed, currency), currency) == shown


def test_a_cent_fraction_in_dollars_is_refused_naming_the_decimals() -> None:
    with pytest.raises(PennydeskError) as refused:
        money.parse("12.345", "USD")

    assert refused.value.field == "amount"
    assert "2 decimals" in refused.value.message
    assert "USD" in refused.value.message


def test_yen_have_no_decimals() -> None:
    with pytest.raises(PennydeskError) as refused:
        money.parse("1200.5", "JPY")

    assert refused.value.field == "amount"
    assert "no decimals" in refused.value.message


def test_dinars_take_three_decimals_but_not_four() -> None:
    assert money.parse("0.125", "KWD") == 125
    with pytest.raises(PennydeskError) as refused:
        money.parse("0.1250", "KWD")
    assert "3 decimals" in refused.value.message


@pytest.mark.parametrize(
    "text", ["-1", "-0.01", "+1", "1e3", "1E3", "1,50", "1.000,50", " ", "", "NaN", "inf", "Infinity", "0x10",
             "1.", ".5", "1 000", "12.34 USD", "$12.34", "0", "0.00", "00.00"],
)
def test_anything_but_a_positive_plain_decimal_is_refused(text: str) -> None:
    with pytest.raises(PennydeskError) as refused:
        money.parse(text, "USD", field="monthly_limit")

    assert refused.value.field == "monthly_limit"
    assert refused.value.message


@pytest.mark.parametrize("text", ["0", "0.00", "0.0"])
def test_zero_is_allowed_only_when_asked_for(text: str) -> None:
    with pytest.raises(PennydeskError):
        money.parse(text, "USD")
    assert money.parse(text, "USD", allow_zero=True) == 0


@pytest.mark.parametrize(
    ("currency", "text"),
    [("USD", "999999999999999"), ("USD", "99999999999999.99"), ("JPY", "999999999999999"),
     ("USD", "1" + "0" * 20), ("KWD", "99999999999.999")],
)
def test_absurdly_large_amounts_are_refused(currency: str, text: str) -> None:
    with pytest.raises(PennydeskError) as refused:
        money.parse(text, currency)

    assert refused.value.field == "amount"


def test_a_large_but_real_amount_is_kept_to_the_cent() -> None:
    # A house: well inside what a person spends, far outside what a float keeps exactly at a cent's scale.
    assert money.format(money.parse("1234567.89", "USD"), "USD") == "1234567.89"


def test_an_unknown_currency_is_refused_by_name() -> None:
    with pytest.raises(PennydeskError) as refused:
        money.parse("1.00", "XYZ")

    assert refused.value.field == "currency"
    assert "XYZ" in refused.value.message


def test_formatting_never_goes_through_a_float() -> None:
    # Totals can be summed far past what a double holds exactly; the digits must survive.
    huge = 10**20 + 1
    assert money.format(huge, "USD") == "1000000000000000000.01"
    assert money.format(huge, "JPY") == "100000000000000000001"
    assert money.format(huge, "KWD") == "100000000000000000.001"


def test_a_negative_total_is_shown_with_its_sign() -> None:
    assert money.format(-5, "USD") == "-0.05"
    assert money.format(-1200, "JPY") == "-1200"
    assert money.format(-1, "KWD") == "-0.001"


@pytest.mark.parametrize("currency", ["USD", "JPY", "KWD", "EUR", "BHD", "KRW"])
def test_format_and_parse_are_inverse_for_many_amounts(currency: str) -> None:
    rng = random.Random(f"money-{currency}")  # noqa: S311 (seeded, replayable)
    places = money.decimals(currency)
    for _ in range(2000):
        minor = rng.choice([rng.randint(1, 999), rng.randint(1, 10**7), rng.randint(1, 10**12)])
        text = money.format(minor, currency)

        whole, _, fraction = text.partition(".")
        assert len(fraction) == places, text
        assert whole.isdigit() and (whole == "0" or not whole.startswith("0")), text
        assert money.parse(text, currency) == minor
        assert money.format(money.parse(text, currency), currency) == text
