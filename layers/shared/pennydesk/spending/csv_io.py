"""CSV import and export of expenses: a bank's file in, a date range out.

Import is explicit about everything a bank file leaves open (which column is which, the delimiter, the
decimal separator, the date pattern, which sign an expense has), validates each row with the same rules as
an expense typed in by hand (`expenses.clean`), and recognises rows already recorded: by external id
first, then by date + amount + payee (the FP# markers' counts). Rows are stored in chunks, each chunk one
TransactWriteItems holding its expenses, markers and aggregated running totals, so totals always equal the
sum of the expenses; the report says exactly which lines were skipped or refused, and if storing stops
early (time, an AWS error) from which line nothing was stored. Importing the same file again imports
nothing, which also makes "upload it again" the way to finish an import that stopped early.
"""

from __future__ import annotations

import base64
import binascii
import csv
import io
import re
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

from aws_lambda_powertools import Logger
from pynamodb.exceptions import TransactWriteError

from pennydesk.platform.clock import iso, utcnow
from pennydesk.platform.dynamo import cancellation_codes, retrying, transaction
from pennydesk.platform.errors import Conflict, PayloadTooLarge, PennydeskError
from pennydesk.spending import account, expenses, money
from pennydesk.spending.expenses import Clean, ExpenseInput
from pennydesk.spending.records import Expense, Marker, Profile, user_pk

DELIMITERS = {"comma": ",", "semicolon": ";", "tab": "\t"}
SNIFF_BYTES = 8 * 1024
MAX_ROWS = 50_000
MAX_LISTED = 1000  # lines listed per kind (skipped, errors); `truncated` says when more were left off
SAMPLE_ROWS = 20
MAX_TX_ITEMS = 100  # DynamoDB's TransactWriteItems limit
BATCH_GET_MAX_KEYS = 1000  # ten BatchGetItem requests; a larger file's markers are read by range Queries
# Storing stops this long before the function's deadline (or 3 chunk-times, if more) so the report gets out.
DEADLINE_MARGIN_SECONDS = 1.5
EXPORT_COLUMNS = ("date", "amount", "currency", "category", "payee", "note", "tags", "external_id", "id")
EXPORT_MAX_BYTES = 5 * 1024 * 1024  # Lambda's synchronous response limit is 6 MB
MAX_EXPORT_YEARS = 5
logger = Logger(child=True)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CREDIT = "not an expense (credit)"
REFUND = "not an expense (negative amount: a refund or income)"
# Thousands separators besides the other of "." and ",": spaces (incl. no-break and thin) and apostrophes.
_SPACES = " \u00a0\u202f\u2009"
_APOSTROPHES = "'\u2019"
_DATE_PROBE = date(2031, 12, 25)  # day > 12 and a 4-digit year: a pattern that loses any part fails the round trip

Delimiter = Literal["comma", "semicolon", "tab", "auto"]
DecimalMark = Literal["dot", "comma"]
Sign = Literal["expenses_negative", "expenses_positive"]


class NotUtf8(PennydeskError):
    """The file's bytes are not UTF-8: refused whole, never guessed at."""

    status = 400
    code = "not_utf8"


@dataclass(frozen=True)
class Options:
    """How to read one bank's file; column options name header cells."""

    date: str = "date"
    amount: str = "amount"
    payee: str | None = None
    category: str | None = None
    external_id: str | None = None
    note: str | None = None
    default_category: str = "other"
    delimiter: Delimiter = "comma"
    decimal: DecimalMark = "dot"
    date_format: str = "%Y-%m-%d"
    sign: Sign = "expenses_negative"


@dataclass(frozen=True)
class Line:
    """One line of the file that was not imported, and why (1-based, as an editor numbers lines)."""

    line: int
    reason: str
    column: str | None = None

    def view(self) -> dict[str, Any]:
        return {"line": self.line, "reason": self.reason, "column": self.column}


@dataclass(frozen=True)
class Row:
    """A data row that is a valid expense; `occurrence` is k for the k-th row of its fingerprint in the file."""

    line: int
    value: Clean
    occurrence: int
    repeat_of: int | None = None  # the earlier line with the same external id, if any


@dataclass
class Parsed:
    columns: list[str]
    delimiter: str
    rows: list[Row] = field(default_factory=list)
    credits: list[Line] = field(default_factory=list)
    errors: list[Line] = field(default_factory=list)
    count: int = 0  # non-blank data rows read


