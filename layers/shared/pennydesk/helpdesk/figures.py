"""The desk's figures for admins: tickets opened and resolved, response and resolution times, SLA
breaches, backlog and satisfaction over a range of days, read by key in proportion to the range.

Two kinds of item on the tickets table keep them, both written from events that already happen:

* **Facts**, one per thing that happened, in a partition per month: ``pk=HELPDESK#<YYYY-MM>``,
  ``sk=<moment>#<kind>#<ticket id>[#<n>]``. The ticket stream writes ``opened``, ``first_response``,
  ``resolved`` and ``rating`` facts; the SLA worker writes ``breach`` facts in the same transaction that
  records the breach. A fact's key comes from what it records (never from when it was written), so a
  redelivered record writes the same item again: the figures cannot double count. A rating that is sent
  again replaces its fact only if it is newer (``times``), so a late, stale record can't undo it.
* **The backlog**, one item per open ticket: ``pk=HELPDESK#BACKLOG``, ``sk=<ticket id>``. Each ticket
  change rewrites (or, once resolved or closed, deletes) it in a transaction conditioned on the ticket
  still being at the version the record shows, so only the latest state of a ticket lands, whatever
  order records arrive in.

A report is one Query per calendar month the range touches (the first and last month cut by the sort
key), one Query of the backlog and one of the roster: nothing scans, and the cost follows the range's
events and today's backlog, not the desk's history. Days are UTC days.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from aws_lambda_powertools import Logger
from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import PutError, TransactWriteError
from pynamodb.transactions import TransactWrite

from pennydesk.helpdesk import roster
from pennydesk.helpdesk.agent_records import Agent
from pennydesk.helpdesk.ticket_records import TICKET_SK, Feedback, Ticket, ticket_pk
from pennydesk.helpdesk.vocabulary import BACKLOG_STATUSES, FINISHED_STATUSES, Status, TimerKind
from pennydesk.platform.clock import utcnow
from pennydesk.platform.dynamo import KeyedModel, cancellation_codes, table_meta, transaction
from pennydesk.platform.errors import PennydeskError
from pennydesk.platform.settings import get_settings

logger = Logger(child=True)

PREFIX = "HELPDESK#"
BACKLOG_PK = f"{PREFIX}BACKLOG"
DEFAULT_DAYS = 30
MAX_DAYS = 366
OPENED, FIRST_RESPONSE, RESOLVED, RATING, BREACH = "opened", "first_response", "resolved", "rating", "breach"
CLOSED_STATES = FINISHED_STATUSES
RATINGS = (1, 2, 3, 4, 5)


class DeskFact(KeyedModel):
    """One thing that happened on the desk, in its month's partition, sorted by when."""

    Meta = table_meta(get_settings().tickets_table)

    kind = UnicodeAttribute()
    ticket_id = UnicodeAttribute()
    at = UnicodeAttribute()  # ISO UTC: when it happened
    category = UnicodeAttribute(null=True)
    priority = UnicodeAttribute(null=True)
    agent_id = UnicodeAttribute(null=True)
    seconds = NumberAttribute(null=True)  # first_response / resolved: time since the ticket was opened
    rating = NumberAttribute(null=True)
    times = NumberAttribute(null=True)  # rating: how often it was sent (the newest wins)
    target = UnicodeAttribute(null=True)  # breach: sla_first | sla_resolution
    comment = UnicodeAttribute(null=True)  # rating: the customer's words, if any


class BacklogTicket(KeyedModel):
    """An open ticket as the desk's backlog counts it (deleted once it is resolved or closed)."""

    Meta = table_meta(get_settings().tickets_table)

    ticket_id = UnicodeAttribute()
    status = UnicodeAttribute()
    category = UnicodeAttribute()
    priority = UnicodeAttribute()
    agent_id = UnicodeAttribute(null=True)
    version = NumberAttribute()


def month_pk(moment: str) -> str:
    return f"{PREFIX}{moment[:7]}"


def _fact(kind: str, at: str, ticket_id: str, suffix: str = "", **fields: Any) -> DeskFact:
    sk = f"{at}#{kind}#{ticket_id}{'#' + suffix if suffix else ''}"
    return DeskFact(pk=month_pk(at), sk=sk, kind=kind, ticket_id=ticket_id, at=at, **fields)


def _seconds_between(start: str, end: str) -> int:
    return max(0, int((_parse(end) - _parse(start)).total_seconds()))


def _parse(moment: str) -> datetime:
    return datetime.fromisoformat(moment.replace("Z", "+00:00")).astimezone(UTC)


# ------------------------------------------------------------------------------------------- recording
def on_ticket(old: Ticket | None, new: Ticket) -> None:
    """A ticket record from the stream: its facts (idempotent puts) and its place in the backlog."""
    for fact in ticket_facts(old, new):
        fact.save()
    sync_backlog(new)


