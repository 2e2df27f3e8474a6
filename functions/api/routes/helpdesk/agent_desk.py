"""/api/agent/tickets: the desk's views and search, for agents and admins (the whole desk, a page at a time)."""

from __future__ import annotations

from typing import Annotated, Literal

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query
from pennydesk.helpdesk import desk_views, roster, staff
from pennydesk.platform.errors import Forbidden
from pydantic import BaseModel

from routes.auth_header import SECURITY, token_of

router = Router()


class Customer(BaseModel):
    name: str
    email: str


class AgentRef(BaseModel):
    id: str
    name: str


class Sla(BaseModel):
    state: Literal["breached", "due_soon", "on_track", "paused", "met"]
    target: str | None  # "first response" | "resolution"
    due_at: str | None


class DeskTicket(BaseModel):
    id: str
    number: int
    subject: str
    status: str
    priority: str
    category: str
    customer: Customer
    agent: AgentRef | None
    updated_at: str
    sla: Sla


class DeskPage(BaseModel):
    tickets: list[DeskTicket]
    next_cursor: str | None


class DeskAgent(BaseModel):
    id: str
    name: str
    active: bool


class DeskAgents(BaseModel):
    agents: list[DeskAgent]  # by name; the desk's `agent=` filter takes an id


def desk_ticket(row: desk_views.Row, names: dict[str, str]) -> DeskTicket:
    ticket = row.ticket
    agent = AgentRef(id=ticket.agent_id, name=names.get(ticket.agent_id, "")) if ticket.agent_id else None
    return DeskTicket(
        id=ticket.ticket_id,
        number=int(ticket.number),
        subject=ticket.subject,
        status=ticket.status,
        priority=ticket.priority,
        category=ticket.category,
        customer=Customer(name=ticket.customer_name, email=ticket.customer_email),
        agent=agent,
        updated_at=ticket.updated_at,
        sla=Sla(state=row.sla.state, target=row.sla.target, due_at=row.sla.due_at),  # type: ignore[arg-type]
    )


def desk_caller(token: str | None) -> desk_views.Caller:
    """A signed-in active agent or an admin; anyone else is refused with a 403 saying who the desk is for."""
    current = staff.session(token)
    if current.agent is None and not current.is_admin:
        raise Forbidden("The desk is for agents and admins.")
    return desk_views.Caller(current.email, current.agent.agent_id if current.agent else None)


@router.get(
    "/agent/tickets",
    summary="The desk's tickets: a view, a search, a page at a time",
    description="`view`: mine, unassigned, open (not yet resolved), waiting (on the customer), resolved "
    "(resolved or closed), all. `q` finds by number (`1001` or `#1001`), the customer's email, or words of the "
    "subject (whole words, any case). Filters narrow the page read, so a page may be short and still carry "
    "`next_cursor`; a cursor only works for the same view, search, filters and person.",
    tags=["Agents"],
    security=SECURITY,
)
def list_desk(
    view: Annotated[Literal["mine", "unassigned", "open", "waiting", "resolved", "all"], Query()] = "open",
    q: Annotated[str, Query(max_length=5_000)] = "",
    category: Annotated[str | None, Query(max_length=40)] = None,
    priority: Annotated[Literal["low", "normal", "high", "urgent"] | None, Query()] = None,
    agent: Annotated[str | None, Query(max_length=64)] = None,
    sla: Annotated[Literal["breached", "due_soon", "on_track", "paused", "met"] | None, Query()] = None,
    cursor: Annotated[str | None, Query(max_length=4_000)] = None,
) -> DeskPage:
    caller = desk_caller(token_of(router))
    filters = desk_views.Filters(category=category, priority=priority, agent=agent, sla=sla)
    found = desk_views.page(view, caller, q=q, filters=filters, cursor=cursor)
    names = {a.agent_id: a.name for a in roster.list_agents()} if found.rows else {}
    return DeskPage(tickets=[desk_ticket(r, names) for r in found.rows], next_cursor=found.next_cursor)



@router.get(
    "/agent/agents",
    summary="The desk's agents, for the agent filter",
    description="Every agent by name (active or not: their resolved tickets are still on the desk), for "
    "`GET /api/agent/tickets?agent=<id>`. One Query on the roster.",
    tags=["Agents"],
    security=SECURITY,
)
def list_desk_agents() -> DeskAgents:
    desk_caller(token_of(router))
    return DeskAgents(
        agents=[DeskAgent(id=a.agent_id, name=a.name, active=bool(a.active)) for a in roster.list_agents()]
    )