# ---------------------------------------------------------------------------------------------- decoding


def decode(body: str | bytes | None, *, base64_encoded: bool = False) -> str:
    """The request body as text: UTF-8 only (a BOM is dropped); anything else is refused, with where."""
    if body is None or body in ("", b""):
        raise PennydeskError("The file is empty: send the CSV, with its header row, as the request body.",
                             field="body")
    if base64_encoded:
        try:
            body = base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError):
            raise NotUtf8("The request body is marked base64 but is not valid base64.", field="body") from None
    if isinstance(body, bytes):
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = body[: exc.start].count(b"\n") + 1
            raise NotUtf8(
                f"The file is not UTF-8 (line {line} has a byte UTF-8 does not allow). "
                "Export or save it as UTF-8 and upload it again.",
                field="body",
            ) from None
    else:
        text = body
    if "\ufffd" in text:  # bytes that were not UTF-8, already replaced on the way in
        line = text[: text.index("\ufffd")].count("\n") + 1
        raise NotUtf8(
            f"The file is not UTF-8 (line {line} holds a replacement character, \ufffd). "
            "Export or save it as UTF-8 and upload it again.",
            field="body",
        )
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise PennydeskError("The file is empty: send the CSV, with its header row, as the request body.",
                             field="body")
    return text


# ---------------------------------------------------------------------------------------------- values


class LineError(ValueError):
    """A cell that can't be read; becomes an error line naming its column."""


def parse_amount(text: str, decimal: DecimalMark) -> tuple[bool, str]:
    """'-1.234,56' with a decimal comma → (True, '1234.56'). Thousands separators only in 3-digit groups."""
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
    match = _amount_pattern(decimal).fullmatch(raw)
    if match is None:
        example = "1,234.56" if decimal == "dot" else "1.234,56"
        hint = ""
        other: DecimalMark = "comma" if decimal == "dot" else "dot"
        if _amount_pattern(other).fullmatch(raw):
            hint = f"; it looks like decimal={other}"
        raise LineError(f"{text.strip()!r} is not an amount with a decimal {decimal} (like {example}){hint}")
    whole = match["int"].replace(match["sep"], "") if match["sep"] else match["int"]
    if len(whole.lstrip("0")) > 15:
        raise LineError("That amount is too large.")
    return negative, whole + (f".{match['frac']}" if match["frac"] is not None else "")


_PATTERNS: dict[str, re.Pattern[str]] = {}


def _amount_pattern(decimal: DecimalMark) -> re.Pattern[str]:
    if decimal not in _PATTERNS:
        mark, other = (".", ",") if decimal == "dot" else (",", ".")
        seps = re.escape(other + _SPACES + _APOSTROPHES)
        _PATTERNS[decimal] = re.compile(
            rf"(?P<int>\d{{1,3}}(?P<sep>[{seps}])\d{{3}}(?:(?P=sep)\d{{3}})*|\d+)(?:{re.escape(mark)}(?P<frac>\d+))?"
        )
    return _PATTERNS[decimal]


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


def _parse_day(text: str, pattern: str) -> date:
    try:
        return datetime.strptime(text.strip(), pattern).date()
    except ValueError:
        example = date(2026, 1, 31).strftime(pattern)
        raise LineError(f"{text.strip()!r} is not a date written as {pattern} (like {example})") from None


# ---------------------------------------------------------------------------------------------- reading


