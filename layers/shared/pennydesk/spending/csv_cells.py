"""The values in a bank's CSV, read one at a time: the file's bytes as text, an amount, a date.

Plain functions over strings; a cell that can't be read raises `LineError`, which the row reader turns into
an error line naming the cell's column.
"""

from __future__ import annotations

import base64
import binascii
import re
from datetime import date, datetime
from typing import Literal

from pennydesk.platform.errors import PennydeskError

# Thousands separators besides the other of "." and ",": spaces (incl. no-break and thin) and apostrophes.
_SPACES = " \u00a0\u202f\u2009"
_APOSTROPHES = "'\u2019"
_DATE_PROBE = date(2031, 12, 25)  # day > 12 and a 4-digit year: a pattern that loses any part fails the round trip
_EMPTY = "The file is empty: send the CSV, with its header row, as the request body."
_SAVE_AS_UTF8 = "Export or save it as UTF-8 and upload it again."

DecimalMark = Literal["dot", "comma"]


class NotUtf8(PennydeskError):
    """The file's bytes are not UTF-8: refused whole, never guessed at."""

    status = 400
    code = "not_utf8"


class NotText(PennydeskError):
    """Bytes that are no text at all (a spreadsheet, an image, a zip): refused whole."""

    status = 422
    code = "not_text"


_BINARY = re.compile(r"[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f]")


class LineError(ValueError):
    """A cell that can't be read; becomes an error line naming its column."""


# ---------------------------------------------------------------------------------------------- decoding


def decode(body: str | bytes | None, *, base64_encoded: bool = False) -> str:
    """The request body as text: UTF-8 only (a BOM is dropped); anything else is refused, with where."""
    if body is None or body in ("", b""):
        raise PennydeskError(_EMPTY, field="body")
    if base64_encoded:
        try:
            body = base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError):
            raise NotUtf8("The request body is marked base64 but is not valid base64.", field="body") from None
    text = _utf8(body) if isinstance(body, bytes) else body
    if "\ufffd" in text:  # bytes that were not UTF-8, already replaced on the way in
        line = text[: text.index("\ufffd")].count("\n") + 1
        raise NotUtf8(
            f"The file is not UTF-8 (line {line} holds a replacement character, \ufffd). {_SAVE_AS_UTF8}",
            field="body",
        )
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise PennydeskError(_EMPTY, field="body")
    return text


def decode_any(body: str | bytes | None, *, base64_encoded: bool = False,
               charset: str | None = None) -> tuple[str, str]:
    """(text, encoding) of a bank's file as downloaded: a declared charset is honoured; otherwise UTF-8
    (with or without BOM), else Windows-1252 (a superset of ISO-8859-1's printable text). A file with NUL
    bytes or other control characters is not text and is refused."""
    if body is None or body in ("", b""):
        raise PennydeskError(_EMPTY, field="body")
    if base64_encoded:
        try:
            body = base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError):
            raise NotUtf8("The request body is marked base64 but is not valid base64.", field="body") from None
    if isinstance(body, str):
        return decode(body), "utf-8"
    text, encoding = _text_of(body, charset)
    if _BINARY.search(text[:65536]):
        raise NotText("This is not a text file (it holds control characters a CSV never has). Upload the CSV "
                      "file your bank lets you download.", field="body")
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise PennydeskError(_EMPTY, field="body")
    return text, encoding


def _text_of(body: bytes, charset: str | None) -> tuple[str, str]:
    if charset:
        try:
            return body.decode(charset), charset
        except LookupError:
            raise NotUtf8(f"{charset!r} is not a character set I know; send the file without it.",
                          field="Content-Type") from None
        except UnicodeDecodeError as exc:
            line = body[: exc.start].count(b"\n") + 1
            raise NotUtf8(f"The file is not {charset} as declared (line {line}); send it without a charset.",
                          field="Content-Type") from None
    if body.startswith((b"\xff\xfe", b"\xfe\xff")):
        return body.decode("utf-16"), "utf-16"
    try:
        return body.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return body.decode("cp1252"), "windows-1252"
    except UnicodeDecodeError:
        return body.decode("latin-1"), "iso-8859-1"


