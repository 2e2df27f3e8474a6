"""/api/tickets/{id}...: the customer's side of a ticket opened from the link in their email (the ticket, its
public thread, a reply). The form itself (POST /api/tickets) is in tickets.py."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path
from pennydesk.helpdesk import access, workflow
from pydantic import BaseModel, ConfigDict, Field

from routes import responses
from routes.auth_header import SECURITY, token_of
from routes.helpdesk.attachments import AttachmentView, attachment_views
from routes.helpdesk.views import EntryView, PublicTicket, customer_entries, entry_view, public_ticket

router = Router()

TicketId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$", description="The ticket's id")]


class CustomerTicket(BaseModel):
    ticket: PublicTicket
    messages: list[EntryView]
    attachments: list[AttachmentView] = []  # each with a five-minute download link; never an internal note's


class NewMessage(BaseModel):
    model_config = ConfigDict(extra="forbid")
    body: str = Field(min_length=1, max_length=20_000)


@router.get("/tickets/<ticket_id>", summary="A ticket and its public thread", tags=["Help desk"], security=SECURITY)
def get_ticket(ticket_id: TicketId) -> CustomerTicket:
    access.customer_ticket(token_of(router), ticket_id)
    ticket = workflow.get_ticket(ticket_id)
    return CustomerTicket(
        ticket=public_ticket(ticket), messages=customer_entries(workflow.entries(ticket_id)),
        attachments=attachment_views(ticket_id, include_internal=False),
    )


@router.post(
    "/tickets/<ticket_id>/messages",
    summary="Reply as the customer",
    description="Adds a public message. A resolved or closed ticket reopens; the agent is emailed.",
    responses={201: {"description": "Added", "content": {"application/json": {"model": EntryView}}}},
    tags=["Help desk"],
    security=SECURITY,
)
def post_message(ticket_id: TicketId, message: NewMessage) -> Response[EntryView]:
    access.customer_ticket(token_of(router), ticket_id)
    entry = workflow.customer_reply(ticket_id, message.body)
    return responses.created(entry_view(entry))