def _records(text: str, delimiter: str) -> Iterator[tuple[int, list[str] | None, str | None]]:
    """(first physical line, cells, error) per record; a quoted newline keeps the record's first line."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar='"', doublequote=True,
                        skipinitialspace=True, strict=True)
    ended = 0
    while True:
        start = ended + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            ended = reader.line_num
            message = str(exc)
            if "unexpected end of data" in message:
                message = "a quoted field that starts here is never closed"
            elif "expected after" in message:
                message = f"a closing quote must be followed by the delimiter ({message})"
            yield start, None, message
            continue
        ended = reader.line_num
        yield start, cells, None


def _sniff(text: str) -> str:
    sample = text[:SNIFF_BYTES]
    if len(text) > SNIFF_BYTES and "\n" in sample:
        sample = sample[: sample.rindex("\n")]
    try:
        return csv.Sniffer().sniff(sample, delimiters="".join(DELIMITERS.values())).delimiter
    except csv.Error:
        return ""


def _header(text: str, delimiter: str) -> tuple[int, list[str]]:
    for line, cells, error in _records(text, delimiter):
        if error is not None:
            raise PennydeskError(f"The header row (line {line}) can't be read: {error}.", field="body")
        if cells and any(c.strip() for c in cells):
            return line, [c.strip() for c in cells]
    raise PennydeskError("The file has no header row.", field="body")


def _find(columns: list[str], wanted: str) -> int | None:
    """The header position of `wanted`: an exact name first, else a unique case-insensitive match."""
    exact = [(c, wanted.strip()) for c in columns]
    folded = [(c.casefold(), wanted.strip().casefold()) for c in columns]
    for pairs in (exact, folded):
        hits = [i for i, (name, key) in enumerate(pairs) if name == key]
        if len(hits) > 1:
            raise PennydeskError(f"The column {wanted!r} appears {len(hits)} times in the header; rename one.",
                                 field="columns")
        if hits:
            return hits[0]
    return None


def _mapping(options: Options) -> dict[str, str]:
    named = {"date": options.date, "amount": options.amount, "payee": options.payee,
             "category": options.category, "external_id": options.external_id, "note": options.note}
    return {role: name for role, name in named.items() if name is not None and name.strip()}


def _pick_delimiter(text: str, options: Options) -> tuple[str, int, list[str]]:
    """The delimiter (auto: the sniffed one, unless another of the three is the only one that finds the
    date and amount columns, as with '-12,50' amounts in a semicolon file), the header line and cells."""
    if options.delimiter != "auto":
        delimiter = DELIMITERS[options.delimiter]
        return (delimiter, *_header(text, delimiter))
    sniffed = _sniff(text)
    candidates = [sniffed] if sniffed else []
    candidates += [d for d in DELIMITERS.values() if d != sniffed]
    for delimiter in candidates:
        try:
            line, columns = _header(text, delimiter)
            if _find(columns, options.date) is not None and _find(columns, options.amount) is not None:
                return delimiter, line, columns
        except PennydeskError:  # this delimiter can't read the header; another may
            continue
    if not sniffed:
        raise PennydeskError(
            "Could not tell the delimiter; choose delimiter=comma, semicolon or tab.", field="delimiter"
        )
    return (sniffed, *_header(text, sniffed))


def _missing(role: str, name: str, columns: list[str], delimiter: str) -> PennydeskError:
    listed = ", ".join(repr(c) for c in columns)
    hint = ""
    if len(columns) == 1 and any(d in columns[0] for d in DELIMITERS.values() if d != delimiter):
        hint = " The header has a single column: is the delimiter right?"
    return PennydeskError(
        f"The {role} column {name!r} is not in the header. The header's columns are: {listed}.{hint}", field=role
    )


def parse(profile: Profile, text: str, options: Options) -> Parsed:
    """Every line of the file read and judged on its own; nothing is stored."""
    check_date_format(options.date_format)
    categories = account.categories(profile)
    default_category = " ".join(options.default_category.split()).lower()
    if default_category not in categories:
        raise PennydeskError(
            f"{options.default_category!r} is not one of your categories; choose another default_category.",
            field="default_category",
        )
    delimiter, header_line, columns = _pick_delimiter(text, options)
    index: dict[str, int] = {}
    for role, name in _mapping(options).items():
        position = _find(columns, name)
        if position is None:
            raise _missing(role, name, columns, delimiter)
        index[role] = position
    name_of = {role: columns[i] for role, i in index.items()}
    width = len(columns)
    parsed = Parsed(columns=columns, delimiter=delimiter)
    seen_external: dict[str, int] = {}
    occurrences: Counter[str] = Counter()

    for line, cells, error in _records(text, delimiter):
        if line <= header_line:
            continue
        if error is not None:
            parsed.count += 1
            parsed.errors.append(Line(line, error))
            _check_rows(parsed.count)
            continue
        assert cells is not None
        if not any(c.strip() for c in cells):
            continue  # a blank line (or only delimiters) is not a row
        parsed.count += 1
        _check_rows(parsed.count)
        if len(cells) < width or any(c.strip() for c in cells[width:]):
            parsed.errors.append(Line(line, f"expected {width} columns as in the header, found {len(cells)}"))
            continue

        def cell(role: str, cells: list[str] = cells) -> str:
            """The cell for a role; a quoted newline written by Windows (CRLF) or old Macs (CR) becomes \\n."""
            return cells[index[role]].replace("\r\n", "\n").replace("\r", "\n") if role in index else ""

        try:
            negative, amount = parse_amount(cell("amount"), options.decimal)
        except LineError as exc:
            parsed.errors.append(Line(line, f"{name_of['amount']}: {exc}", name_of["amount"]))
            continue
        is_zero = not amount.replace(".", "").strip("0")
        if not is_zero and negative != (options.sign == "expenses_negative"):
            parsed.credits.append(Line(line, CREDIT if options.sign == "expenses_negative" else REFUND))
            continue
        try:
            day = _parse_day(cell("date"), options.date_format)
        except LineError as exc:
            parsed.errors.append(Line(line, f"{name_of['date']}: {exc}", name_of["date"]))
            continue
        raw_category = cell("category").strip()
        data = ExpenseInput(
            amount=amount, category=raw_category or default_category, date=day.isoformat(),
            payee=cell("payee"), note=cell("note"), external_id=cell("external_id") or None,
        )
        try:
            value = expenses.clean(profile, data)
        except PennydeskError as exc:
            parsed.errors.append(_clean_error(line, exc, name_of, raw_category))
            continue
        repeat_of = seen_external.get(value.external_id) if value.external_id else None
        if value.external_id and repeat_of is None:
            seen_external[value.external_id] = line
        occurrence = 0
        if repeat_of is None:  # the same bank row listed twice is one expense, not another occurrence
            occurrences[value.fingerprint] += 1
            occurrence = occurrences[value.fingerprint]
        parsed.rows.append(Row(line, value, occurrence, repeat_of))
    return parsed


def _check_rows(count: int) -> None:
    if count > MAX_ROWS:
        raise PayloadTooLarge(f"The file has more than {MAX_ROWS:,} rows; split it and import the parts.",
                              field="body")


def _clean_error(line: int, exc: PennydeskError, name_of: dict[str, str], raw_category: str) -> Line:
    if exc.field == "category":
        return Line(line, f"unknown category {raw_category!r}; add it in your settings first",
                    name_of.get("category"))
    column = name_of.get(exc.field or "")
    return Line(line, f"{column}: {exc.message}" if column else exc.message, column)


# ---------------------------------------------------------------------------------------------- storing


@dataclass
class _State:
    """What the table holds for this file's keys: counts stored by others, and by this import so far."""

    external: set[str] = field(default_factory=set)  # external ids already stored
    others: Counter[str] = field(default_factory=Counter)  # fingerprint -> expenses not from this import
    own: Counter[str] = field(default_factory=Counter)  # fingerprint -> expenses this import stored
    exists: set[str] = field(default_factory=set)  # fingerprints whose marker item exists

    def read(self, user_id: str, rows: list[Row]) -> None:
        """(Re)read the markers these rows need, strongly consistent: BatchGetItem (100 keys a request) for
        up to BATCH_GET_MAX_KEYS keys; beyond that, range Queries over the file's dates and external ids,
        which read the same markers in a few 1 MB pages (a 10,000-row file: ~4 requests instead of 200)."""
        keys = {f"EXT#{r.value.external_id}" for r in rows if r.value.external_id}
        keys |= {r.value.fingerprint for r in rows}
        pk = user_pk(user_id)
        if len(keys) <= BATCH_GET_MAX_KEYS:
            markers = Marker.batch_get([(pk, sk) for sk in sorted(keys)], consistent_read=True)
        else:
            markers = _ranges(pk, keys)
        found = {m.sk: m for m in markers if m.sk in keys}
        for sk in keys:
            marker = found.get(sk)
            if sk.startswith("EXT#"):
                if marker is not None:
                    self.external.add(sk.removeprefix("EXT#"))
            elif marker is not None:
                self.exists.add(sk)
                self.others[sk] = int(marker.count or 0) - self.own[sk]

    def duplicate(self, row: Row) -> str | None:
        value = row.value
        if row.repeat_of is not None:
            return f"duplicate: external id {value.external_id!r} is also on line {row.repeat_of}"
        if value.external_id and value.external_id in self.external:
            return f"duplicate: external id {value.external_id!r} was already imported"
        if self.others[value.fingerprint] >= row.occurrence:
            return "duplicate: an expense with the same date, amount and payee is already recorded"
        return None


