"""Deflection in figures: what the help center saved the desk, counted per UTC day by atomic ADDs.

Searches, suggestions shown on the ticket form, articles opened from it, "yes"/"no" votes, and tickets
raised after reading an article. A report sums the days of a range (one Query, at most 366 items).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from pynamodb.transactions import TransactWrite

from pennydesk.helpcenter.records import FIGURE_NAMES, FIGURES_PK, DailyFigures, daily_figures, day_sk
from pennydesk.platform.clock import utcnow
from pennydesk.platform.errors import PennydeskError

DEFAULT_DAYS = 30
MAX_DAYS = 366


def _today() -> str:
    return utcnow().date().isoformat()


def _add(name: str, by: int) -> list:
    assert name in FIGURE_NAMES, name
    return [getattr(DailyFigures, name).add(by)]


def count(name: str, by: int = 1) -> None:
    daily_figures(_today()).update(actions=_add(name, by))


def stage(tx: TransactWrite, name: str) -> None:
    """Add the count to a transaction, so it holds exactly when the change it counts does."""
    tx.update(daily_figures(_today()), actions=_add(name, 1))


@dataclass(frozen=True)
class Range:
    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def days_between(start: str | None, end: str | None, today: date) -> Range:
    """The UTC days a report covers: by default the 30 ending today; a 422 naming the field otherwise."""
    last = _day(end, "to") if end else today
    first = _day(start, "from") if start else last - timedelta(days=DEFAULT_DAYS - 1)
    if first > last:
        raise PennydeskError("The first day comes after the last.", field="from")
    if (last - first).days + 1 > MAX_DAYS:
        raise PennydeskError(f"Ask for at most {MAX_DAYS} days.", field="from")
    return Range(first, last)


def _day(text: str, field: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise PennydeskError("Give a day as YYYY-MM-DD.", field=field) from None


def report(start: str | None, end: str | None) -> dict[str, object]:
    covered = days_between(start, end, utcnow().date())
    totals = dict.fromkeys(FIGURE_NAMES, 0)
    condition = DailyFigures.sk.between(day_sk(covered.start.isoformat()), day_sk(covered.end.isoformat()))
    for day in DailyFigures.query(FIGURES_PK, condition):
        for name in FIGURE_NAMES:
            totals[name] += int(getattr(day, name) or 0)
    return {"from": covered.start.isoformat(), "to": covered.end.isoformat(), "days": covered.days, **totals}