def ticket_facts(old: Ticket | None, new: Ticket) -> list[DeskFact]:
    facts = []
    where = {"category": new.category, "priority": new.priority}
    if old is None:
        facts.append(_fact(OPENED, new.created_at, new.ticket_id, **where))
    elif new.first_response_at and not old.first_response_at:
        facts.append(
            _fact(
                FIRST_RESPONSE, new.first_response_at, new.ticket_id, agent_id=new.agent_id,
                seconds=_seconds_between(new.created_at, new.first_response_at), **where,
            )
        )
    if old is not None and new.status == Status.RESOLVED and old.status != Status.RESOLVED and new.resolved_at:
        facts.append(
            _fact(
                RESOLVED, new.resolved_at, new.ticket_id, f"{int(new.version):010d}", agent_id=new.agent_id,
                seconds=_seconds_between(new.created_at, new.resolved_at), **where,
            )
        )
    return facts


def sync_backlog(ticket: Ticket) -> bool:
    """Make the backlog show `ticket` as this record has it, if the ticket still is that version.

    Returns whether it wrote: a stale record (the ticket moved on) writes nothing, because the record of
    the newer version does, after it.
    """
    item = BacklogTicket(pk=BACKLOG_PK, sk=ticket.ticket_id)
    try:
        with transaction() as tx:
            tx.condition_check(
                Ticket, ticket_pk(ticket.ticket_id), TICKET_SK,
                condition=(Ticket.version == int(ticket.version)) & (Ticket.status == ticket.status),
            )
            if ticket.status in CLOSED_STATES:
                tx.delete(item)
            else:
                item.ticket_id = ticket.ticket_id
                item.status = ticket.status
                item.category = ticket.category
                item.priority = ticket.priority
                item.agent_id = ticket.agent_id
                item.version = int(ticket.version)
                tx.save(item)
    except TransactWriteError as exc:
        if "ConditionalCheckFailed" in cancellation_codes(exc):
            return False
        raise
    return True


def on_rating(feedback: Feedback) -> None:
    """A rating from the stream: one fact per resolution, dated by its first submit; a newer send wins."""
    if feedback.rating is None or feedback.resolution is None:
        return  # an image without the rating (moto streams a keys-only INSERT before an update's values)
    first = feedback.first_rated_at or feedback.rated_at
    times = int(feedback.times or 1)
    fact = _fact(
        RATING, first, feedback.ticket_id, f"{int(feedback.resolution):010d}",
        rating=int(feedback.rating), agent_id=feedback.agent_id, times=times, comment=feedback.comment or None,
    )
    try:
        fact.save(condition=DeskFact.times.does_not_exist() | (DeskFact.times <= times))
    except PutError as exc:
        if getattr(exc, "cause_response_code", None) != "ConditionalCheckFailedException":
            raise
        logger.info("older rating record ignored", extra={"ticket": feedback.ticket_id})


def stage_breach(tx: TransactWrite, ticket: Ticket, target: str, breached_at: str) -> None:
    """Add the breach's fact to the transaction that records it (one per ticket and target)."""
    tx.save(
        _fact(
            BREACH, breached_at, ticket.ticket_id, target, target=target, agent_id=ticket.agent_id,
            category=ticket.category, priority=ticket.priority,
        )
    )


# --------------------------------------------------------------------------------------------- reading
@dataclass(frozen=True)
class DayRange:
    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def day_range(start: str | None, end: str | None, today: date | None = None) -> DayRange:
    """The range asked for (inclusive UTC days); by default the 30 days that end today."""
    today = today or utcnow().date()
    last = _day(end, "to") if end else today
    try:
        first = _day(start, "from") if start else last - timedelta(days=DEFAULT_DAYS - 1)
    except OverflowError:  # 30 days before 0001-01-10 is no date at all
        raise PennydeskError("Choose a later last day.", field="to") from None
    if first > last:
        raise PennydeskError("The range starts after it ends: choose a 'from' on or before 'to'.", field="from")
    if (last - first).days + 1 > MAX_DAYS:
        raise PennydeskError(f"Choose a range of at most {MAX_DAYS} days.", field="from")
    return DayRange(first, last)