def _ranges(pk: str, keys: set[str]) -> Iterator[Marker]:
    """Every marker between the file's first and last date, and between its lowest and highest external id."""
    days = sorted(k.split("#")[1] for k in keys if k.startswith("FP#"))
    if days:  # "$" sorts just after "#": the upper bound takes in every key of the last day
        yield from Marker.query(pk, Marker.sk.between(f"FP#{days[0]}#", f"FP#{days[-1]}$"), consistent_read=True)
    external = sorted(k for k in keys if k.startswith("EXT#"))
    if external:
        yield from Marker.query(pk, Marker.sk.between(external[0], external[-1]), consistent_read=True)


@dataclass
class _Chunk:
    rows: list[Row] = field(default_factory=list)
    fingerprints: Counter[str] = field(default_factory=Counter)
    totals: expenses.TotalsChange = field(default_factory=expenses.TotalsChange)
    items: int = 0

    def cost(self, row: Row) -> int:
        value = row.value
        return (1 + (1 if value.external_id else 0) + (value.fingerprint not in self.fingerprints)
                + ((value.month, None) not in self.totals) + ((value.month, value.category) not in self.totals))

    def add(self, row: Row) -> None:
        value = row.value
        self.items += self.cost(row)
        self.rows.append(row)
        self.fingerprints[value.fingerprint] += 1
        self.totals.add(value.month, value.category, value.amount, 1)


