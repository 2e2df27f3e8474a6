"""Service levels: a first-response and a resolution target per priority, measured from the ticket's
creation, not counting the time it waits on the customer.

Each target is a timer on the ticket (``TIMER#sla_first``, ``TIMER#sla_resolution``) that fires at
``created_at + target + paused_seconds``. Workflow changes move them in their own transaction: entering
``waiting_on_customer`` pauses them (they leave the due index and remember when), leaving it resumes them
(the paused time is added and they fire later), a new priority re-targets them, the first agent reply
completes the first-response timer and resolving completes both. Each move is a new generation.

When a timer fires, the breach is emailed to the ticket's agent and to the admins, once per breach (the
dedupe key names the ticket, the target and the generation), and an urgent ticket nobody acknowledged
(still ``assigned``) goes back to the queue, where assignment prefers someone else. The timer then stays
out of the index with ``breached_at``: the record of a missed target.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from aws_lambda_powertools import Logger
from pynamodb.transactions import TransactWrite

from pennydesk.helpdesk.ticket_records import Ticket, TicketTimer, ticket_timers_pk
from pennydesk.helpdesk.vocabulary import SLA_KINDS, Priority, TimerKind
from pennydesk.platform.clock import iso
from pennydesk.platform.settings import get_settings
from pennydesk.scheduling import registry, timers
from pennydesk.scheduling.records import timer_sk

logger = Logger(child=True)

FIRST = TimerKind.SLA_FIRST
RESOLUTION = TimerKind.SLA_RESOLUTION
KINDS = SLA_KINDS
LABELS = {FIRST: "first response", RESOLUTION: "resolution"}
for _kind in KINDS:
    registry.register(
        registry.Kind(_kind, "tickets", TicketTimer, ticket_timers_pk(""), "pennydesk.helpdesk.escalation:on_due")
    )


def target_seconds(kind: str, priority: str) -> int:
    targets = get_settings().sla_targets
    target = targets.get(priority) or targets[Priority.NORMAL]
    return target.first_response_seconds if kind == FIRST else target.resolution_seconds


def due_moment(timer: TicketTimer) -> datetime:
    started = timers.parse_iso(str(timer.started_at))
    return started + timedelta(seconds=int(timer.target_seconds or 0) + int(timer.paused_seconds or 0))


def new_timers(ticket: Ticket) -> list[TicketTimer]:
    """Both targets for a ticket being created (saved in the same transaction as the ticket)."""
    made = []
    for kind in KINDS:
        timer = TicketTimer(
            pk=ticket_timers_pk(ticket.ticket_id),
            sk=timer_sk(kind),
            kind=kind,
            subject=ticket.ticket_id,
            priority=ticket.priority,
            started_at=ticket.created_at,
            target_seconds=target_seconds(kind, ticket.priority),
            paused_seconds=0,
            generation=0,
            created_at=ticket.created_at,
            updated_at=ticket.created_at,
        )
        made.append(timers.arm(timer, due_moment(timer)))
    return made


def is_live(timer: TicketTimer) -> bool:
    return not timer.breached_at


# The stage_* functions write what `ticket_timers.plan` decided (it only moves live timers, and pauses only
# running ones and resumes only paused ones), each on condition of the generation that was read.
def stage_complete(tx: TransactWrite, timer: TicketTimer) -> None:
    """The target was met (or no longer applies): the timer goes."""
    tx.delete(timer, condition=TicketTimer.generation == int(timer.generation))


def stage_pause(tx: TransactWrite, timer: TicketTimer, now: datetime) -> None:
    tx.update(
        timer,
        actions=[
            TicketTimer.paused_at.set(iso(now)),
            TicketTimer.fire_at.remove(),
            TicketTimer.updated_at.set(iso(now)),
            *timers.disarm_actions(TicketTimer, timer),
        ],
        condition=TicketTimer.generation == int(timer.generation),
    )


def stage_resume(tx: TransactWrite, timer: TicketTimer, now: datetime) -> None:
    waited = max(0, int((now - timers.parse_iso(str(timer.paused_at))).total_seconds()))
    timer.paused_seconds = int(timer.paused_seconds or 0) + waited
    tx.update(
        timer,
        actions=[
            TicketTimer.paused_seconds.set(timer.paused_seconds),
            TicketTimer.paused_at.remove(),
            TicketTimer.updated_at.set(iso(now)),
            *timers.arm_actions(TicketTimer, timer, due_moment(timer)),
        ],
        condition=TicketTimer.generation == int(timer.generation),
    )


def stage_retarget(tx: TransactWrite, timer: TicketTimer, priority: str, now: datetime) -> None:
    """A new priority brings new targets, still measured from creation (a past one fires at the next run)."""
    timer.target_seconds = target_seconds(timer.kind, priority)
    actions: list[Any] = [
        TicketTimer.priority.set(priority),
        TicketTimer.target_seconds.set(timer.target_seconds),
        TicketTimer.updated_at.set(iso(now)),
    ]
    if timer.paused_at:
        actions.append(TicketTimer.generation.set(int(timer.generation) + 1))
    else:
        actions += timers.arm_actions(TicketTimer, timer, due_moment(timer))
    tx.update(timer, actions=actions, condition=TicketTimer.generation == int(timer.generation))
