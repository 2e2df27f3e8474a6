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

from pennydesk import agents, helpdesk_report, links, timers, workflow
from pennydesk.clock import iso, utcnow
from pennydesk.email.render import render
from pennydesk.email.send import send
from pennydesk.errors import NotFound
from pennydesk.models.base import retrying, transaction
from pennydesk.models.ticket import Ticket, ticket_pk
from pennydesk.models.timer import TicketTimer, timer_pk, timer_sk
from pennydesk.settings import get_settings

logger = Logger(child=True)

FIRST = "sla_first"
RESOLUTION = "sla_resolution"
KINDS = (FIRST, RESOLUTION)
LABELS = {FIRST: "first response", RESOLUTION: "resolution"}


def target_seconds(kind: str, priority: str) -> int:
    targets = get_settings().sla_targets
    target = targets.get(priority) or targets["normal"]
    return target.first_response_seconds if kind == FIRST else target.resolution_seconds


def due_moment(timer: TicketTimer) -> datetime:
    started = timers.parse_iso(str(timer.started_at))
    return started + timedelta(seconds=int(timer.target_seconds or 0) + int(timer.paused_seconds or 0))


def new_timers(ticket: Ticket) -> list[TicketTimer]:
    """Both targets for a ticket being created (saved in the same transaction as the ticket)."""
    made = []
    for kind in KINDS:
        timer = TicketTimer(
            pk=timer_pk(ticket_pk(ticket.ticket_id)),
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


def stage_complete(tx: TransactWrite, timer: TicketTimer) -> None:
    """The target was met (or no longer applies): the timer goes. A breached one stays as the record."""
    if is_live(timer):
        tx.delete(timer, condition=TicketTimer.generation == int(timer.generation))


def stage_pause(tx: TransactWrite, timer: TicketTimer, now: datetime) -> None:
    if not is_live(timer) or timer.paused_at:
        return
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
    if not is_live(timer) or not timer.paused_at:
        return
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
    if not is_live(timer):
        return
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


# ---------------------------------------------------------------------------------------------- worker
def on_due(timer: TicketTimer, now: datetime) -> str:
    """A target passed: tell the agent and the admins (once), and hand back an unacknowledged urgent ticket."""
    if not timers.is_armed(timer) or not is_live(timer) or timer.paused_at:
        return "not armed"
    if not timers.is_due(timer, now):
        return "not yet"
    try:
        ticket = workflow.get_ticket(str(timer.subject))
    except NotFound:
        timers.finish(timer)
        return "no ticket"
    if ticket.status in ("resolved", "closed"):
        timers.finish(timer)  # resolving completes the targets; a stray timer has nothing to report
        return "finished"
    agent = agents.get(ticket.agent_id) if ticket.agent_id else None
    hand_back = (
        timer.kind == FIRST and ticket.priority == "urgent" and ticket.status == "assigned" and agent is not None
    )
    generation = int(timer.generation)
    context = {
        "ticket": ticket,
        "target": LABELS[timer.kind],
        "target_text": _duration(int(timer.target_seconds or 0)),
        "due_at": timer.fire_at,
        "handed_back": hand_back,
    }
    key = f"sla/{ticket.ticket_id}/{timer.kind}/{generation}"
    if agent is not None:
        send(
            f"{key}/agent",
            [agent.email],
            render(
                "sla_breach", **context, audience="agent", agent=agent,
                action_url=links.agent_ticket_url(ticket.ticket_id, agent.agent_id),
            ),
        )
    admins = list(get_settings().admin_emails)
    if admins:
        send(f"{key}/admins", admins, render("sla_breach", **context, audience="admins", agent=agent, action_url=None))
    _record_breach(ticket.ticket_id, timer.sk, generation, agent.agent_id if hand_back and agent else None)
    logger.info("sla breached", extra={"ticket": ticket.ticket_id, "kind": timer.kind, "handed_back": hand_back})
    return "breached"


def _record_breach(ticket_id: str, sk: str, generation: int, hand_back_from: str | None) -> None:
    """One transaction: the timer leaves the index as a breach record, and (if it still applies) the
    unacknowledged ticket goes back to the queue. A retried message finds the breach recorded and stops."""

    def attempt() -> None:
        timer = timers.load("tickets", timer_pk(ticket_pk(ticket_id)), sk)
        if timer is None or int(timer.generation) != generation or timer.breached_at:
            return
        ticket = workflow.get_ticket(ticket_id)
        now = iso(utcnow())
        with transaction() as tx:
            tx.update(
                timer,
                actions=[
                    TicketTimer.breached_at.set(timer.fire_at or now),
                    TicketTimer.updated_at.set(now),
                    *timers.disarm_actions(TicketTimer, timer),
                ],
                condition=TicketTimer.generation == generation,
            )
            helpdesk_report.stage_breach(tx, ticket, str(timer.kind), str(timer.fire_at or now))
            if hand_back_from and ticket.status == "assigned" and ticket.agent_id == hand_back_from:
                workflow.stage_return_to_queue(
                    tx, ticket, workflow.SYSTEM, now, detail="back to the queue: nobody acknowledged it in time"
                )

    retrying(attempt)


def _duration(seconds: int) -> str:
    if seconds % 86400 == 0:
        days = seconds // 86400
        return f"{days} day{'s' if days != 1 else ''}"
    if seconds % 3600 == 0:
        hours = seconds // 3600
        return f"{hours} hour{'s' if hours != 1 else ''}"
    minutes = max(1, seconds // 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"
