"""A bank CSV's dialect and header as plain functions: records numbered by physical line, the delimiter,
the header row, and where each named column is. Used by `csv_reading`; nothing here knows an expense."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from pennydesk.platform.errors import PennydeskError

DELIMITERS = {"comma": ",", "semicolon": ";", "tab": "\t", "pipe": "|"}
SNIFF_BYTES = 8 * 1024
Record = tuple[int, list[str] | str]  # (first physical line, the cells or why they can't be read)


def records(text: str, delimiter: str) -> Iterator[Record]:
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


def header_at(text: str, delimiter: str, line: int, headerless: bool) -> tuple[int, list[str]]:
    """The header found by detection (on `line`), or, without one, columns named by position."""
    for start, cells in records(text, delimiter):
        if headerless and start > line and not isinstance(cells, str) and any(c.strip() for c in cells):
            return line, [f"column {i + 1}" for i in range(len(cells))]
        if not headerless and start == line and not isinstance(cells, str):
            return line, [c.strip() for c in cells]
    return header(text, delimiter)


def header(text: str, delimiter: str) -> tuple[int, list[str]]:
    for line, cells in records(text, delimiter):
        if isinstance(cells, str):
            raise PennydeskError(f"The header row (line {line}) can't be read: {cells}.", field="body")
        if cells and any(c.strip() for c in cells):
            return line, [c.strip() for c in cells]
    raise PennydeskError("The file has no header row.", field="body")


def find(columns: list[str], wanted: str) -> int | None:
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


def pick_delimiter(text: str, chosen: str, date: str, amount: str) -> tuple[str, int, list[str]]:
    """The delimiter (auto: the sniffed one, unless another of the three is the only one that finds the
    date and amount columns, as with '-12,50' amounts in a semicolon file), the header line and cells."""
    if chosen != "auto":
        delimiter = DELIMITERS[chosen]
        return (delimiter, *header(text, delimiter))
    sniffed = _sniff(text)
    candidates = [sniffed] if sniffed else []
    candidates += [d for d in DELIMITERS.values() if d != sniffed]
    for delimiter in candidates:
        try:
            line, columns = header(text, delimiter)
            if find(columns, date) is not None and find(columns, amount) is not None:
                return delimiter, line, columns
        except PennydeskError:  # this delimiter can't read the header; another may
            continue
    if not sniffed:
        raise PennydeskError(
            "Could not tell the delimiter; choose delimiter=comma, semicolon or tab.", field="delimiter"
        )
    return (sniffed, *header(text, sniffed))


def column_index(columns: list[str], roles: dict[str, str], delimiter: str) -> dict[str, int]:
    """Each mapped role's position in the header; a role whose column is missing refuses the file."""
    index: dict[str, int] = {}
    for role, name in roles.items():
        position = find(columns, name)
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
