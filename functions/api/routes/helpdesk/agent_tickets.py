"""/api/agent/...: the agent's side, a ticket opened from the emailed link (or a session), its actions, and the
queue."""

from __future__ import annotations

from typing import Annotated, Literal

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path
from pennydesk.helpdesk import access, desk_views, feedback, mail_status, roster, staff, workflow
from pydantic import BaseModel, ConfigDict, Field

from routes.auth_header import SECURITY, token_of
from routes.helpdesk.attachments import AttachmentView, attachment_views
from routes.helpdesk.views import AgentSummary, AgentTicketView, EntryView, agent_summary, agent_ticket_view, entry_view

router = Router()
TicketId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$", description="The ticket's id")]


class Rating(BaseModel):
    resolution: int
    rating: int  # 1-5
    comment: str
    rated_at: str


class SlaBreach(BaseModel):
    target: str  # "first response" | "resolution"
    at: str


class OriginalMail(BaseModel):
    """A message that came by email, as it arrived (an .eml download, never shown inline)."""

    received_at: str
    role: str  # customer | agent
    sender: str
    entry_id: str | None = None  # the message or note it added, when known
    url: str  # five minutes


class MailStatus(BaseModel):
    """The customer's address bounced or complained (SES told us): replies may not reach them."""

    kind: Literal["bounced", "complained"]
    permanent: bool  # a hard bounce or a complaint; a soft bounce may clear
    reason: str  # "mailbox does not exist", "marked our email as spam", ...
    at: str


class AgentTicket(BaseModel):
    ticket: AgentTicketView
    entries: list[EntryView]  # messages, internal notes and history, oldest first
    me: AgentSummary | None  # None: an admin who is not an agent, reading
    agents: list[AgentSummary]  # whom the ticket can be handed to
    ratings: list[Rating] = []  # the customer's rating of each resolution, with their comment
    sla_breaches: list[SlaBreach] = []  # the service-level targets it missed, and when
    attachments: list[AttachmentView] = []  # every file, notes' too, each with a five-minute download link
    originals: list[OriginalMail] = []  # the emails that added to it, each downloadable as it arrived
    mail_status: MailStatus | None = None  # the customer's address: None while SES reports no problem


class Action(BaseModel):
    model_config = ConfigDict(extra="forbid")
    action: Literal["acknowledge", "reply", "note", "resolve", "reopen", "reassign", "set_priority"]
    body: str | None = Field(default=None, max_length=20_000)
    to: str | None = Field(default=None, max_length=64, description='An agent id, or "queue"')
    priority: Literal["low", "normal", "high", "urgent"] | None = None


class Queue(BaseModel):
    me: AgentSummary
    tickets: list[AgentTicketView]


def _ticket_for(agent_id: str | None, ticket_id: str) -> AgentTicket:
    from pennydesk.helpdesk import inbound_mail  # on first use: it loads the mail reader (nh3, mail-parser-reply)

    me = roster.require(agent_id) if agent_id else None
    ticket = workflow.get_ticket(ticket_id)
    address = mail_status.status_of(ticket.customer_email)
    colleagues = [agent_summary(a) for a in roster.list_agents() if a.active and a.agent_id != agent_id]
    return AgentTicket(
        ticket=agent_ticket_view(ticket),
        entries=[entry_view(e) for e in workflow.entries(ticket_id)],
        me=agent_summary(me) if me else None,
        agents=colleagues,
        ratings=[
            Rating(resolution=int(f.resolution), rating=int(f.rating), comment=f.comment or "", rated_at=f.rated_at)
            for f in feedback.for_ticket(ticket_id)
        ],
        sla_breaches=[SlaBreach(target=target, at=at) for target, at in desk_views.sla_breaches(ticket_id)],
        attachments=attachment_views(ticket_id, include_internal=True),
        originals=[
            OriginalMail(received_at=r.received_at, role=r.role, sender=r.sender, entry_id=r.entry_id,
                         url=inbound_mail.original_url(r))
            for r in inbound_mail.originals(ticket_id)
        ],
        mail_status=MailStatus(kind=address.kind, permanent=address.permanent, reason=address.reason, at=address.at)
        if address else None,
    )


@router.get(
    "/agent/tickets/<ticket_id>",
    summary="A ticket with notes and history",
    description="Its agent (emailed link or session), any active agent's session, or an admin's session.",
    tags=["Agents"],
    security=SECURITY,
)
def get_agent_ticket(ticket_id: TicketId) -> AgentTicket:
    reader = access.desk_reader_for_ticket(token_of(router), ticket_id)
    return _ticket_for(reader.agent_id if reader else None, ticket_id)


@router.post(
    "/agent/tickets/<ticket_id>/actions",
    summary="Act on a ticket",
    description="`acknowledge`, `reply` (emails the customer), `note` (internal), `resolve` (emails the "
    'customer; an optional body is the closing message), `reopen`, `reassign` (`to`: an agent id or "queue"; '
    "an agent takes an unassigned ticket by reassigning it to themselves), "
    "`set_priority` (`priority`). An action that does not fit the ticket's status is a 409 saying why.",
    tags=["Agents"],
    security=SECURITY,
)
def post_action(ticket_id: TicketId, action: Action) -> AgentTicket:
    token = token_of(router)
    taking = action.action == "reassign" and bool(action.to) and action.to != "queue"
    agent = access.agent_acting_on(token, ticket_id, taking=taking)
    workflow.agent_action(
        ticket_id, agent.agent_id, action.action, body=action.body, to=action.to, priority=action.priority
    )
    return _ticket_for(agent.agent_id, ticket_id)


class Reassignment(BaseModel):
    model_config = ConfigDict(extra="forbid")
    to: str = Field(max_length=64, description='An agent id, or "queue"')
    reason: str = Field(max_length=500, description="Why: the history and both agents' emails say it")


@router.post(
    "/agent/tickets/<ticket_id>/reassign",
    summary="An admin reassigns a ticket, saying why",
    tags=["Agents"],
    security=SECURITY,
)
def post_reassign(ticket_id: TicketId, reassignment: Reassignment) -> AgentTicket:
    admin = staff.require_admin_session(token_of(router))
    workflow.admin_reassign(ticket_id, admin.email, reassignment.to, reassignment.reason)
    return _ticket_for(admin.agent.agent_id if admin.agent else None, ticket_id)


@router.get("/agent/queue", summary="My open tickets, most urgent then oldest", tags=["Agents"], security=SECURITY)
def get_queue() -> Queue:
    agent = staff.require_agent_session(token_of(router))
    return Queue(me=agent_summary(agent), tickets=[agent_ticket_view(t) for t in workflow.queue(agent.agent_id)])
