"""What a ticket's change does to its timers, staged into the change's own transaction.

The workflow reads the ticket's timers (one Query on its partition) when a change may touch them and
calls `stage` with the before and after: SLA timers pause, resume, re-target or complete; resolving
arms the survey and the auto-close; reopening cancels them. Every staged write on an existing timer is
conditional on the generation that was read, so a race with the worker fails the transaction and the
workflow's usual retry reads again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pynamodb.transactions import TransactWrite

from pennydesk.helpdesk import sla, surveys
from pennydesk.helpdesk.ticket_records import Ticket, TicketTimer, ticket_pk
from pennydesk.scheduling.records import TIMER_PREFIX, timer_pk

FINISHED = ("resolved", "closed")
WAITING = "waiting_on_customer"


@dataclass(frozen=True)
class Change:
    old_status: str
    new_status: str
    now: datetime
    first_response: bool = False
    priority: str | None = None  # the new priority, only when it differs from the old one
    agent_id: str | None = None  # who resolved, for the survey


def load(ticket_id: str) -> dict[str, TicketTimer]:
    """The ticket's timers by sort key (at most a handful)."""
    return {
        t.sk: t
        for t in TicketTimer.query(
            timer_pk(ticket_pk(ticket_id)), TicketTimer.sk.startswith(TIMER_PREFIX), consistent_read=True
        )
    }


def stage(tx: TransactWrite, ticket: Ticket, existing: dict[str, TicketTimer], change: Change) -> None:
    """Add the timer writes `change` calls for to `tx` (never two writes to one timer)."""
    slas = {t.kind: t for t in existing.values() if t.kind in sla.KINDS}
    touched: set[str] = set()
    if change.first_response and sla.FIRST in slas:
        sla.stage_complete(tx, slas[sla.FIRST])
        touched.add(sla.FIRST)
    if change.new_status == "resolved" and change.old_status != "resolved":
        for kind, timer in slas.items():
            if kind not in touched:
                sla.stage_complete(tx, timer)
        resolution = int(ticket.version) + 1  # the version this resolve creates names the resolution
        surveys.stage_resolution(tx, ticket, resolution, change.agent_id, existing, change.now)
        return
    if change.old_status in FINISHED and change.new_status not in FINISHED:
        surveys.stage_reopen(tx, existing)
        return
    for kind, timer in slas.items():
        if kind in touched:
            continue
        if change.new_status == WAITING and change.old_status != WAITING:
            sla.stage_pause(tx, timer, change.now)
        elif change.old_status == WAITING and change.new_status != WAITING:
            sla.stage_resume(tx, timer, change.now)
        elif change.priority:
            sla.stage_retarget(tx, timer, change.priority, change.now)


def needs_timers(old_status: str, new_status: str, *, first_response: bool, priority_change: bool) -> bool:
    """Whether a change can touch timers at all (so most changes skip the extra read)."""
    return (
        first_response
        or priority_change
        or (new_status != old_status and (WAITING in (old_status, new_status) or "resolved" in (old_status, new_status)
                                          or old_status in FINISHED))
    )
