"""A ticket's service-level state as the desk shows it, decided from its two SLA timers (pure)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from pennydesk.helpdesk import sla
from pennydesk.helpdesk.ticket_records import TicketTimer
from pennydesk.platform.clock import iso

BREACHED = "breached"
DUE_SOON = "due_soon"
ON_TRACK = "on_track"
PAUSED = "paused"
MET = "met"  # no target left running: met, or the ticket is finished
STATES = (BREACHED, DUE_SOON, ON_TRACK, PAUSED, MET)
# "Due soon" once less than this share of the target is left (an hour of a four-hour target).
DUE_SOON_SHARE = 0.25


@dataclass(frozen=True)
class SlaState:
    state: str
    target: str | None = None  # "first response" | "resolution"
    due_at: str | None = None  # when it falls due, or fell due for a breach


def state_of(timers: Iterable[TicketTimer], now: datetime) -> SlaState:
    """The most pressing of the ticket's targets: a breach, then the one due first."""
    timers = list(timers)
    breached = sorted((t for t in timers if t.breached_at), key=lambda t: str(t.breached_at))
    if breached:
        return SlaState(BREACHED, sla.LABELS.get(breached[0].kind), str(breached[0].breached_at))
    running = sorted((t for t in timers if not t.paused_at), key=sla.due_moment)
    if running:
        first = running[0]
        due = sla.due_moment(first)
        soon = timedelta(seconds=int(first.target_seconds or 0) * DUE_SOON_SHARE)
        if due <= now:
            return SlaState(BREACHED, sla.LABELS.get(first.kind), iso(due))  # the scheduler hasn't run yet
        return SlaState(DUE_SOON if due - now <= soon else ON_TRACK, sla.LABELS.get(first.kind), iso(due))
    if timers:
        return SlaState(PAUSED, sla.LABELS.get(timers[0].kind))
    return SlaState(MET)
