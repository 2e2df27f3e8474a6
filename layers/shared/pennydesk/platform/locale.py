"""One locale per person: amounts, dates, month names and percentages written as the person's locale writes
them (CLDR data through Babel), and amounts read back the same way.

Babel is imported inside the functions that need it, never when this module is imported, so an API cold
start that formats nothing (the ticket form, a link page) doesn't load its data (issue #17). Reading plain
digits ("1500.00") needs no Babel either.
"""

from __future__ import annotations

import copy
import re
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import TYPE_CHECKING

from pennydesk.platform.errors import PennydeskError

if TYPE_CHECKING:
    from babel import Locale

DEFAULT_LOCALE = "en-US"
DEFAULT_CURRENCY = "USD"
# language, optional script, optional region: "de", "de-DE", "zh-Hant-TW", "es-419" (underscores accepted).
_TAG = re.compile(r"^([A-Za-z]{2,3})(?:[-_]([A-Za-z]{4}))?(?:[-_]([A-Za-z]{2}|\d{3}))?$", re.ASCII)
# Plain digits with an optional dot and decimals, as every locale may type them (and as the API answers).
_PLAIN = re.compile(r"^\d{1,15}(?:\.\d+)?$", re.ASCII)
# "1.500", "12.345.678": groups of three after a dot, the thousands of a locale that groups with a dot.
_DOT_GROUPS = re.compile(r"^\d{1,3}(?:\.\d{3})+$", re.ASCII)
_SPACES = "\u0020\u00a0\u202f"
# What is left of a localised amount once its currency is gone: ASCII digits and the marks locales group with.
_LOCALISED = re.compile(r"\d[\d.,'\u00a0\u202f\u2019]*", re.ASCII)
MAX_ACCEPT_LANGUAGE = 20


@lru_cache(maxsize=64)
def _babel(tag: str) -> Locale:
    from babel import Locale

    return Locale.parse(tag, sep="-")


def locale_tag(value: object, *, field: str = "locale") -> str:
    """A locale tag as stored ("de-DE", "en-GB", "ja"): language lower case, region upper case, known to
    CLDR; refused (422 on `field`) otherwise."""
    match = _TAG.match(str(value or "").strip())
    if match is None:
        raise PennydeskError('Use a locale tag such as "en-GB" or "de-DE".', field=field)
    language, script, region = match.groups()
    tag = "-".join(p for p in (language.lower(), script and script.title(), region and region.upper()) if p)
    from babel.core import UnknownLocaleError

    try:
        _babel(tag)
    except (UnknownLocaleError, ValueError):
        raise PennydeskError(f"{value!r} is not a locale we can write in.", field=field) from None
    return tag


def from_accept_language(header: str | None) -> str | None:
    """The browser's most preferred locale we can write in, from an Accept-Language header; None if none.

    "de-DE,de;q=0.9,en;q=0.8" → "de-DE". Weights order the choices (ties keep the header's order); "*" and
    tags CLDR doesn't know are skipped.
    """
    choices: list[tuple[float, int, str]] = []
    for index, part in enumerate(str(header or "").split(",")[:MAX_ACCEPT_LANGUAGE]):
        tag, _, params = part.strip().partition(";")
        weight = 1.0
        if params.strip().startswith("q="):
            try:
                weight = float(params.strip()[2:])
            except ValueError:
                continue
        if tag and tag != "*" and weight > 0:
            choices.append((-weight, index, tag))
    for _, _, tag in sorted(choices):
        try:
            return locale_tag(tag)
        except PennydeskError:
            continue
    return None


def territory(locale: str) -> str | None:
    """The locale's country, or the one CLDR thinks most likely for its language ("de" → "DE")."""
    parsed = _babel(locale)
    if parsed.territory:
        return parsed.territory
    from babel.core import get_global

    likely = get_global("likely_subtags").get(parsed.language, "")
    region = likely.split("_")[-1] if likely.count("_") >= 1 else ""
    return region if len(region) == 2 else None


def default_currency(locale: str) -> str:
    """The currency in use in the locale's country ("de-DE" → "EUR", "en-GB" → "GBP", "ja" → "JPY")."""
    from babel.numbers import get_territory_currencies

    country = territory(locale)
    currencies = get_territory_currencies(country, tender=True) if country else []
    return currencies[0] if currencies else DEFAULT_CURRENCY