def _day(text: str, name: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise PennydeskError(f"Give '{name}' as a date, YYYY-MM-DD.", field=name) from None


def months(days: DayRange) -> Iterator[str]:
    year, month = days.start.year, days.start.month
    while (year, month) <= (days.end.year, days.end.month):
        yield f"{year:04d}-{month:02d}"
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def facts_in(days: DayRange) -> Iterator[DeskFact]:
    """Every fact dated within the range: one Query (and its pages) per month it touches."""
    low = days.start.isoformat()
    high = f"{days.end.isoformat()}~"  # '~' sorts after the 'T' of every moment on that day
    for month in months(days):
        yield from DeskFact.query(f"{PREFIX}{month}", DeskFact.sk.between(low, high))


def backlog() -> list[BacklogTicket]:
    return list(BacklogTicket.query(BACKLOG_PK))


@dataclass
class Figures:
    opened: int = 0
    resolved_tickets: set[str] = field(default_factory=set)
    first_response_seconds: list[int] = field(default_factory=list)
    resolution_seconds: dict[str, int] = field(default_factory=dict)  # per ticket: its last in the range
    breaches: Counter[str] = field(default_factory=Counter)
    ratings: list[int] = field(default_factory=list)


def tally(facts: Iterable[DeskFact]) -> Figures:
    """Count the facts (sorted by moment within each month, months in order); a fact seen twice counts once."""
    figures = Figures()
    seen: set[tuple[str, str]] = set()
    for fact in facts:
        if (fact.pk, fact.sk) in seen:
            continue
        seen.add((fact.pk, fact.sk))
        if fact.kind == OPENED:
            figures.opened += 1
        elif fact.kind == FIRST_RESPONSE and fact.seconds is not None:
            figures.first_response_seconds.append(int(fact.seconds))
        elif fact.kind == RESOLVED and fact.seconds is not None:
            figures.resolved_tickets.add(fact.ticket_id)
            figures.resolution_seconds[fact.ticket_id] = int(fact.seconds)
        elif fact.kind == BREACH:
            figures.breaches[str(fact.target)] += 1
        elif fact.kind == RATING and fact.rating is not None:
            figures.ratings.append(int(fact.rating))
    return figures


def _median(values: list[int]) -> int | None:
    return round(statistics.median(values)) if values else None


def report(start: str | None = None, end: str | None = None) -> dict[str, Any]:
    """The desk's figures for a range of days, and its backlog now."""
    days = day_range(start, end)
    return summarize(
        days, tally(facts_in(days)), backlog(), roster.list_agents(), get_settings().ticket_categories
    )


def summarize(
    days: DayRange, figures: Figures, open_tickets: list[BacklogTicket], team: list[Agent], categories: Iterable[str]
) -> dict[str, Any]:
    """The report from what was read: the range's tallies, and the backlog by category, status and agent."""
    distribution = Counter(figures.ratings)
    rated = len(figures.ratings)
    return {
        "from": days.start.isoformat(),
        "to": days.end.isoformat(),
        "days": days.days,
        "tickets": {"opened": figures.opened, "resolved": len(figures.resolved_tickets)},
        "first_response": {
            "count": len(figures.first_response_seconds),
            "median_seconds": _median(figures.first_response_seconds),
        },
        "resolution": {
            "count": len(figures.resolution_seconds),
            "median_seconds": _median(list(figures.resolution_seconds.values())),
        },
        "sla_breaches": {
            "total": sum(figures.breaches.values()),
            "first_response": figures.breaches[TimerKind.SLA_FIRST],
            "resolution": figures.breaches[TimerKind.SLA_RESOLUTION],
        },
        "backlog": _backlog_view(open_tickets, team, categories),
        "satisfaction": {
            "count": rated,
            "average": round(sum(figures.ratings) / rated, 2) if rated else None,
            "distribution": [{"rating": r, "count": distribution[r]} for r in RATINGS],
        },
    }


def _backlog_view(open_tickets: list[BacklogTicket], team: list[Agent], categories: Iterable[str]) -> dict[str, Any]:
    """Open tickets by the desk's categories (then any others), by status, and by agent (removed ones last)."""
    by_agent = Counter(t.agent_id for t in open_tickets if t.agent_id)
    by_category = Counter(t.category for t in open_tickets)
    by_status = Counter(t.status for t in open_tickets)
    known = {a.agent_id for a in team}
    listed = list(categories)
    listed += sorted(c for c in by_category if c not in listed)
    return {
        "total": len(open_tickets),
        "unassigned": sum(1 for t in open_tickets if not t.agent_id),
        "by_category": [{"category": c, "open": by_category[c]} for c in listed],
        "by_status": [{"status": s, "open": by_status[s]} for s in BACKLOG_STATUSES],
        "by_agent": [
            {"agent_id": a.agent_id, "name": a.name, "active": bool(a.active), "open": by_agent[a.agent_id]}
            for a in team
        ]
        + [
            {"agent_id": agent_id, "name": "(removed agent)", "active": False, "open": count}
            for agent_id, count in sorted(by_agent.items())
            if agent_id not in known
        ],
    }
