"""Money as integer minor units, scaled by each currency's own number of decimals. Never a float.

At the API an amount is a decimal string with exactly the currency's decimals ("12.34", "1200" for JPY,
"1.250" for KWD). Storage, totals and comparisons use integers of the smallest unit.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from pennydesk.platform.errors import PennydeskError

# ISO 4217 minor units for the circulating currencies people budget in (the table is data, not logic).
_TWO = """
AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BRL BSD BTN BWP BYN BZD CAD CDF CHF CNY COP
CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR
JMD KES KGS KHR KPW KYD KZT LAK LBP LKR LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN
NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SYP SZL
THB TJS TMT TOP TRY TTD TWD TZS UAH USD UYU UZS VES WST XCD YER ZAR ZMW ZWG
"""
_ZERO = "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF"
_THREE = "BHD IQD JOD KWD LYD OMR TND"
MINOR_UNITS: dict[str, int] = {
    **dict.fromkeys(_TWO.split(), 2),
    **dict.fromkeys(_ZERO.split(), 0),
    **dict.fromkeys(_THREE.split(), 3),
}
DEFAULT_CURRENCY = "USD"
# A single expense or limit above a trillion minor units is a typo, not a purchase.
MAX_MINOR = 10**12
_AMOUNT = re.compile(r"^\d{1,15}(\.\d+)?$", re.ASCII)  # \d alone takes full-width and other digits


def decimals(currency: str) -> int:
    try:
        return MINOR_UNITS[currency]
    except KeyError:
        raise PennydeskError(
            f"{currency!r} is not a currency we know (use an ISO 4217 code such as EUR).", field="currency"
        ) from None


def parse(text: str, currency: str, *, field: str = "amount", allow_zero: bool = False) -> int:
    """'12.34' in EUR → 1234. Refuses signs, exponents, too many decimals, zero (unless allowed) and absurd sizes."""
    places = decimals(currency)
    value = str(text).strip()
    if not _AMOUNT.match(value):
        raise PennydeskError('Write the amount as digits with a dot for decimals, like "12.34".', field=field)
    given = len(value.split(".")[1]) if "." in value else 0
    if given > places:
        unit = "no decimals" if places == 0 else f"at most {places} decimal{'s' if places > 1 else ''}"
        raise PennydeskError(f"{currency} amounts have {unit}.", field=field)
    try:
        minor = int(Decimal(value).scaleb(places))
    except InvalidOperation:  # pragma: no cover - the pattern above already guarantees a number
        raise PennydeskError("That is not an amount.", field=field) from None
    if minor == 0 and not allow_zero:
        raise PennydeskError("The amount must be more than zero.", field=field)
    if minor > MAX_MINOR:
        raise PennydeskError("That amount is too large.", field=field)
    return minor


def format(minor: int, currency: str) -> str:
    """1234 in EUR → '12.34'; always the currency's decimals, never a float on the way."""
    places = decimals(currency)
    sign = "-" if minor < 0 else ""
    digits = str(abs(int(minor))).rjust(places + 1, "0")
    return f"{sign}{digits[:-places]}.{digits[-places:]}" if places else f"{sign}{digits}"


def percent(part: int, whole: int) -> float | None:
    """Share of a limit used, in percent with one decimal (a display figure, not money)."""
    if whole <= 0:
        return None
    return round(part * 100 / whole, 1)
