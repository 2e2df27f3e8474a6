"""SLA escalation, the worker's half of a service level: a target passed, so tell the agent and the admins
(once per breach) and hand an unacknowledged urgent ticket back to the queue. The timers themselves are
armed and moved by ``sla`` inside each workflow change.
"""

from __future__ import annotations

from datetime import UTC, datetime

from aws_lambda_powertools import Logger

from pennydesk.helpdesk import figures, mail_thread, roster, workflow
from pennydesk.helpdesk.sla import FIRST, LABELS, is_live
from pennydesk.helpdesk.ticket_records import TicketTimer, ticket_timers_pk
from pennydesk.helpdesk.vocabulary import BACK_TO_QUEUE, Priority, Status, is_finished
from pennydesk.identity import links
from pennydesk.platform.clock import iso, utcnow
from pennydesk.platform.dynamo import retrying, transaction
from pennydesk.platform.email.render import render
from pennydesk.platform.email.send import send
from pennydesk.platform.errors import NotFound
from pennydesk.platform.settings import get_settings
from pennydesk.scheduling import timers

logger = Logger(child=True)

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
    if is_finished(ticket.status):
        timers.finish(timer)  # resolving completes the targets; a stray timer has nothing to report
        return "finished"
    agent = roster.get(ticket.agent_id) if ticket.agent_id else None
    hand_back = (
        timer.kind == FIRST
        and ticket.priority == Priority.URGENT
        and ticket.status == Status.ASSIGNED
        and agent is not None
    )
    generation = int(timer.generation)
    due = datetime.fromisoformat(str(timer.fire_at)) if timer.fire_at else now
    context = {
        "ticket": ticket,
        "target": LABELS[timer.kind],
        "target_text": _duration(int(timer.target_seconds or 0)),
        "due_text": moment_text(due),
        "overdue_text": overdue_text(int((now - due).total_seconds())),
        "handed_back": hand_back,
        # Staff who sign in open any ticket of the desk from its page: the admins, and an agent it was taken from.
        "desk_url": links.page("agent/ticket.html", id=ticket.ticket_id),
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
            mail_thread.for_agent(ticket),
        )
    admins = list(get_settings().admin_emails)
    if admins:
        send(
            f"{key}/admins",
            admins,
            render("sla_breach", **context, audience="admins", agent=agent, action_url=None),
            mail_thread.for_admins(ticket),
        )
    _record_breach(ticket.ticket_id, timer.sk, generation, agent.agent_id if hand_back and agent else None)
    logger.info("sla breached", extra={"ticket": ticket.ticket_id, "kind": timer.kind, "handed_back": hand_back})
    return "breached"


def _record_breach(ticket_id: str, sk: str, generation: int, hand_back_from: str | None) -> None:
    """One transaction: the timer leaves the index as a breach record, and (if it still applies) the
    unacknowledged ticket goes back to the queue. A retried message finds the breach recorded and stops."""

    def attempt() -> None:
        timer = timers.load("tickets", ticket_timers_pk(ticket_id), sk)
        if timer is None or int(timer.generation) != generation or timer.breached_at:
            return
        ticket = workflow.get_ticket(ticket_id)
        moment = utcnow()
        now = iso(moment)
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
            figures.stage_breach(tx, ticket, str(timer.kind), str(timer.fire_at or now))
            if hand_back_from and ticket.status == Status.ASSIGNED and ticket.agent_id == hand_back_from:
                workflow.stage_return_to_queue(
                    tx, ticket, workflow.SYSTEM, moment, detail=f"{BACK_TO_QUEUE}: nobody acknowledged it in time"
                )

    retrying(attempt)


def moment_text(moment: datetime) -> str:
    """A deadline as people read it, "Wed 2 Dec 2026, 14:05 UTC" (the ISO form stays in the data)."""
    at = moment.astimezone(UTC)
    return f"{at:%a} {at.day} {at:%b %Y}, {at:%H:%M} UTC"


def overdue_text(seconds: int) -> str:
    """How late, to the minute: "3 h 20 min", "2 days 4 h", "under a minute"."""
    minutes = max(0, seconds) // 60
    if minutes == 0:
        return "under a minute"
    days, minutes = divmod(minutes, 1440)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{days} day{'s' if days != 1 else ''}" + (f" {hours} h" if hours else "")
    return " ".join(part for part in (f"{hours} h" if hours else "", f"{minutes} min" if minutes else "") if part)


def _duration(seconds: int) -> str:
    if seconds % 86400 == 0:
        days = seconds // 86400
        return f"{days} day{'s' if days != 1 else ''}"
    if seconds % 3600 == 0:
        hours = seconds // 3600
        return f"{hours} hour{'s' if hours != 1 else ''}"
    minutes = max(1, seconds // 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"
