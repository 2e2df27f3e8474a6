"""Exporting expenses as CSV: a date range out, in date order, in the columns an import reads back."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

from pennydesk.platform.errors import PennydeskError
from pennydesk.spending import expenses, money
from pennydesk.spending.records import Profile

EXPORT_COLUMNS = ("date", "amount", "currency", "category", "payee", "note", "tags", "external_id", "id")
EXPORT_MAX_BYTES = 5 * 1024 * 1024  # Lambda's synchronous response limit is 6 MB
MAX_EXPORT_YEARS = 5
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


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


# A formula character at the start of the cell, or after a delimiter that a spreadsheet in another locale splits
# the cell at (then the part after it starts a cell of its own), with any spaces between.
_FORMULA = re.compile(r"(^|[,;|\t])([ ]*)([=+\-@\t\r])")


def guard(cell: str) -> str:
    """Every formula a spreadsheet could find in a cell gets a leading quote (CSV injection)."""
    return _FORMULA.sub(lambda m: f"{m.group(1)}{m.group(2)}'{m.group(3)}", cell)


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
