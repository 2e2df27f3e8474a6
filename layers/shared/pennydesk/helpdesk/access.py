"""Who may touch which ticket: every route asks here, with the Bearer token it was given.

Tokens are tried only for the purposes a route accepts; a token for anything else (another purpose,
another ticket, a tampered or expired one) is refused with the same few words, so nothing leaks.
"""

from __future__ import annotations

from pennydesk.helpdesk import staff
from pennydesk.helpdesk.agent_records import Agent
from pennydesk.helpdesk.workflow import get_ticket
from pennydesk.identity import tokens
from pennydesk.platform.errors import Forbidden, Unauthorized


def customer_ticket(token: str | None, ticket_id: str) -> None:
    """A customer's link opens exactly one ticket."""
    grant = tokens.verify("customer", token)
    if grant.subject != ticket_id:
        raise Forbidden("This link is for another ticket.")


def customer_uploader(token: str | None, ticket_id: str) -> None:
    """Who may add a customer's file: the ticket's customer link, or the upload token the ticket form got
    with its 201 (files for that ticket only, for half an hour; it opens nothing else)."""
    try:
        grant = tokens.verify("upload", token)
    except tokens.LinkExpired:
        raise
    except Unauthorized:
        customer_ticket(token, ticket_id)
        return
    if grant.subject != ticket_id:
        raise Forbidden("This link is for another ticket.")
    get_ticket(ticket_id)  # a 404 for the ticket a spam trap pretended to open


def agent_for_ticket(token: str | None, ticket_id: str) -> Agent:
    """The agent acting on a ticket: from the ticket's emailed link, or a signed-in agent's session.
    Either way the ticket must be theirs now; a link for a ticket that moved on stops working."""
    try:
        grant = tokens.verify("agent", token)
    except tokens.LinkExpired:
        raise
    except Unauthorized:
        agent = staff.require_agent_session(token)
    else:
        if grant.claims.get("ticket") != ticket_id:
            raise Forbidden("This link is for another ticket.")
        from pennydesk.helpdesk import roster

        found = roster.get(grant.subject)
        if found is None or not found.active:
            raise Forbidden("This link is no longer valid for you.")
        agent = found
    ticket = get_ticket(ticket_id)
    if ticket.agent_id != agent.agent_id:
        raise Forbidden("This ticket is not assigned to you.")
    return agent


def desk_reader_for_ticket(token: str | None, ticket_id: str) -> Agent | None:
    """Who may read a ticket: its agent (link or session), any active agent's session (the desk is shared) or
    an admin's session (None: an admin who is not an agent). Acting on it stays with its agent."""
    try:
        return agent_for_ticket(token, ticket_id)
    except Forbidden as refused:
        try:
            current = staff.session(token)
        except Unauthorized:
            raise refused from None
        if current.agent is None and not current.is_admin:
            raise
        get_ticket(ticket_id)  # a 404 for a ticket that isn't there
        return current.agent


def agent_acting_on(token: str | None, ticket_id: str, *, taking: bool) -> Agent:
    """The agent acting on a ticket: its own agent, or (`taking`) an active agent's session taking a ticket
    nobody has; the decision checks again, on the ticket as read, that it is still unassigned."""
    try:
        return agent_for_ticket(token, ticket_id)
    except Forbidden:
        if not taking:
            raise
        try:
            agent = staff.require_agent_session(token)
        except Unauthorized:
            raise Forbidden("This ticket is not assigned to you.") from None
        if get_ticket(ticket_id).agent_id is not None:
            raise
        return agent