class _Stop(Exception):
    """Storing stops here: lines from `line` on were not stored."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(reason)
        self.line = line
        self.reason = reason


@dataclass
class Report:
    rows: int = 0
    imported: int = 0
    duplicates: int = 0
    credits: int = 0
    pending: int = 0  # rows that would import but were not stored because storing stopped
    skipped: list[Line] = field(default_factory=list)
    errors: list[Line] = field(default_factory=list)
    stopped_at_line: int | None = None
    stop_reason: str | None = None

    def skip(self, line: Line) -> None:
        self.skipped.append(line)

    def message(self, would_import: int | None = None) -> str:
        verb, count = ("Would import", would_import) if would_import is not None else ("Imported", self.imported)
        parts = [f"{verb} {count} of {self.rows} rows"]
        parts += [f"{n} {word}{'' if n == 1 else 's'}{rest}" for n, word, rest in (
            (self.duplicates, "duplicate", " skipped"), (self.credits, "credit", " skipped"),
            (len(self.errors), "line", " with errors")) if n]
        text = "; ".join(parts) + "."
        if self.stopped_at_line is not None:
            text += (f" Stopped before line {self.stopped_at_line} ({self.stop_reason}): {self.pending} rows from "
                     "there on were not stored. Upload the same file again to import them; what is already "
                     "stored will be skipped as duplicates.")
        return text


def _expense(profile: Profile, value: Clean) -> Expense:
    """The same item expenses.create_clean writes."""
    expense_id = uuid.uuid4().hex
    now = iso(utcnow())
    return Expense(
        pk=user_pk(profile.user_id), sk=f"EXP#{expense_id}", expense_id=expense_id, amount=value.amount,
        category=value.category, date=value.date, month=value.month, date_key=f"{value.date}#{expense_id}",
        payee=value.payee, note=value.note, tags=value.tags, external_id=value.external_id,
        fingerprint=value.fingerprint, created_at=now, updated_at=now, version=1,
    )


def _commit(profile: Profile, chunk: _Chunk, state: _State) -> None:
    """One TransactWriteItems for the chunk. Each fingerprint's count must still be what was read, so a
    concurrent import or edit of the same rows cancels it (and the chunk is re-judged row by row)."""
    user_id = profile.user_id
    pk = user_pk(user_id)
    with transaction() as tx:
        for row in chunk.rows:
            expense = _expense(profile, row.value)
            tx.save(expense, condition=Expense.pk.does_not_exist())
            if row.value.external_id:
                tx.save(Marker(pk=pk, sk=f"EXT#{row.value.external_id}", expense_id=expense.expense_id),
                        condition=Marker.pk.does_not_exist())
        for fp, added in chunk.fingerprints.items():
            expected = state.others[fp] + state.own[fp]
            condition = (Marker.count == expected) if fp in state.exists else Marker.pk.does_not_exist()
            tx.update(Marker(pk=pk, sk=fp), actions=[Marker.count.add(added)], condition=condition)
        chunk.totals.stage(tx, user_id)


def _stored(state: _State, row: Row, report: Report) -> None:
    state.own[row.value.fingerprint] += 1
    state.exists.add(row.value.fingerprint)
    if row.value.external_id:
        state.external.add(row.value.external_id)
    report.imported += 1


def _one_by_one(profile: Profile, chunk: _Chunk, state: _State, report: Report,
                out_of_time: Callable[[], bool]) -> None:
    """After a cancelled chunk: read its markers again, re-judge each row, store the rest singly."""
    state.read(profile.user_id, chunk.rows)
    for row in chunk.rows:
        reason = state.duplicate(row)
        if reason:
            report.duplicates += 1
            report.skip(Line(row.line, reason))
            continue
        if out_of_time():
            raise _Stop(row.line, "the time for this request ran out")
        try:
            expenses.create_clean(profile, row.value)
        except Conflict as exc:
            if exc.field == "external_id":
                report.duplicates += 1
                report.skip(Line(row.line, f"duplicate: external id {row.value.external_id!r} was already imported"))
            else:
                report.errors.append(Line(row.line, f"not stored: {exc.message} Import the file again to add it."))
            continue
        except Exception as exc:
            logger.exception("import: storing a row failed")
            raise _Stop(row.line, f"storing failed ({type(exc).__name__})") from exc
        _stored(state, row, report)


def _flush(profile: Profile, chunk: _Chunk, state: _State, report: Report,
           out_of_time: Callable[[], bool]) -> None:
    """Store one chunk; raises _Stop (naming the first line not stored) when storing can't go on."""
    if not chunk.rows:
        return
    if out_of_time():
        raise _Stop(chunk.rows[0].line, "the time for this request ran out")
    try:
        retrying(
            lambda: _commit(profile, chunk, state),
            retry_on=expenses.CONFLICTS, final=expenses.FINAL, message=expenses.CROWDED,
        )
    except (TransactWriteError, Conflict) as exc:
        codes = cancellation_codes(exc)
        logger.info("import: chunk cancelled, storing its rows one by one", extra={"codes": codes})
        _one_by_one(profile, chunk, state, report, out_of_time)
        return
    except Exception as exc:
        logger.exception("import: storing a chunk failed")
        raise _Stop(chunk.rows[0].line, f"storing failed ({type(exc).__name__})") from exc
    for row in chunk.rows:
        _stored(state, row, report)


