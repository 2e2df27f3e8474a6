"""Reading a bank's CSV: the dialect, the header, and each data row judged on its own, as plain functions.

Nothing here reads or writes a table. The import is explicit about everything a bank file leaves open
(which column is which, the delimiter, the decimal separator, the date pattern, which sign an expense has).
A data row becomes a valid expense (checked with the same rules as one typed in by hand, `expenses.clean`),
a credit (money coming in), or an error line naming its column; lines are numbered as an editor shows them.
Single cells are read by `csv_cells`; `csv_import` judges the rows against what is stored and stores them.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from pennydesk.platform.errors import PayloadTooLarge, PennydeskError
from pennydesk.spending import account, expenses
from pennydesk.spending.csv_cells import DecimalMark, LineError, check_date_format, parse_amount, parse_day
from pennydesk.spending.expenses import Clean, ExpenseInput
from pennydesk.spending.records import Profile

DELIMITERS = {"comma": ",", "semicolon": ";", "tab": "\t"}
SNIFF_BYTES = 8 * 1024
MAX_ROWS = 50_000
CREDIT = "not an expense (credit)"
REFUND = "not an expense (negative amount: a refund or income)"

Delimiter = Literal["comma", "semicolon", "tab", "auto"]
Sign = Literal["expenses_negative", "expenses_positive"]
Record = tuple[int, list[str] | str]  # (first physical line, the cells or why they can't be read)


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

    def roles(self) -> dict[str, str]:
        """Each role a column was named for (date, amount, payee, ...) and the header name given."""
        named = {"date": self.date, "amount": self.amount, "payee": self.payee,
                 "category": self.category, "external_id": self.external_id, "note": self.note}
        return {role: name for role, name in named.items() if name is not None and name.strip()}


@dataclass(frozen=True)
class Line:
    """One line of the file that was not imported, and why (1-based, as an editor numbers lines)."""

    line: int
    reason: str
    column: str | None = None

    def view(self) -> dict[str, Any]:
        return {"line": self.line, "reason": self.reason, "column": self.column}


class Credit(Line):
    """A line holding money coming in (or, with expenses_positive, going out as a refund): not an expense."""


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


@dataclass(frozen=True)
class Reading:
    """What reading a data row needs: the header's layout, the options, the account and its default category."""

    profile: Profile
    options: Options
    default_category: str
    delimiter: str
    header_line: int
    columns: list[str]
    index: dict[str, int]  # role -> position in the header

    def cell(self, cells: list[str], role: str) -> str:
        """The cell for a role; a quoted newline written by Windows (CRLF) or old Macs (CR) becomes \\n."""
        if role not in self.index:
            return ""
        return cells[self.index[role]].replace("\r\n", "\n").replace("\r", "\n")

    def column(self, role: str) -> str | None:
        """The header's name for a role's column (None for a role not mapped)."""
        return self.columns[self.index[role]] if role in self.index else None


# ---------------------------------------------------------------------------------------------- the file


def parse(profile: Profile, text: str, options: Options) -> Parsed:
    """Every line of the file read and judged on its own; nothing is stored."""
    reading = prepare(profile, text, options)
    parsed = Parsed(columns=reading.columns, delimiter=reading.delimiter)
    occurrences = Occurrences()
    for line, cells in data_records(text, reading):
        parsed.count += 1
        _check_rows(parsed.count)
        outcome = Line(line, cells) if isinstance(cells, str) else read_row(line, cells, reading)
        if isinstance(outcome, Credit):
            parsed.credits.append(outcome)
        elif isinstance(outcome, Line):
            parsed.errors.append(outcome)
        else:
            parsed.rows.append(occurrences.row(line, outcome))
    return parsed


def prepare(profile: Profile, text: str, options: Options) -> Reading:
    """Check the options against the account and the file's header; refused whole when they don't fit."""
    check_date_format(options.date_format)
    default_category = _default_category(profile, options.default_category)
    delimiter, header_line, columns = _pick_delimiter(text, options)
    index = _column_index(columns, options, delimiter)
    return Reading(profile, options, default_category, delimiter, header_line, columns, index)


def data_records(text: str, reading: Reading) -> Iterator[Record]:
    """The records after the header, without blank ones (empty, or only delimiters)."""
    for line, cells in _records(text, reading.delimiter):
        if line <= reading.header_line:
            continue
        if not isinstance(cells, str) and not any(c.strip() for c in cells):
            continue
        yield line, cells


def _check_rows(count: int) -> None:
    if count > MAX_ROWS:
        raise PayloadTooLarge(f"The file has more than {MAX_ROWS:,} rows; split it and import the parts.",
                              field="body")


def _default_category(profile: Profile, wanted: str) -> str:
    name = " ".join(wanted.split()).lower()
    if name not in account.categories(profile):
        raise PennydeskError(
            f"{wanted!r} is not one of your categories; choose another default_category.", field="default_category"
        )
    return name


