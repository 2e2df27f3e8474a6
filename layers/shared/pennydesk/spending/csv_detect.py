"""What a bank's file leaves unsaid, read from the file itself: the delimiter, the lines above the table, the
header row (or none), which column is which, the decimal mark, the date order and how money out is marked.

Plain functions over text, no AWS. Each guess comes from the table's body (the rows of the most common width),
never from a bank's name; `csv_reading` applies the result like options a person chose, and a person's own
options still win. When the date order can't be told (every day is 12 or less), `dates` lists both readings.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache

from pennydesk.spending.csv_cells import DecimalMark, LineError, parse_amount

SAMPLE_LINES = 400  # rows read to decide; the rest of the file follows the same layout
MAX_COLUMNS = 100
DELIMITER_CHOICES = (";", ",", "\t", "|")
DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%d.%m.%y", "%d/%m/%Y", "%m/%d/%Y", "%d/%m/%y", "%m/%d/%y", "%d-%m-%Y",
                "%m-%d-%Y", "%Y%m%d", "%Y/%m/%d", "%Y.%m.%d", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M",
                "%Y-%m-%dT%H:%M:%S", "%d.%m.%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%m/%d/%Y %H:%M:%S")
CURRENCY_MARKS = re.compile(r"^\s*(?:[$€£¥₹]|CHF|EUR|USD|GBP)\s*|\s*(?:[$€£¥₹]|CHF|EUR|USD|GBP)\s*$")

# Header words, compared without case or accents; the first listed that a header holds wins.
DATE_WORDS = ("buchungstag", "buchungsdatum", "buchung", "transaction date", "booking date", "date", "datum",
              "fecha", "date de valeur", "posted date", "valutadatum", "wertstellung")
AMOUNT_WORDS = ("amount", "betrag", "bedrag", "brutto", "gross", "montant", "importe", "transactiebedrag", "value")
DEBIT_WORDS = ("debit", "debit amount", "withdrawal", "withdrawals", "money out", "paid out", "soll", "ausgabe",
               "af")
CREDIT_WORDS = ("credit", "credit amount", "deposit", "deposits", "money in", "paid in", "haben", "einnahme", "bij")
PAYEE_WORDS = ("payee", "tegenrekeninghouder", "naam tegenpartij", "naam / omschrijving", "name / description",
               "zahlungsempfanger*in",
               "auftraggeber/empfanger", "auftraggeber / begunstigter", "beguenstigter/zahlungspflichtiger",
               "name zahlungsbeteiligter", "empfanger", "partner name", "merchant name", "merchant", "name",
               "description", "buchungstext", "desc", "description 1", "omschrijving", "naam")
ID_WORDS = ("transaktionscode", "transaction id", "transaction code", "n° de transaction", "reference", "referenz",
            "referentie", "transactiereferentie")
CURRENCY_WORDS = ("currency", "wahrung", "waehrung", "valutacode", "valuta", "munt", "monn.", "devise", "moneda")
BALANCE_WORDS = ("saldo", "balance", "kontostand", "running bal", "solde", "guthaben", "saldo na mutatie")
OUT_WORDS = frozenset({"af", "d", "dr", "debit", "debet", "soll", "s", "ausgang", "out", "withdrawal"})
IN_WORDS = frozenset({"bij", "c", "cr", "credit", "haben", "h", "eingang", "in", "deposit"})
PENDING_WORDS = frozenset({"pending", "ausstehend", "vorgemerkt", "umsatz vorgemerkt", "nicht gebucht", "offen",
                           "authorized", "authorisation", "in behandeling"})
BOOKED_WORDS = frozenset({"posted", "booked", "gebucht", "umsatz gebucht", "abgeschlossen", "completed", "cleared"})


@dataclass
class Detected:
    """The file's layout as read from it; column fields hold header names (or "column N" without a header)."""

    delimiter: str = ","
    header_line: int = 0  # the header's line; with no header, the line before the first data row
    has_header: bool = True
    preamble: int = 0  # lines above the table (account details, a summary block)
    columns: list[str] = field(default_factory=list)
    date: str | None = None
    amount: str | None = None
    debit: str | None = None
    credit: str | None = None
    direction: str | None = None
    status: str | None = None
    currency: str | None = None  # a column of currency codes
    currencies: list[str] = field(default_factory=list)  # the codes in it, the most common first
    payee: str | None = None
    external_id: str | None = None
    decimal: DecimalMark = "dot"
    dates: list[str] = field(default_factory=list)  # every date pattern all the dates fit, most likely first
    amount_example: str = ""
    date_example: str = ""