def run(profile: Profile, parsed: Parsed, *, preview: bool = False,
        time_left: Callable[[], float] | None = None) -> tuple[Report, list[Row]]:
    """Judge every row against what is stored and (unless previewing) store the rest, chunk by chunk.

    Returns the report and, for a preview, the rows that would be imported.
    """
    report = Report(rows=parsed.count, errors=list(parsed.errors), credits=len(parsed.credits))
    state = _State()
    state.read(profile.user_id, [r for r in parsed.rows if r.repeat_of is None])
    slowest = 0.0

    def out_of_time() -> bool:
        return time_left is not None and time_left() < max(DEADLINE_MARGIN_SECONDS, 3 * slowest)

    would_import: list[Row] = []
    chunk = _Chunk()
    stopped: _Stop | None = None
    not_stored: list[Row] = []

    def flush() -> None:
        nonlocal chunk, slowest, stopped
        began = time.monotonic()
        try:
            _flush(profile, chunk, state, report, out_of_time)
        except _Stop as exc:
            stopped = exc
            not_stored.extend(row for row in chunk.rows if row.line >= exc.line)
        slowest = max(slowest, time.monotonic() - began)
        chunk = _Chunk()

    for row in parsed.rows:
        if stopped is None and not preview and chunk.items + chunk.cost(row) > MAX_TX_ITEMS:
            flush()
        if stopped is not None:
            not_stored.append(row)
            continue
        reason = state.duplicate(row)
        if reason:
            report.duplicates += 1
            report.skip(Line(row.line, reason))
        elif preview:
            would_import.append(row)
        else:
            chunk.add(row)
    if stopped is None and not preview:
        flush()
    if stopped is not None:
        report.stopped_at_line, report.stop_reason = stopped.line, stopped.reason
        for row in not_stored:  # duplicates are still reported as such; the rest were not stored
            reason = state.duplicate(row)
            if reason:
                report.duplicates += 1
                report.skip(Line(row.line, reason))
            else:
                report.pending += 1
    report.skipped.extend(parsed.credits)
    report.skipped.sort(key=lambda item: item.line)
    report.errors.sort(key=lambda item: item.line)
    return report, would_import