def format_money(amount: int | Decimal, currency: str, locale: str, *, decimals: int | None = None) -> str:
    """1500.5 EUR → "1.500,50 €" (de-DE), "€1,500.50" (en-GB). An int is minor units of `decimals` places
    (the currency's own by default); the text always shows exactly those decimals."""
    from babel.numbers import get_currency_precision

    places = get_currency_precision(currency) if decimals is None else decimals
    value = Decimal(amount).scaleb(-places) if isinstance(amount, int) else Decimal(amount)
    parsed = _babel(locale)
    pattern = copy.copy(parsed.currency_formats["standard"])
    pattern.frac_prec = (places, places)
    return pattern.apply(value, parsed, currency=currency, currency_digits=False)


def format_date(day: date | str, locale: str, *, style: str = "medium") -> str:
    """2026-12-03 → "03.12.2026" (de-DE, medium), "3 Dec 2026" (en-GB), "Dec 3, 2026" (en-US)."""
    from babel.dates import format_date as babel_format_date

    value = day if isinstance(day, date) else date.fromisoformat(str(day))
    return babel_format_date(value, format=style, locale=_babel(locale))


def format_day_range(first: date, last: date, locale: str) -> str:
    """A week: "Mar 3 - 9, 2031" (en-US), "3.-9. März 2031" (de-DE), "3-9 Mar 2031" (en-GB)."""
    from babel.dates import format_interval

    return format_interval(first, last, "yMMMd", locale=_babel(locale))


def format_month(month: str, locale: str) -> str:
    """ "2026-12" → "Dezember 2026" (de), "December 2026" (en), "2026年12月" (ja)."""
    from babel.dates import format_skeleton

    return format_skeleton("yMMMM", date.fromisoformat(f"{month}-01"), locale=_babel(locale))


def format_percent(percent: float | Decimal | None, locale: str) -> str:
    """19.3 (percent) → "19,3 %" (de), "19.3%" (en); at most one decimal, as the reports round."""
    if percent is None:
        return ""
    parsed = _babel(locale)
    pattern = copy.copy(parsed.percent_formats[None])
    pattern.frac_prec = (0, 1)
    return pattern.apply(Decimal(str(percent)) / 100, parsed)


def parse_amount(text: object, currency: str, locale: str, *, field: str = "amount") -> Decimal:
    """An amount as the person typed it, as a Decimal (never negative; the caller checks its decimals).

    Accepted: plain digits with a dot for decimals ("1500", "1500.00") from everyone, and the locale's own
    writing ("1.500,00" in de-DE, "1,500.00" in en-GB, "1 500,00" in fr-FR, with any kind of space), with or
    without the currency's symbol or code. The ambiguous "1.500" (digits, a dot, exactly three digits) is
    read as the locale writes it: fifteen hundred where the locale groups thousands with a dot (de, nl),
    one and a half everywhere else; groups in the wrong places ("1.50,00") are refused, never guessed.
    """
    raw = " ".join(str(text if text is not None else "").split())
    if not raw:
        raise PennydeskError("Give an amount.", field=field)
    if _PLAIN.match(raw) and not (_DOT_GROUPS.match(raw) and _groups_with_dot(locale)):
        return Decimal(raw)
    return _parse_localised(raw, currency, locale, field)


def _groups_with_dot(locale: str) -> bool:
    return _babel(locale).number_symbols["latn"]["group"] == "."


def _parse_localised(raw: str, currency: str, locale: str, field: str) -> Decimal:
    from babel.numbers import NumberFormatError, get_currency_symbol, parse_decimal

    parsed = _babel(locale)
    symbols = parsed.number_symbols["latn"]
    value = raw
    for mark in sorted({currency, get_currency_symbol(currency, locale=parsed)}, key=len, reverse=True):
        value = value.replace(mark, "")
    value = value.strip(_SPACES)
    if symbols["group"] in _SPACES:  # fr's narrow no-break space: people type a plain space
        value = re.sub(f"[{_SPACES}]", symbols["group"], value)
    example = format_money(Decimal("1234.56"), currency, locale, decimals=2)
    if not _LOCALISED.fullmatch(value):  # signs, letters, exponents, other scripts' digits
        raise PennydeskError(f'Write the amount as digits, like "{example}" or "1234.56".', field=field)
    try:
        number = parse_decimal(value, locale=parsed, strict=True)
    except NumberFormatError:
        raise PennydeskError(f'Write the amount as digits, like "{example}" or "1234.56".', field=field) from None
    if not number.is_finite() or number.is_signed():
        raise PennydeskError(f'Write the amount as digits, like "{example}" or "1234.56".', field=field)
    return number
