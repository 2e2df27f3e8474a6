"""One locale per person (issue 15): money, months, dates and percentages as each locale writes them, and
amounts read back as each locale (and everyone, in plain digits) types them."""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from pennydesk.platform import locale
from pennydesk.platform.errors import PennydeskError

NBSP, NNBSP = "\u00a0", "\u202f"


@pytest.mark.parametrize(
    ("tag", "amount", "currency", "written"),
    [
        ("de-DE", 150050, "EUR", f"1.500,50{NBSP}€"),
        ("en-US", 150050, "USD", "$1,500.50"),
        ("en-GB", 150050, "GBP", "£1,500.50"),
        ("fr-FR", 150050, "EUR", f"1{NNBSP}500,50{NBSP}€"),
        ("nl-NL", 150050, "EUR", f"€{NBSP}1.500,50"),
        ("ja-JP", 1500, "JPY", "￥1,500"),  # no decimals: 1500 minor units are 1500 yen
        ("en-GB", 150000, "EUR", "€1,500.00"),  # always the currency's decimals, trailing zeros kept
    ],
)
def test_money_is_written_as_the_locale_writes_it(tag: str, amount: int, currency: str, written: str) -> None:
    assert locale.format_money(amount, currency, tag) == written


def test_money_uses_the_decimals_it_is_given_not_cldrs() -> None:
    assert locale.format_money(1250, "KWD", "en-GB", decimals=3) == "KWD1.250"
    assert locale.format_money(Decimal("12.5"), "EUR", "de-DE", decimals=2) == f"12,50{NBSP}€"


@pytest.mark.parametrize(
    ("tag", "month"),
    [("de-DE", "Dezember 2026"), ("en-US", "December 2026"), ("en-GB", "December 2026"),
     ("fr-FR", "décembre 2026"), ("nl-NL", "december 2026"), ("ja-JP", "2026年12月")],
)
def test_month_names_are_the_locales(tag: str, month: str) -> None:
    assert locale.format_month("2026-12", tag) == month


@pytest.mark.parametrize(
    ("tag", "day"),
    [("de-DE", "03.12.2026"), ("en-US", "Dec 3, 2026"), ("en-GB", "3 Dec 2026"), ("ja-JP", "2026/12/03")],
)
def test_dates_are_the_locales(tag: str, day: str) -> None:
    assert locale.format_date("2026-12-03", tag) == day


@pytest.mark.parametrize(
    ("tag", "percent"),
    [("de-DE", f"19,3{NBSP}%"), ("en-US", "19.3%"), ("en-GB", "19.3%"), ("fr-FR", f"19,3{NBSP}%"),
     ("nl-NL", "19,3%"), ("ja-JP", "19.3%")],
)
def test_percentages_are_the_locales(tag: str, percent: str) -> None:
    assert locale.format_percent(19.3, tag) == percent
    assert locale.format_percent(80, tag) == percent.replace("19", "80").replace(",3", "").replace(".3", "")


@pytest.mark.parametrize(
    ("tag", "typed", "value"),
    [
        ("de-DE", "1.500,00", "1500.00"),
        ("de-DE", "1.500,00 €", "1500.00"),
        ("de-DE", "12,5", "12.5"),
        ("de-DE", "1500.00", "1500.00"),  # plain digits, from everyone
        ("de-DE", "1500", "1500"),
        ("en-US", "1,500.00", "1500.00"),
        ("en-US", "$12.50", "12.50"),
        ("en-GB", "£1,500", "1500"),
        ("fr-FR", "1 500,00", "1500.00"),  # a plain space where fr writes a narrow no-break one
        ("fr-FR", f"1{NNBSP}500,00{NBSP}€", "1500.00"),
        ("nl-NL", "€ 1.234,56", "1234.56"),
        ("ja-JP", "￥1,500", "1500"),
        ("ja-JP", "1500", "1500"),
    ],
)
def test_amounts_are_read_as_the_locale_and_as_plain_digits(tag: str, typed: str, value: str) -> None:
    currency = locale.default_currency(tag)
    assert locale.parse_amount(typed, currency, tag) == Decimal(value)