# ---------------------------------------------------------------------------------------------- a row


def read_row(line: int, cells: list[str], reading: Reading) -> Clean | Line:
    """One data row as an expense, or the Line saying why not (a Credit when it is not an expense)."""
    width = len(reading.columns)
    if len(cells) < width or any(c.strip() for c in cells[width:]):
        return Line(line, f"expected {width} columns as in the header, found {len(cells)}")
    options = reading.options
    try:
        negative, amount = parse_amount(reading.cell(cells, "amount"), options.decimal)
    except LineError as exc:
        return _cell_error(line, reading, "amount", exc)
    if is_credit(negative, amount, options.sign):
        return Credit(line, CREDIT if options.sign == "expenses_negative" else REFUND)
    try:
        day = parse_day(reading.cell(cells, "date"), options.date_format)
    except LineError as exc:
        return _cell_error(line, reading, "date", exc)
    data = ExpenseInput(
        amount=amount, category=reading.cell(cells, "category").strip() or reading.default_category,
        date=day.isoformat(), payee=reading.cell(cells, "payee"), note=reading.cell(cells, "note"),
        external_id=reading.cell(cells, "external_id") or None,
    )
    try:
        return expenses.clean(reading.profile, data)
    except PennydeskError as exc:
        return _refused(line, reading, exc, reading.cell(cells, "category").strip())


def is_credit(negative: bool, amount: str, sign: Sign) -> bool:
    """Whether a non-zero amount has the sign of money coming in (zero is an expense either way)."""
    is_zero = not amount.replace(".", "").strip("0")
    return not is_zero and negative != (sign == "expenses_negative")


def _cell_error(line: int, reading: Reading, role: str, exc: LineError) -> Line:
    column = reading.column(role)
    return Line(line, f"{column}: {exc}", column)


def _refused(line: int, reading: Reading, exc: PennydeskError, raw_category: str) -> Line:
    """An expense rule's refusal as an error line, naming the header's column for the field refused."""
    if exc.field == "category":
        return Line(line, f"unknown category {raw_category!r}; add it in your settings first",
                    reading.column("category"))
    column = reading.column(exc.field or "")
    return Line(line, f"{column}: {exc.message}" if column else exc.message, column)


@dataclass
class Occurrences:
    """Numbers rows by fingerprint: the k-th row of the same date, amount and payee in the file is
    occurrence k, but the same bank row listed twice (one external id) is a repeat, not another one."""

    first_line: dict[str, int] = field(default_factory=dict)  # external id -> the line it was first on
    counts: Counter[str] = field(default_factory=Counter)

    def row(self, line: int, value: Clean) -> Row:
        external = value.external_id
        repeat_of = self.first_line.get(external) if external else None
        if repeat_of is not None:
            return Row(line, value, 0, repeat_of)
        if external:
            self.first_line[external] = line
        self.counts[value.fingerprint] += 1
        return Row(line, value, self.counts[value.fingerprint])


# ---------------------------------------------------------------------------------------------- dialect


def _records(text: str, delimiter: str) -> Iterator[Record]:
    """(first physical line, cells or error) per record; a quoted newline keeps the record's first line."""
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
            yield start, _csv_error(str(exc))
            continue
        ended = reader.line_num
        yield start, cells


def _csv_error(message: str) -> str:
    if "unexpected end of data" in message:
        return "a quoted field that starts here is never closed"
    if "expected after" in message:
        return f"a closing quote must be followed by the delimiter ({message})"
    return message


def _sniff(text: str) -> str:
    sample = text[:SNIFF_BYTES]
    if len(text) > SNIFF_BYTES and "\n" in sample:
        sample = sample[: sample.rindex("\n")]
    try:
        return csv.Sniffer().sniff(sample, delimiters="".join(DELIMITERS.values())).delimiter
    except csv.Error:
        return ""


def _header(text: str, delimiter: str) -> tuple[int, list[str]]:
    for line, cells in _records(text, delimiter):
        if isinstance(cells, str):
            raise PennydeskError(f"The header row (line {line}) can't be read: {cells}.", field="body")
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


def _column_index(columns: list[str], options: Options, delimiter: str) -> dict[str, int]:
    """Each mapped role's position in the header; a role whose column is missing refuses the file."""
    index: dict[str, int] = {}
    for role, name in options.roles().items():
        position = _find(columns, name)
        if position is None:
            raise _missing(role, name, columns, delimiter)
        index[role] = position
    return index


def _missing(role: str, name: str, columns: list[str], delimiter: str) -> PennydeskError:
    listed = ", ".join(repr(c) for c in columns)
    hint = ""
    if len(columns) == 1 and any(d in columns[0] for d in DELIMITERS.values() if d != delimiter):
        hint = " The header has a single column: is the delimiter right?"
    return PennydeskError(
        f"The {role} column {name!r} is not in the header. The header's columns are: {listed}.{hint}", field=role
    )
