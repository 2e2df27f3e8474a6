"""Amounts as people type them: plain digits ("1500.00") from everyone, or as their locale writes them
("1.500,00" for a German user). Answers stay canonical decimal strings (money.format)."""

from __future__ import annotations

from pennydesk.platform import locale as locales
from pennydesk.spending import money


def read(text: object, currency: str, locale: str, *, field: str = "amount", allow_zero: bool = False) -> int:
    """Minor units of `currency`; refused (422 on `field`) with an example in the person's own writing.
    Plain digits never load Babel (see locales.parse_amount for the rule on "1.500")."""
    number = locales.parse_amount(text, currency, locale, field=field)
    return money.parse(format(number, "f"), currency, field=field, allow_zero=allow_zero)


def currency_for(locale: str) -> str:
    """The locale's country's currency, if it is one we keep accounts in; else the default."""
    currency = locales.default_currency(locale)
    return currency if currency in money.MINOR_UNITS else money.DEFAULT_CURRENCY
