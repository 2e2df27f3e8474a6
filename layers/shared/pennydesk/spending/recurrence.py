"""When a recurring expense falls due, as plain functions over dates.

A series repeats every week (on the start's weekday), month (on the start's day; the 29th-31st fall on the
last day of shorter months, and the next month goes back to the start's day) or year (on the start's day
and month; 29 February falls on the 28th in other years), from its start date, up to an optional end date
(inclusive). Occurrence n is computed from the start, never from the one before, so a short month doesn't
shift the day for good.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

PERIODS = ("week", "month", "year")
MAX_CATCH_UP = 60  # occurrences created by one run; more (after a long outage) continue at the next run
MAX_BACKDATE_DAYS = 366  # a series may start this long ago: its past occurrences are created (bounded)


@dataclass(frozen=True)
class Schedule:
    every: str  # week | month | year
    start: date
    end: date | None = None


def nth(schedule: Schedule, n: int) -> date:
    """Occurrence n (0 is the start)."""
    start = schedule.start
    if schedule.every == "week":
        return start + timedelta(weeks=n)
    months = n if schedule.every == "month" else 12 * n
    year, month = divmod(start.month - 1 + months, 12)
    year += start.year
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(start.day, last))


def index_on_or_after(schedule: Schedule, day: date) -> int:
    """The smallest n whose occurrence is on or after `day`."""
    start = schedule.start
    if day <= start:
        return 0
    if schedule.every == "week":
        n = (day - start).days // 7
    else:
        months = (day.year - start.year) * 12 + day.month - start.month
        n = max(0, months if schedule.every == "month" else months // 12) - 1
        n = max(n, 0)
    while nth(schedule, n) < day:
        n += 1
    return n


def occurrences(schedule: Schedule, first: date) -> Iterator[date]:
    """Every occurrence on or after `first`, in order, up to the end (endless without one)."""
    n = index_on_or_after(schedule, first)
    while True:
        day = nth(schedule, n)
        if schedule.end is not None and day > schedule.end:
            return
        yield day
        n += 1


def next_on_or_after(schedule: Schedule, day: date) -> date | None:
    """The first occurrence on or after `day`; None when the series has ended by then."""
    return next(occurrences(schedule, day), None)


def due(schedule: Schedule, pending: date, today: date, limit: int = MAX_CATCH_UP) -> tuple[list[date], date | None]:
    """The occurrences to create now: from `pending` (the first not created yet) through `today`, at most
    `limit`; and the first one left for later (None: the series has ended)."""
    made: list[date] = []
    for day in occurrences(schedule, pending):
        if day > today or len(made) == limit:
            return made, day
        made.append(day)
    return made, None


def check(every: str, start: date, end: date | None, today: date) -> str | None:
    """What is wrong with a series' terms, in plain words, or None."""
    if every not in PERIODS:
        return "Repeat every week, month or year."
    if start < today - timedelta(days=MAX_BACKDATE_DAYS):
        return f"Start no more than {MAX_BACKDATE_DAYS} days ago."
    if end is not None and end < start:
        return "The end date is before the start."
    return None