def _utf8(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = body[: exc.start].count(b"\n") + 1
        raise NotUtf8(
            f"The file is not UTF-8 (line {line} has a byte UTF-8 does not allow). {_SAVE_AS_UTF8}",
            field="body",
        ) from None


# ---------------------------------------------------------------------------------------------- amounts


def parse_amount(text: str, decimal: DecimalMark) -> tuple[bool, str]:
    """'-1.234,56' with a decimal comma → (True, '1234.56'). Thousands separators only in 3-digit groups."""
    negative, raw = _sign(text)
    match = _amount_pattern(decimal).fullmatch(raw)
    if match is None:
        raise LineError(_not_an_amount(text, raw, decimal))
    whole = match["int"].replace(match["sep"], "") if match["sep"] else match["int"]
    if len(whole.lstrip("0")) > 15:
        raise LineError("That amount is too large.")
    return negative, whole + (f".{match['frac']}" if match["frac"] is not None else "")


def _sign(text: str) -> tuple[bool, str]:
    """(negative, the digits' text): a leading sign, a trailing minus, or accounting-style parentheses."""
    raw = text.strip()
    if not raw:
        raise LineError("is empty")
    negative = False
    if raw.startswith("(") and raw.endswith(")"):  # accounting style
        negative, raw = True, raw[1:-1].strip()
    if raw[:1] in ("+", "-", "\u2212"):
        if negative:
            raise LineError(f"{text.strip()!r} has two signs")
        negative, raw = raw[0] != "+", raw[1:].strip()
    elif raw[-1:] in ("-", "\u2212"):  # "12.34-", as some banks write debits
        if negative:
            raise LineError(f"{text.strip()!r} has two signs")
        negative, raw = True, raw[:-1].strip()
    return negative, raw


def _not_an_amount(text: str, raw: str, decimal: DecimalMark) -> str:
    """Why `raw` is refused, with the other decimal convention as a hint when it would have read it."""
    example = "1,234.56" if decimal == "dot" else "1.234,56"
    other: DecimalMark = "comma" if decimal == "dot" else "dot"
    hint = f"; it looks like decimal={other}" if _amount_pattern(other).fullmatch(raw) else ""
    return f"{text.strip()!r} is not an amount with a decimal {decimal} (like {example}){hint}"


_PATTERNS: dict[str, re.Pattern[str]] = {}


def _amount_pattern(decimal: DecimalMark) -> re.Pattern[str]:
    if decimal not in _PATTERNS:
        mark, other = (".", ",") if decimal == "dot" else (",", ".")
        seps = re.escape(other + _SPACES + _APOSTROPHES)
        _PATTERNS[decimal] = re.compile(
            rf"(?P<int>\d{{1,3}}(?P<sep>[{seps}])\d{{3}}(?:(?P=sep)\d{{3}})*|\d+)(?:{re.escape(mark)}(?P<frac>\d+))?",
            re.ASCII,  # only 0-9 are money: \d alone takes full-width and other scripts' digits
        )
    return _PATTERNS[decimal]


# ---------------------------------------------------------------------------------------------- dates


def check_date_format(pattern: str) -> str:
    """A strftime pattern that names the year, month and day unambiguously (round-trips a probe date)."""
    ok = re.search(r"%[Yy]", pattern) is not None  # without a year strptime guesses 1900 (and warns)
    try:
        ok = ok and datetime.strptime(_DATE_PROBE.strftime(pattern), pattern).date() == _DATE_PROBE
    except (ValueError, re.error):  # re.error: a directive given twice, e.g. %m-%m
        ok = False
    if not ok:
        raise PennydeskError(
            f"{pattern!r} is not a date pattern with a year, month and day; use e.g. %Y-%m-%d, %d.%m.%Y or %m/%d/%Y.",
            field="date_format",
        )
    return pattern


def parse_day(text: str, pattern: str) -> date:
    """A date cell written as `pattern` (already checked by check_date_format)."""
    try:
        return datetime.strptime(text.strip(), pattern).date()
    except ValueError:
        example = date(2026, 1, 31).strftime(pattern)
        raise LineError(f"{text.strip()!r} is not a date written as {pattern} (like {example})") from None