def test_the_ambiguous_1_500_follows_the_locales_grouping() -> None:
    """Where a dot groups thousands (de, nl), "1.500" is fifteen hundred; elsewhere a dot is a decimal mark."""
    assert locale.parse_amount("1.500", "EUR", "de-DE") == Decimal("1500")
    assert locale.parse_amount("12.345.678", "EUR", "nl-NL") == Decimal("12345678")
    assert locale.parse_amount("1.500", "USD", "en-US") == Decimal("1.500")
    assert locale.parse_amount("1.50", "EUR", "de-DE") == Decimal("1.50")  # not groups of three: a decimal


@pytest.mark.parametrize(
    ("tag", "typed"),
    [("de-DE", "1.50,00"), ("de-DE", "-5"), ("en-US", "1e5"), ("de-DE", "zwölf"), ("en-US", "\uff11\uff12"),
     ("en-US", "1,5"), ("de-DE", ""), ("de-DE", "12 $")],
)
def test_what_no_locale_writes_is_refused_with_an_example(tag: str, typed: str) -> None:
    with pytest.raises(PennydeskError) as refused:
        locale.parse_amount(typed, locale.default_currency(tag), tag, field="monthly_limit")
    assert refused.value.field == "monthly_limit"
    assert "amount" in refused.value.message.lower()


@pytest.mark.parametrize(
    ("tag", "currency"),
    [("de-DE", "EUR"), ("en-US", "USD"), ("en-GB", "GBP"), ("fr-FR", "EUR"), ("nl-NL", "EUR"),
     ("ja-JP", "JPY"), ("ja", "JPY"), ("de-CH", "CHF"), ("de", "EUR")],
)
def test_the_default_currency_is_the_locales_countrys(tag: str, currency: str) -> None:
    assert locale.default_currency(tag) == currency


@pytest.mark.parametrize(
    ("typed", "tag"), [("de_de", "de-DE"), ("EN-gb", "en-GB"), ("ja", "ja"), ("zh-hant-tw", "zh-Hant-TW")]
)
def test_locale_tags_are_normalised(typed: str, tag: str) -> None:
    assert locale.locale_tag(typed) == tag


@pytest.mark.parametrize("typed", ["xx-YY", "de-XX", "de-DE-x-private", "<script>", "", "english"])
def test_unknown_locale_tags_are_refused(typed: str) -> None:
    with pytest.raises(PennydeskError) as refused:
        locale.locale_tag(typed)
    assert refused.value.field == "locale"


@pytest.mark.parametrize(
    ("header", "tag"),
    [
        ("de-DE,de;q=0.9,en;q=0.8", "de-DE"),
        ("en;q=0.5, fr-CA", "fr-CA"),  # weights order the choices, not the header's order
        ("xx-YY, nl-NL;q=0.3", "nl-NL"),  # what CLDR doesn't know is skipped
        ("*", None),
        ("", None),
        (None, None),
        ("en-GB;q=abc, ja", "ja"),
    ],
)
def test_a_locale_is_picked_from_accept_language(header: str | None, tag: str | None) -> None:
    assert locale.from_accept_language(header) == tag


def test_importing_it_and_reading_plain_digits_never_load_babel() -> None:
    """Cold start (issue 17): Babel's CLDR data loads with the first thing formatted, not before."""
    shared = Path(__file__).resolve().parents[2] / "layers" / "shared"
    code = (
        f"import sys; sys.path.insert(0, {str(shared)!r}); from pennydesk.platform import locale; "
        "from pennydesk.spending import amounts; amounts.read('1500.00', 'EUR', 'de-DE'); "
        "print('babel' in sys.modules)"
    )
    ran = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)  # noqa: S603
    assert ran.stdout.strip() == "False"
