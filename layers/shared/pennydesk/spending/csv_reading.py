"""Reading a bank's CSV: the header and each data row judged on its own, as plain functions.

Nothing here reads or writes a table. `Options` says everything a bank file leaves open (which column is
which, the delimiter, the decimal separator, the date pattern, how money out is marked, where the header is);
`csv_options` fills in from `csv_detect` whatever a person did not say. A data row becomes a valid expense
(checked with the same rules as one typed in by hand, `expenses.clean`), money coming in, a pending hold, a
zero row, or an error line naming its column; lines are numbered as an editor shows them. The dialect is
read by `csv_dialect`, single cells by `csv_cells`; `csv_import` judges the rows against what is stored.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from pennydesk.platform.errors import PayloadTooLarge, PennydeskError
from pennydesk.spending import account, expenses
from pennydesk.spending.csv_cells import DecimalMark, LineError, check_date_format, parse_amount, parse_day
from pennydesk.spending.csv_detect import CURRENCY_MARKS, IN_WORDS, OUT_WORDS, PENDING_WORDS, fold
from pennydesk.spending.csv_dialect import DELIMITERS, Record, column_index, header_at, pick_delimiter, records
from pennydesk.spending.expenses import Clean, ExpenseInput
from pennydesk.spending.records import Profile, raw_row_sk

MAX_ROWS = 50_000
CREDIT = "not an expense (credit)"
REFUND = "not an expense (negative amount: a refund or income)"
INCOMING = "not an expense (money coming in)"
HOLD = "not an expense (pending: not booked yet)"
ZERO = "not an expense (zero amount)"

Delimiter = Literal["comma", "semicolon", "tab", "auto"]
Sign = Literal["expenses_negative", "expenses_positive"]


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
    # What detection adds (see csv_detect): money out and in as two columns, or an amount with a direction
    # column (Af/Bij, D/C, Soll/Haben); a status column telling pending holds; where the header is.
    debit: str | None = None
    credit: str | None = None
    direction: str | None = None
    status: str | None = None
    currency: str | None = None  # with only_currency: rows in another currency are skipped
    only_currency: str | None = None
    header_line: int | None = None  # None: the first non-blank row is the header
    headerless: bool = False  # then columns are named "column 1", "column 2", ...
    skip_zero: bool = False  # zero rows are skipped and counted instead of refused
    as_downloaded: bool = False  # read leniently: "$20.00" is 20.00, a payee too long is cut at a word

    def roles(self) -> dict[str, str]:
        """Each role a column was named for (date, amount, payee, ...) and the header name given."""
        money = ({"debit": self.debit, "credit": self.credit} if self.debit and self.credit
                 else {"amount": self.amount, "direction": self.direction})
        named = {"date": self.date, **money, "payee": self.payee, "status": self.status,
                 "currency": self.currency if self.only_currency else None,
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


class Hold(Line):
    """A pending hold (PayPal's open authorisation, a booking the bank marks vorgemerkt): not spent yet."""


class Zero(Line):
    """A row of zero (a statement closing, a balance line): nothing was spent."""


class Foreign(Line):
    """A row in another currency than the file's own (PayPal's purchase in USD beside its conversion to EUR)."""


@dataclass(frozen=True)
class Row:
    """A data row that is a valid expense; `occurrence` is k for the k-th row of its fingerprint in the file."""

    line: int
    value: Clean
    occurrence: int
    repeat_of: int | None = None  # the earlier line with the same external id, if any
    raw: str = ""  # the row as the bank wrote it (raw_key): the same whatever columns were mapped
    raw_occurrence: int = 0  # k for the k-th row of the file with the same raw key


@dataclass
class Parsed:
    columns: list[str]
    delimiter: str
    rows: list[Row] = field(default_factory=list)
    credits: list[Line] = field(default_factory=list)
    holds: list[Line] = field(default_factory=list)
    zeros: list[Line] = field(default_factory=list)
    foreign: list[Line] = field(default_factory=list)
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
        elif isinstance(outcome, Hold):
            parsed.holds.append(outcome)
        elif isinstance(outcome, Zero):
            parsed.zeros.append(outcome)
        elif isinstance(outcome, Foreign):
            parsed.foreign.append(outcome)
        elif isinstance(outcome, Line):
            parsed.errors.append(outcome)
        else:
            parsed.rows.append(occurrences.row(line, outcome, raw_key(outcome.date, cells)))
    return parsed


def raw_key(day: str, cells: list[str]) -> str:
    """A row's key from its cells as the bank wrote them (case and spacing aside) and its date: importing
    the file again with other columns mapped finds the same key."""
    cells = [" ".join(c.split()).casefold() for c in cells]
    while cells and not cells[-1]:
        cells.pop()
    digest = hashlib.sha256("\x1f".join(cells).encode("utf-8")).hexdigest()[:32]
    return raw_row_sk(day, digest)


def prepare(profile: Profile, text: str, options: Options) -> Reading:
    """Check the options against the account and the file's header; refused whole when they don't fit."""
    check_date_format(options.date_format)
    default_category = _default_category(profile, options.default_category)
    if options.header_line is not None:
        delimiter = DELIMITERS.get(options.delimiter, ",")
        header_line, columns = header_at(text, delimiter, options.header_line, options.headerless)
    else:
        delimiter, header_line, columns = pick_delimiter(text, options.delimiter, options.date, options.amount)
    index = column_index(columns, options.roles(), delimiter)
    return Reading(profile, options, default_category, delimiter, header_line, columns, index)


def data_records(text: str, reading: Reading) -> Iterator[Record]:
    """The records after the header, without blank ones (empty, or only delimiters)."""
    for line, cells in records(text, reading.delimiter):
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
    if "status" in reading.index and fold(reading.cell(cells, "status")) in PENDING_WORDS:
        return Hold(line, HOLD)
    code = reading.cell(cells, "currency").strip().upper() if "currency" in reading.index else ""
    if code and code != options.only_currency:
        return Foreign(line, f"not an expense in {options.only_currency} (a row in {code})")
    money = _money(line, cells, reading)
    if isinstance(money, Line):
        return money
    amount = money
    try:
        day = parse_day(reading.cell(cells, "date"), options.date_format)
    except LineError as exc:
        return _cell_error(line, reading, "date", exc)
    data = ExpenseInput(
        amount=amount, category=reading.cell(cells, "category").strip() or reading.default_category,
        date=day.isoformat(), payee=_payee(reading, cells), note=reading.cell(cells, "note"),
        external_id=reading.cell(cells, "external_id") or None,
    )
    try:
        return expenses.clean(reading.profile, data)
    except PennydeskError as exc:
        return _refused(line, reading, exc, reading.cell(cells, "category").strip())


def _payee(reading: Reading, cells: list[str]) -> str:
    """The payee cell; read as downloaded, a bank's long booking text is cut to what an expense holds."""
    payee = reading.cell(cells, "payee")
    if reading.options.as_downloaded and len(payee) > expenses.MAX_PAYEE:
        payee = " ".join(payee.split())
        payee = payee[: expenses.MAX_PAYEE - 1].rsplit(" ", 1)[0] + "…" if len(payee) > expenses.MAX_PAYEE else payee
    return payee


def _money(line: int, cells: list[str], reading: Reading) -> str | Line:
    """The amount spent, or the Line saying why the row is not spending (money in, zero) or can't be read."""
    options = reading.options
    layout = "debit" if "debit" in reading.index else "amount"
    try:
        negative, amount = _amount(reading, cells, layout)
        if layout == "debit" and _is_zero(amount):
            layout = "credit"
            negative, amount = _amount(reading, cells, layout)
            if not _is_zero(amount):
                return Credit(line, INCOMING)
    except LineError as exc:
        return _cell_error(line, reading, layout, exc)
    if _is_zero(amount) and options.skip_zero:
        return Zero(line, ZERO)
    if "direction" in reading.index:
        word = fold(reading.cell(cells, "direction"))
        if word in IN_WORDS or (word not in OUT_WORDS and is_credit(negative, amount, options.sign)):
            return Credit(line, INCOMING)
    elif layout == "amount" and is_credit(negative, amount, options.sign):
        return Credit(line, CREDIT if options.sign == "expenses_negative" else REFUND)
    return amount


def _amount(reading: Reading, cells: list[str], role: str) -> tuple[bool, str]:
    """(negative, digits) of a money cell; an empty debit or credit cell (or, in a file sent with no options,
    an empty amount, as on a balance row) reads as zero."""
    text = reading.cell(cells, role)
    if reading.options.as_downloaded:
        text = CURRENCY_MARKS.sub("", text.strip())
    if (role in ("debit", "credit") or reading.options.skip_zero) and not text.strip():
        return False, "0"
    return parse_amount(text, reading.options.decimal)


def _is_zero(amount: str) -> bool:
    return not amount.replace(".", "").strip("0")


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

    def row(self, line: int, value: Clean, raw: str = "") -> Row:
        external = value.external_id
        repeat_of = self.first_line.get(external) if external else None
        if repeat_of is not None:
            return Row(line, value, 0, repeat_of)
        if external:
            self.first_line[external] = line
        self.counts[value.fingerprint] += 1
        if raw:
            self.counts[raw] += 1
        return Row(line, value, self.counts[value.fingerprint], raw=raw, raw_occurrence=self.counts[raw] if raw else 0)
