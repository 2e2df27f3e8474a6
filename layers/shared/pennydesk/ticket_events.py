"""What happens when a ticket changes, as seen on the tickets table's stream.

Each reaction is safe to run twice: assignment is conditional, and every email carries a dedupe key
that names the logical message, so a redelivered record changes nothing and sends nothing again.
"""

from __future__ import annotations

from aws_lambda_powertools import Logger

from pennydesk import agents, assignment, links
from pennydesk.email.render import render
from pennydesk.email.send import send
from pennydesk.models.ticket import Ticket
from pennydesk.settings import get_settings

logger = Logger(child=True)


def on_ticket_created(ticket: Ticket) -> None:
    result = assignment.assign(ticket)
    send(
        f"ticket/{ticket.ticket_id}/confirmation",
        [ticket.customer_email],
        render("ticket_confirmation", ticket=ticket, status_url=links.customer_ticket_url(ticket.ticket_id)),
    )
    if isinstance(result, assignment.NoAgent):
        notify_admins_unassigned(ticket, result.reason)


def on_ticket_changed(old: Ticket, new: Ticket) -> None:
    if new.agent_id and new.assignment_seq != old.assignment_seq:
        notify_agent_assigned(new)


def notify_agent_assigned(ticket: Ticket) -> None:
    agent = agents.get(ticket.agent_id or "")
    if agent is None:
        logger.warning("assigned agent not found", extra={"ticket": ticket.ticket_id})
        return
    send(
        f"ticket/{ticket.ticket_id}/assigned/{int(ticket.assignment_seq)}",
        [agent.email],
        render(
            "ticket_assigned",
            ticket=ticket,
            agent=agent,
            action_url=links.agent_ticket_url(ticket.ticket_id, agent.agent_id),
        ),
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
    )