def import_csv(profile: Profile, text: str, options: Options, *, preview: bool = False,
               time_left: Callable[[], float] | None = None) -> dict[str, Any]:
    """Parse, judge and (unless previewing) store a bank's CSV; the reply says exactly what happened."""
    parsed = parse(profile, text, options)
    report, would_import = run(profile, parsed, preview=preview, time_left=time_left)
    truncated = len(report.skipped) > MAX_LISTED or len(report.errors) > MAX_LISTED
    reply: dict[str, Any] = {
        "imported": report.imported,
        "duplicates": report.duplicates,
        "credits": report.credits,
        "invalid": len(report.errors),
        "rows": report.rows,
        "skipped": [item.view() for item in report.skipped[:MAX_LISTED]],
        "errors": [item.view() for item in report.errors[:MAX_LISTED]],
        "truncated": truncated,
        "stopped_at_line": report.stopped_at_line,
        "not_stored": report.pending,
        "message": report.message(len(would_import) if preview else None),
    }
    if preview:
        currency = profile.currency
        reply |= {
            "would_import": len(would_import),
            "columns": parsed.columns,
            "delimiter": next(name for name, d in DELIMITERS.items() if d == parsed.delimiter),
            "sample": [
                {"line": r.line, "date": r.value.date, "amount": money.format(r.value.amount, currency),
                 "payee": r.value.payee, "category": r.value.category}
                for r in parsed.rows[:SAMPLE_ROWS]
            ],
        }
    return reply


# ---------------------------------------------------------------------------------------------- export


def _export_day(value: str, field: str) -> date:
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise PennydeskError("Use a date like 2026-11-22.", field=field) from None
    if day < expenses.EARLIEST:
        raise PennydeskError(f"Use a date from {expenses.EARLIEST} on.", field=field)
    return day


def export_range(first: str, last: str) -> tuple[str, str]:
    """Check an export's dates: both real, from <= to, at most five years apart (the end may be in the future)."""
    start = _export_day(first, "from")
    end = _export_day(last, "to")
    if end < start:
        raise PennydeskError("The end date comes before the start date.", field="to")
    try:
        limit = start.replace(year=start.year + MAX_EXPORT_YEARS)
    except ValueError:  # 29 February
        limit = start.replace(year=start.year + MAX_EXPORT_YEARS, day=28)
    if end >= limit:
        raise PennydeskError(f"Export at most {MAX_EXPORT_YEARS} years at a time.", field="to")
    return start.isoformat(), end.isoformat()


def guard(cell: str) -> str:
    """A cell a spreadsheet would run as a formula gets a leading quote (CSV injection)."""
    return f"'{cell}" if cell.startswith(FORMULA_START) else cell


def export_csv(profile: Profile, first: str, last: str) -> tuple[str, str]:
    """(file name, CSV text) for every expense dated first..last, in date order."""
    first, last = export_range(first, last)
    currency = profile.currency
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(EXPORT_COLUMNS)
    for expense in expenses.iter_range(profile, first, last):
        writer.writerow([
            expense.date,
            money.format(int(expense.amount), currency),
            currency,
            guard(expense.category),
            guard(expense.payee or ""),
            guard(expense.note or ""),
            guard(";".join(expense.tags or [])),
            guard(expense.external_id or ""),
            expense.expense_id,
        ])
        if out.tell() > EXPORT_MAX_BYTES:
            raise PennydeskError(
                f"These dates hold more than {EXPORT_MAX_BYTES // (1024 * 1024)} MB of expenses; "
                "export a shorter range.",
                field="to",
            )
    return f"pennydesk-{first}-to-{last}.csv", out.getvalue()
