"""How tickets, their entries and agents look on the wire, for customers and for agents: each model beside the
one function that maps the domain's record onto it."""

from __future__ import annotations

from collections.abc import Iterable

from pennydesk.helpdesk.agent_records import Agent
from pennydesk.helpdesk.ticket_records import Ticket, TicketEntry
from pydantic import BaseModel


class PublicTicket(BaseModel):
    """What a customer sees of their ticket (never notes, history or agent details)."""

    id: str
    number: int
    status: str
    subject: str
    description: str
    category: str
    priority: str
    name: str
    email: str
    created_at: str
    updated_at: str


def public_ticket(ticket: Ticket) -> PublicTicket:
    return PublicTicket(
        id=ticket.ticket_id,
        number=int(ticket.number),
        status=ticket.status,
        subject=ticket.subject,
        description=ticket.description,
        category=ticket.category,
        priority=ticket.priority,
        name=ticket.customer_name,
        email=ticket.customer_email,
        created_at=ticket.created_at,
        updated_at=ticket.updated_at,
    )


class EntryView(BaseModel):
    id: str
    kind: str  # message | note | event
    author: str
    author_type: str
    body: str
    action: str | None = None
    from_status: str | None = None
    to_status: str | None = None
    detail: str | None = None
    created_at: str


def entry_view(entry: TicketEntry) -> EntryView:
    return EntryView(
        id=entry.entry_id,
        kind=entry.kind,
        author=entry.actor_name or entry.actor_type,
        author_type=entry.actor_type,
        body=entry.body or "",
        action=entry.action,
        from_status=entry.from_status,
        to_status=entry.to_status,
        detail=entry.detail,
        created_at=entry.created_at,
    )


def customer_entries(entries: Iterable[TicketEntry]) -> list[EntryView]:
    """Public messages only: internal notes and the agents' history never reach the customer."""
    return [entry_view(e) for e in entries if e.kind == "message"]


class AgentSummary(BaseModel):
    id: str
    name: str
    email: str
    categories: list[str]
    active: bool
    capacity: int
    open_count: int


def agent_summary(agent: Agent) -> AgentSummary:
    return AgentSummary(
        id=agent.agent_id,
        name=agent.name,
        email=agent.email,
        categories=sorted(agent.categories),
        active=bool(agent.active),
        capacity=int(agent.capacity),
        open_count=int(agent.open_count),
    )


class AgentTicketView(BaseModel):
    id: str
    number: int
    status: str
    subject: str
    description: str
    category: str
    priority: str
    customer_name: str
    customer_email: str
    agent_id: str | None
    created_at: str
    updated_at: str
    first_response_at: str | None
    resolved_at: str | None
    assigned_at: str | None = None


def agent_ticket_view(ticket: Ticket) -> AgentTicketView:
    return AgentTicketView(
        id=ticket.ticket_id,
        number=int(ticket.number),
        status=ticket.status,
        subject=ticket.subject,
        description=ticket.description,
        category=ticket.category,
        priority=ticket.priority,
        customer_name=ticket.customer_name,
        customer_email=ticket.customer_email,
        agent_id=ticket.agent_id,
        created_at=ticket.created_at,
        updated_at=ticket.updated_at,
        first_response_at=ticket.first_response_at,
        resolved_at=ticket.resolved_at,
        assigned_at=ticket.assigned_at,
    )
