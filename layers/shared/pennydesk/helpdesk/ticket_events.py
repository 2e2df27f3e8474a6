"""What happens when a ticket changes, as seen on the tickets table's stream, and the worker's half of a file
notice (files attached on the page without a message; see file_notices).

Each reaction is safe to run twice: assignment is conditional, and every email carries a dedupe key
that names the logical message (a ticket version, an entry id or a notice), so a redelivered record changes
nothing and sends nothing again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from aws_lambda_powertools import Logger

from pennydesk.helpdesk import assignment, file_notices, handover, mail_thread, roster, ticket_attachments, workflow
from pennydesk.helpdesk.ticket_records import Feedback, Ticket, TicketEntry, TicketTimer
from pennydesk.helpdesk.vocabulary import RESOLVE_DETAIL, ActorType, EntryKind, Status, is_finished
from pennydesk.identity import links
from pennydesk.platform.email.render import render
from pennydesk.platform.email.send import send
from pennydesk.platform.errors import NotFound
from pennydesk.platform.settings import get_settings
from pennydesk.scheduling import timers

logger = Logger(child=True)


# (subject, description) -> links to help articles with `title` and `url`: the help center's, passed in by
# the stream function (the help desk does not import the help center).
ArticleFinder = Callable[[str, str], Sequence[Any]]


def on_ticket_created(ticket: Ticket, articles_for: ArticleFinder | None = None) -> None:
    """Assign it, and confirm it to the customer with the help articles that may answer it already."""
    result = assignment.assign(ticket)
    articles = articles_for(ticket.subject, ticket.description) if articles_for else []
    send(
        f"ticket/{ticket.ticket_id}/confirmation",
        [ticket.customer_email],
        render("ticket_confirmation", ticket=ticket, status_url=links.customer_ticket_url(ticket.ticket_id),
               articles=articles),
        mail_thread.for_customer(ticket),
    )
    if isinstance(result, assignment.NoAgent):
        notify_admins_unassigned(ticket, result.reason)


def on_ticket_changed(old: Ticket, new: Ticket) -> None:
    if new.status == Status.NEW and old.status != Status.NEW:
        result = assignment.assign(new, avoid=old.agent_id)
        if isinstance(result, assignment.NoAgent):
            notify_admins_unassigned(new, result.reason)
    if new.agent_id and new.assignment_seq != old.assignment_seq:
        given = handover.of(new, workflow.entries(new.ticket_id)) if new.changed_by != ActorType.SYSTEM else None
        notify_agent_assigned(new, given)
        if old.agent_id and old.agent_id != new.agent_id and given and given.by_kind == ActorType.ADMIN:
            notify_agent_reassigned_away(old.agent_id, new, given)
    if new.status == Status.RESOLVED and old.status != Status.RESOLVED:
        notify_customer_resolved(new)
    if is_finished(old.status) and new.status == Status.IN_PROGRESS and new.changed_by == ActorType.AGENT:
        notify_customer_reopened(new)


def on_entry_created(entry: TicketEntry) -> None:
    """A public message: the other side hears about it. Notes and history stay inside the desk."""
    if entry.kind != EntryKind.MESSAGE or entry.detail == RESOLVE_DETAIL:
        return
    ticket = workflow.get_ticket(entry.ticket_id)
    if entry.actor_type == ActorType.AGENT:
        send(
            f"entry/{entry.entry_id}",
            [ticket.customer_email],
            render(
                "agent_replied", ticket=ticket, entry=entry, status_url=links.customer_ticket_url(ticket.ticket_id),
                attachments=_files_with(ticket, entry, "agent"),
            ),
            mail_thread.for_customer(ticket),
        )
    elif entry.actor_type == ActorType.CUSTOMER and ticket.agent_id:
        agent = roster.get(ticket.agent_id)
        if agent is None:
            return
        send(
            f"entry/{entry.entry_id}",
            [agent.email],
            render(
                "customer_replied", ticket=ticket, entry=entry, agent=agent,
                action_url=links.agent_ticket_url(ticket.ticket_id, agent.agent_id),
                attachments=_files_with(ticket, entry, "customer"),
            ),
            mail_thread.for_agent(ticket),
        )


def _files_with(ticket: Ticket, entry: TicketEntry, role: str) -> list[dict[str, str]]:
    """Names and sizes of the files this message brings (mailed with it, or attached on the page and not yet
    announced); the email links to the ticket page, it attaches nothing."""
    return ticket_attachments.for_email(ticket_attachments.claim_for(ticket.ticket_id, role, entry.entry_id))


def announce_files(timer: TicketTimer, now: datetime) -> str:
    """A side's file notice is due: the files it attached on the page that nothing announced since reach the
    other side in one email; then the timer goes, unless another file moved it meanwhile."""
    if not timers.is_due(timer, now):
        return "not yet"
    try:
        ticket = workflow.get_ticket(str(timer.subject))
    except NotFound:
        timers.finish(timer)
        return "no ticket"
    role = file_notices.role_of(timer)
    agent = roster.get(ticket.agent_id) if ticket.agent_id else None
    if role == "customer" and agent is None:
        timers.finish(timer)  # nobody has the ticket: the email that gives it to an agent names the files
        return "no agent"
    files = ticket_attachments.announce(ticket.ticket_id, role, f"notice#{timer.notice}")
    if files:
        key = f"files/{ticket.ticket_id}/{timer.notice}/{int(timer.generation)}"
        names = ticket_attachments.for_email(files)
        if role == "customer" and agent is not None:
            url = links.agent_ticket_url(ticket.ticket_id, agent.agent_id)
            message = render("files_added", ticket=ticket, who=ticket.customer_name, attachments=names, url=url,
                             agent=agent)
            send(key, [agent.email], message, mail_thread.for_agent(ticket))
        else:
            message = render("files_added", ticket=ticket, who=agent.name if agent else "Your support team",
                             attachments=names, url=links.customer_ticket_url(ticket.ticket_id), agent=None)
            send(key, [ticket.customer_email], message, mail_thread.for_customer(ticket))
    timers.finish(timer)
    return "sent" if files else "nothing new"


def notify_agent_assigned(ticket: Ticket, given: handover.Handover | None = None) -> None:
    agent = roster.get(ticket.agent_id or "")
    if agent is None:
        logger.warning("assigned agent not found", extra={"ticket": ticket.ticket_id})
        return
    # This email lists every file, so the customer's file notice has nothing left to tell this agent.
    ticket_attachments.announce(ticket.ticket_id, "customer", f"assigned#{int(ticket.assignment_seq)}")
    send(
        f"ticket/{ticket.ticket_id}/assigned/{int(ticket.assignment_seq)}",
        [agent.email],
        render(
            "ticket_assigned",
            ticket=ticket,
            agent=agent,
            action_url=links.agent_ticket_url(ticket.ticket_id, agent.agent_id),
            handover=given,
            attachments=ticket_attachments.for_email(
                ticket_attachments.listed(ticket.ticket_id, include_internal=True)
            ),
        ),
        mail_thread.for_agent(ticket),
    )


def notify_agent_reassigned_away(agent_id: str, ticket: Ticket, given: handover.Handover) -> None:
    """The agent an admin took the ticket from hears who has it now, from whom, and why."""
    agent, receiver = roster.get(agent_id), roster.get(ticket.agent_id or "")
    if agent is None:
        return
    send(
        f"ticket/{ticket.ticket_id}/reassigned-away/{int(ticket.assignment_seq)}",
        [agent.email],
        render("ticket_reassigned_away", ticket=ticket, agent=agent, handover=given,
               to_name=receiver.name if receiver else "another agent"),
    )


def on_rating(feedback: Feedback) -> None:
    """A rating with a comment reaches the agent who resolved the ticket (each version of it once)."""
    if not feedback.comment or not feedback.agent_id:
        return
    agent = roster.get(feedback.agent_id)
    if agent is None:
        return
    ticket = workflow.get_ticket(feedback.ticket_id)
    send(
        f"ticket/{ticket.ticket_id}/rated/{int(feedback.resolution)}/{int(feedback.times)}",
        [agent.email],
        render("ticket_rated", ticket=ticket, agent=agent, feedback=feedback,
               action_url=links.agent_ticket_url(ticket.ticket_id, agent.agent_id)),
        mail_thread.for_agent(ticket),
    )


def notify_customer_resolved(ticket: Ticket) -> None:
    closing = [
        e for e in workflow.entries(ticket.ticket_id) if e.kind == EntryKind.MESSAGE and e.detail == RESOLVE_DETAIL
    ]
    send(
        f"ticket/{ticket.ticket_id}/resolved/{int(ticket.version)}",
        [ticket.customer_email],
        render(
            "ticket_resolved",
            ticket=ticket,
            closing=closing[-1] if closing else None,
            status_url=links.customer_ticket_url(ticket.ticket_id),
        ),
        mail_thread.for_customer(ticket),
    )


def notify_customer_reopened(ticket: Ticket) -> None:
    send(
        f"ticket/{ticket.ticket_id}/reopened/{int(ticket.version)}",
        [ticket.customer_email],
        render("ticket_reopened", ticket=ticket, status_url=links.customer_ticket_url(ticket.ticket_id)),
        mail_thread.for_customer(ticket),
    )


def notify_admins_unassigned(ticket: Ticket, reason: str) -> None:
    admins = list(get_settings().admin_emails)
    if not admins:
        logger.warning("no admins configured to tell about an unassigned ticket")
        return
    send(
        f"ticket/{ticket.ticket_id}/unassigned/{int(ticket.assignment_seq)}",
        admins,
        render("ticket_unassigned", ticket=ticket, reason=reason),
        mail_thread.for_admins(ticket),
    )