def fold(text: str) -> str:
    """A header or cell compared without case, accents or surrounding space."""
    text = unicodedata.normalize("NFKD", text.strip().casefold())
    return " ".join("".join(c for c in text if not unicodedata.combining(c)).split())


def rows(text: str, delimiter: str, limit: int = SAMPLE_LINES) -> list[tuple[int, list[str]]]:
    """(first physical line, cells) of the first `limit` readable records; unreadable ones are left out."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar='"', skipinitialspace=True)
    found: list[tuple[int, list[str]]] = []
    line = 1
    while len(found) < limit:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error:
            line = reader.line_num + 1
            continue
        found.append((line, cells))
        line = reader.line_num + 1
    return found


def width(cells: list[str]) -> int:
    """Cells up to the last non-empty one (trailing empty cells don't count)."""
    n = len(cells)
    while n and not cells[n - 1].strip():
        n -= 1
    return n


def body_width(records: list[tuple[int, list[str]]]) -> tuple[int, int]:
    """(the width of 2 or more cells that most cells are in, how many rows have it): a table's body, not the
    lines of a summary block above it."""
    counts = Counter(len(cells) for _, cells in records if width(cells) >= 2)
    if not counts:
        return 0, 0
    return max(counts.items(), key=lambda item: (item[1] * (item[0] - 1), item[0]))


def pick_delimiter(text: str) -> str:
    """The delimiter that splits the most cells into rows of one width: a table's body decides, not a title
    line or the comma in a '-12,50' amount (which splits every row in two, but only in two)."""
    scores = {d: body_width(rows(text, d, 200)) for d in DELIMITER_CHOICES}
    best = max(DELIMITER_CHOICES, key=lambda d: (scores[d][1] * (scores[d][0] - 1), scores[d][0]))
    return best if scores[best][1] else ","


def is_amount(cell: str) -> bool:
    value = CURRENCY_MARKS.sub("", cell.strip())
    for decimal in ("dot", "comma"):
        try:
            parse_amount(value, decimal)  # type: ignore[arg-type]
            return True
        except LineError:
            continue
    return False


def date_formats(values: list[str], share: float = 0.8) -> list[str]:
    """Every pattern that reads at least `share` of the (non-empty) values (a mistyped day stays an error
    on its line, not a reason to misread the rest). Day-first and month-first may both fit: then both are
    listed, so the caller can ask."""
    values = [v.strip() for v in values if v.strip()]
    if not values:
        return []
    read = Counter(pattern for value in values for pattern in _patterns_reading(value))
    return [pattern for pattern in DATE_FORMATS if read[pattern] >= share * len(values)]


def forget_cells() -> None:
    """Empty the cache of cells read (benchmarks measure a container's first file)."""
    _patterns_reading.cache_clear()


@lru_cache(maxsize=8192)
def _patterns_reading(value: str) -> tuple[str, ...]:
    """The patterns that read one cell. Cached: a year of daily rows repeats 365 dates, and detection asks
    of every cell of every column. Every pattern starts with digits, so other cells are never tried."""
    if not value[:1].isdigit():
        return ()
    fitting = []
    for pattern in DATE_FORMATS:
        try:
            datetime.strptime(value, pattern)
        except ValueError:
            continue
        fitting.append(pattern)
    return tuple(fitting)


def is_date(cell: str) -> bool:
    return bool(cell.strip()) and bool(date_formats([cell], 1.0))


def vote_decimal(values: list[str]) -> DecimalMark:
    """The decimal mark the amounts themselves show: '12,50' and '1.234,56' only read one way."""
    votes: Counter[str] = Counter()
    for raw in values:
        value = CURRENCY_MARKS.sub("", raw.strip())
        fits = []
        for decimal in ("dot", "comma"):
            try:
                parse_amount(value, decimal)  # type: ignore[arg-type]
                fits.append(decimal)
            except LineError:
                continue
        if len(fits) == 1:
            votes[fits[0]] += 1
        elif len(fits) == 2 and re.search(r"[.,]\d{1,2}$", value):  # '1,234' reads both ways; '0,5' does not
            votes["comma" if value.rstrip("0123456789").endswith(",") else "dot"] += 1
    return "comma" if votes["comma"] > votes["dot"] else "dot"


def find_header(records: list[tuple[int, list[str]]], size: int) -> tuple[int, bool]:
    """(index of the header in `records`, whether it is a header): the first row as wide as the body; when
    that row already holds a date and an amount, the file has no header and it is the first data row."""
    for i, (_, cells) in enumerate(records):
        filled = sum(1 for c in cells if c.strip())
        if len(cells) >= size and filled >= max(2, size // 2):  # a title padded with delimiters is not it
            data_like = any(is_date(c) for c in cells) and any(is_amount(c) and not is_date(c) for c in cells)
            return i, not data_like
    return 0, True


def column_by_words(names: list[str], words: tuple[str, ...], taken: set[int]) -> int | None:
    """The first column whose folded header is one of `words` (in the order of `words`), else one whose
    header starts with one of them."""
    folded = [fold(n) for n in names]
    for word in words:
        for i, name in enumerate(folded):
            if i not in taken and name == word:
                return i
    for word in words:
        for i, name in enumerate(folded):
            if i not in taken and len(word) > 3 and name.startswith(word):
                return i
    return None


def column_values(body: list[list[str]], i: int) -> list[str]:
    return [cells[i] for cells in body if i < len(cells)]


def column_of(body: list[list[str]], size: int, test, taken: set[int], share: float = 0.8) -> int | None:
    """The first column not taken whose non-empty cells mostly pass `test`."""
    for i in range(size):
        if i in taken:
            continue
        values = [v for v in column_values(body, i) if v.strip()]
        if values and sum(1 for v in values if test(v)) >= share * len(values) and len(values) >= share * len(body):
            return i
    return None


def words_column(body: list[list[str]], size: int, vocabulary: frozenset[str], taken: set[int],
                 must: frozenset[str] = frozenset()) -> int | None:
    """A column whose every non-empty cell is one of `vocabulary` (and some cell one of `must`)."""
    for i in range(size):
        values = {fold(v) for v in column_values(body, i) if v.strip()}
        if i not in taken and values and values <= vocabulary and (not must or values & must):
            return i
    return None


def detect(text: str, delimiter: str | None = None) -> Detected:
    """The layout of a bank's file; `delimiter` fixes the delimiter when a person chose it."""
    found = Detected(delimiter=delimiter or pick_delimiter(text))
    records = rows(text, found.delimiter)
    size, _ = body_width(records)
    if size < 2:
        return found
    start, found.has_header = find_header(records, size)
    line = records[start][0]
    found.preamble = line - 1
    if found.has_header:
        found.header_line = line
        found.columns = [c.strip() or f"column {i + 1}" for i, c in enumerate(records[start][1])][:size]
        body = [cells for _, cells in records[start + 1:] if width(cells) >= 2]
    else:
        found.header_line = line - 1
        found.columns = [f"column {i + 1}" for i in range(size)]
        body = [cells for _, cells in records[start:] if width(cells) >= 2]
    _roles(found, body, size)
    return found


def _roles(found: Detected, body: list[list[str]], size: int) -> None:
    names = found.columns if found.has_header else [""] * size
    taken: set[int] = set()
    balance = column_by_words(names, BALANCE_WORDS, taken)
    if balance is not None:
        taken.add(balance)

    def keep(i: int | None) -> str | None:
        if i is None:
            return None
        taken.add(i)
        return found.columns[i]

    date_i = column_by_words(names, DATE_WORDS, taken)
    if date_i is None or not date_formats(column_values(body, date_i)):
        date_i = column_of(body, size, is_date, taken)
    found.date = keep(date_i)
    if date_i is not None:
        found.dates = _date_order(body, size, date_i)
        found.date_example = next((v.strip() for v in column_values(body, date_i) if v.strip()), "")
    found.status = keep(words_column(body, size, PENDING_WORDS | BOOKED_WORDS, taken))
    currency_i = column_by_words(names, CURRENCY_WORDS, taken)
    codes = Counter(v.strip().upper() for v in column_values(body, currency_i) if v.strip()) if currency_i is not None \
        else Counter()
    if codes and all(re.fullmatch(r"[A-Z]{3}", code) for code in codes):
        found.currency, found.currencies = keep(currency_i), [code for code, _ in codes.most_common()]
    found.direction = keep(words_column(body, size, OUT_WORDS | IN_WORDS, taken, must=OUT_WORDS))
    debit, credit = column_by_words(names, DEBIT_WORDS, taken), column_by_words(names, CREDIT_WORDS, taken)
    if debit is not None and credit is not None and found.direction is None:
        found.debit, found.credit = keep(debit), keep(credit)
    else:
        amount_i = column_by_words(names, AMOUNT_WORDS, taken)
        if amount_i is None:
            amount_i = _money_column(body, size, taken)
        found.amount = keep(amount_i)
    money = [found.columns.index(c) for c in (found.amount, found.debit, found.credit) if c]
    values = [v for i in money for v in column_values(body, i) if v.strip()]
    found.decimal = vote_decimal(values)
    found.amount_example = next((CURRENCY_MARKS.sub("", v.strip()) for v in values if re.search(r"[.,]", v)),
                                values[0].strip() if values else "")
    found.external_id = keep(_unique(body, column_by_words(names, ID_WORDS, taken)))
    payee = column_by_words(names, PAYEE_WORDS, taken) if found.has_header else None
    found.payee = keep(payee if payee is not None else _text_column(body, size, taken))


def _money_column(body: list[list[str]], size: int, taken: set[int]) -> int | None:
    """Without a header: the first column of amounts that has money going out (a minus), as a balance or
    an id column rarely does; else the first column of amounts."""
    money = [i for i in range(size) if i not in taken
             and column_of(body, size, lambda v: is_amount(v) and not is_date(v), taken | _others(i, size)) == i]
    signed = [i for i in money if any(v.strip().startswith(("-", "\u2212")) for v in column_values(body, i))]
    return (signed or money or [None])[0]


def _others(i: int, size: int) -> set[int]:
    return {j for j in range(size) if j != i}


def _date_order(body: list[list[str]], size: int, date_i: int) -> list[str]:
    """The date column's patterns; when it reads both day first and month first, the file's other date
    columns (a value date, a booking date) may tell which, if they are written the same way."""
    own = _ordered(date_formats(column_values(body, date_i)))
    others = [v for i in range(size) if i != date_i and column_of(body, size, is_date, _others(i, size), 0.8) == i
              for v in column_values(body, i)]
    if not others:
        return own
    told = [p for p in own if p in date_formats(column_values(body, date_i) + others)]
    return told or own


def _ordered(patterns: list[str]) -> list[str]:
    """Patterns that read the same values; day-first before month-first, four-digit years first."""
    return sorted(patterns, key=lambda p: (p.find("%d") > p.find("%m") > -1, "%y" in p))


def _unique(body: list[list[str]], i: int | None) -> int | None:
    """The id column only if every row has its own id."""
    if i is None:
        return None
    values = [v.strip() for v in column_values(body, i)]
    return i if all(values) and len(set(values)) == len(values) else None


def _text_column(body: list[list[str]], size: int, taken: set[int]) -> int | None:
    """Without a header: the column with the most different words, as a payee is."""
    best, best_score = None, 0
    for i in range(size):
        if i in taken:
            continue
        values = [v.strip() for v in column_values(body, i) if v.strip()]
        if not values or all(is_amount(v) or is_date(v) for v in values):
            continue
        words = sum(1 for v in values if " " in v or any(c.islower() for c in v)) / len(values)
        score = len(set(values)) * (1 + words)  # names have words; IBANs and codes don't
        if score > best_score:
            best, best_score = i, score
    return best


def ambiguous(found: Detected) -> bool:
    """Whether the dates read as both day-first and month-first."""
    orders = {p.find("%d") < p.find("%m") for p in found.dates if "%d" in p and "%m" in p}
    return len(orders) == 2


def describe(found: Detected) -> str:
    """What was detected, in plain words, for the preview."""
    names = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
    parts = [f"{names.get(found.delimiter, repr(found.delimiter))}-separated"]
    if found.amount_example:
        parts.append(f"amounts like {found.amount_example}")
    if found.date_example:
        parts.append(f"dates like {found.date_example}" + (", day or month first (every day is 12 or less)"
                                                           if ambiguous(found) else ""))
    if found.preamble:
        parts.append(f"the first {found.preamble} line{'s' if found.preamble > 1 else ''} are account details"
                     if found.preamble > 1 else "the first line is account details")
    if not found.has_header:
        parts.append("no header row")
    if found.direction:
        parts.append(f"money out marked in the {found.direction!r} column")
    elif found.debit:
        parts.append(f"money out in {found.debit!r}, money in in {found.credit!r}")
    if found.status:
        parts.append(f"pending rows told by {found.status!r}")
    return ", ".join(parts)
