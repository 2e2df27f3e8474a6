"""/api/tickets...: the form's options, intake (POST /api/tickets), and the customer's side of a ticket opened
from the link in their email (the ticket, its public thread, a reply)."""

from __future__ import annotations

import hashlib
import re
from http import HTTPStatus
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Header, Path
from aws_lambda_powertools.utilities.idempotency import idempotent_function
from pennydesk.helpdesk import access, intake, workflow
from pennydesk.platform.errors import PennydeskError
from pennydesk.platform.idempotency import REQUEST_CONFIG, persistence
from pennydesk.platform.settings import get_settings
from pydantic import BaseModel, ConfigDict, Field

from routes.auth_header import SECURITY, token_of
from routes.helpdesk.views import EntryView, customer_entries, entry_view

router = Router()

TicketId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$", description="The ticket's id")]
IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")


class Option(BaseModel):
    value: str
    label: str


class TicketOptions(BaseModel):
    categories: list[Option]
    priorities: list[Option]


@router.get("/tickets/options", summary="What the ticket form offers", tags=["Help desk"])
def ticket_options() -> TicketOptions:
    """Categories are configurable per deployment, so the form asks instead of hard-coding them."""
    return TicketOptions(
        categories=[Option(value=c, label=c.replace("_", " ").capitalize()) for c in get_settings().ticket_categories],
        priorities=[Option(value=p, label=p.capitalize()) for p in ("low", "normal", "high", "urgent")],
    )


@idempotent_function(data_keyword_argument="request", config=REQUEST_CONFIG, persistence_store=persistence("request"))
def _create_once(request: dict[str, Any]) -> dict[str, Any]:
    ticket = intake.create_ticket(intake.NewTicket.model_validate(request["payload"]))
    return intake.public_view(ticket).model_dump()  # stored as the idempotent response: plain JSON


@router.post(
    "/tickets",
    summary="Open a ticket",
    description="Creates a ticket in status `new`. Assignment and the confirmation email follow from the "
    "stream within seconds. Send an `Idempotency-Key` to make retries safe: the same key and body return "
    "the first response again; the same key with another body is a 422. At most 10 tickets an hour per "
    "email address and 60 per 15 minutes per IP (then 429 with Retry-After).",
    responses={201: {"description": "Created", "content": {"application/json": {"model": intake.PublicTicket}}}},
    tags=["Help desk"],
)
def create_ticket(
    ticket: intake.NewTicket,
    idempotency_key: Annotated[
        str | None, Header(alias="Idempotency-Key", description="Any unique string, at most 255 characters.")
    ] = None,
) -> Response[intake.PublicTicket]:
    intake.admit(ticket, router.current_event.request_context.http.source_ip)
    if ticket.is_spam:
        created = intake.decoy_ticket(ticket).model_dump()
    elif idempotency_key is None:
        created = intake.public_view(intake.create_ticket(ticket)).model_dump()
    else:
        if not IDEMPOTENCY_KEY.match(idempotency_key):
            raise PennydeskError("Use 1 to 255 visible ASCII characters.", field="Idempotency-Key")
        # Keys are scoped to the sender's email, so one client can never replay another's response.
        scope = hashlib.sha256(f"{ticket.email}\n{idempotency_key}".encode()).hexdigest()
        created = _create_once(request={"key": scope, "payload": ticket.model_dump(mode="json")})
    return Response(status_code=HTTPStatus.CREATED, content_type=content_types.APPLICATION_JSON, body=created)



class CustomerTicket(BaseModel):
    ticket: intake.PublicTicket
    messages: list[EntryView]


class NewMessage(BaseModel):
    model_config = ConfigDict(extra="forbid")
    body: str = Field(min_length=1, max_length=20_000)


@router.get("/tickets/<ticket_id>", summary="A ticket and its public thread", tags=["Help desk"], security=SECURITY)
def get_ticket(ticket_id: TicketId) -> CustomerTicket:
    access.customer_ticket(token_of(router), ticket_id)
    ticket = workflow.get_ticket(ticket_id)
    return CustomerTicket(ticket=intake.public_view(ticket), messages=customer_entries(workflow.entries(ticket_id)))


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
    return Response(
        status_code=HTTPStatus.CREATED,
        content_type=content_types.APPLICATION_JSON,
        body=entry_view(entry).model_dump(),
    )
