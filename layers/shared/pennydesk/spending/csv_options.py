"""How to read one upload: the options a person gave, and for everything else what `csv_detect` read from
the file itself. A person's options always win; a file sent with none is read as downloaded."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pennydesk.platform.errors import PennydeskError
from pennydesk.spending import csv_detect
from pennydesk.spending.csv_detect import Detected
from pennydesk.spending.csv_dialect import DELIMITERS, find
from pennydesk.spending.csv_import import import_csv
from pennydesk.spending.csv_reading import Options
from pennydesk.spending.records import Profile


@dataclass
class Plan:
    """The options to read the file with, what was detected, and the date readings left to choose from."""

    options: Options
    detected: Detected | None
    date_choices: list[str] = field(default_factory=list)

    def description(self) -> str:
        return csv_detect.describe(self.detected) if self.detected else "read with the options given"


def plan(text: str, given: dict[str, Any], currency: str | None = None) -> Plan:
    """The options for this file: `given` (only what the person set) over what the file shows. A file in
    several currencies keeps the rows in `currency` (the account's) if it has any, else its most common."""
    as_given = dict(given)
    if given.get("delimiter") == "auto":
        given = {key: value for key, value in given.items() if key != "delimiter"}
    chosen = given.get("delimiter")
    detected = csv_detect.detect(text, DELIMITERS[chosen] if chosen else None)
    if len(detected.columns) > csv_detect.MAX_COLUMNS:
        raise PennydeskError(
            f"The table has {len(detected.columns)} columns; a bank's list of transactions has far fewer "
            f"(at most {csv_detect.MAX_COLUMNS} are read). Check that this is the file your bank lets you "
            "download.", field="body")
    named = [given[c] for c in ("date", "amount") if given.get(c)]
    if named and any(find(detected.columns, name) is None for name in named):
        return Plan(Options(**as_given), None)  # the names given are not in the table found: read as told
    if not (detected.date or given.get("date")) or not (detected.amount or detected.debit or given.get("amount")):
        raise PennydeskError(_no_table(detected), field="body")
    choices = _date_choices(detected, given)
    values = _detected_values(detected, given, choices)
    if len(detected.currencies) > 1:
        values |= {"currency": detected.currency,
                   "only_currency": currency if currency in detected.currencies else detected.currencies[0]}
    return Plan(Options(**(values | given)), detected, choices)


def _detected_values(detected: Detected, given: dict[str, Any], choices: list[str]) -> dict[str, Any]:
    """Options as detected; a person naming the amount column (or the sign) means one signed column."""
    signed = bool(given.get("amount") or given.get("sign"))
    values: dict[str, Any] = {
        "date": detected.date, "amount": detected.amount or "amount", "payee": detected.payee,
        "external_id": detected.external_id, "status": detected.status,
        "delimiter": next(name for name, d in DELIMITERS.items() if d == detected.delimiter),
        "decimal": detected.decimal, "header_line": detected.header_line, "headerless": not detected.has_header,
        "skip_zero": not given, "as_downloaded": True,
    }
    if choices or detected.dates:
        values["date_format"] = (choices or detected.dates)[0]
    if not signed and detected.debit and detected.credit:
        values |= {"debit": detected.debit, "credit": detected.credit}
    if not given.get("sign") and detected.direction:
        values["direction"] = detected.direction
    return {key: value for key, value in values.items() if value is not None}


def _date_choices(detected: Detected, given: dict[str, Any]) -> list[str]:
    """Both readings when the dates read day-first and month-first alike and no date_format was given."""
    if given.get("date_format") or not csv_detect.ambiguous(detected):
        return []
    day_first = next(p for p in detected.dates if p.find("%d") < p.find("%m"))
    month_first = next(p for p in detected.dates if p.find("%m") < p.find("%d"))
    return [day_first, month_first]


def refuse_ambiguous_dates(found: Plan) -> None:
    """An import (not a preview) never guesses the date order: it asks, naming both readings."""
    if not found.date_choices:
        return
    day_first, month_first = found.date_choices
    example = found.detected.date_example if found.detected else ""
    raise PennydeskError(
        f"The dates can be read two ways: every day in the file is 12 or less, so {example!r} could be day "
        f"first ({day_first}) or month first ({month_first}). Choose which with date_format={day_first} "
        f"or date_format={month_first}.",
        field="date_format",
    )


def _readings(found: Plan) -> list[dict[str, str]]:
    """The first date of the file read each way it can be, for the person to choose by what they know."""
    example = found.detected.date_example if found.detected else ""
    readings = []
    for pattern in found.date_choices:
        try:
            day = datetime.strptime(example, pattern).date()
        except ValueError:
            continue
        readings.append({"date_format": pattern, "example": example, "reads_as": day.isoformat()})
    return readings


def _no_table(detected: Detected) -> str:
    if not detected.columns:
        return ("No table was found in the file: no two lines have the same columns. Upload the CSV file your "
                "bank lets you download.")
    listed = ", ".join(repr(c) for c in detected.columns[:12])
    missing = "date" if not detected.date else "amount"
    return (f"No {missing} column was found among {listed}. Name it with {missing}=<column>, or check the file "
            f"is a bank's list of transactions.")


def import_upload(profile: Profile, text: str, given: dict[str, Any], *, preview: bool = False,
                  time_left: Callable[[], float] | None = None) -> dict[str, Any]:
    """Import (or preview) a bank's file with the options given and the rest detected; the preview says
    what was detected, in words and as the options that would change it."""
    found = plan(text, given, currency=profile.currency)
    if not preview:
        refuse_ambiguous_dates(found)
    reply = import_csv(profile, text, found.options, preview=preview, time_left=time_left)
    if preview:
        options = found.options
        reply |= {
            "detected": found.description(),
            "date_choices": found.date_choices,
            "date_readings": _readings(found),
            "settings": {
                "delimiter": reply["delimiter"], "decimal": options.decimal, "date_format": options.date_format,
                "date": options.date, "amount": options.amount, "debit": options.debit, "credit": options.credit,
                "direction": options.direction, "status": options.status, "payee": options.payee,
                "external_id": options.external_id, "header_line": options.header_line,
            },
        }
    return reply
