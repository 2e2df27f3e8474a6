"""/api/tickets and /api/tickets/options: the ticket form's options and intake (POST /api/tickets).

The customer's side of one ticket (/api/tickets/{id}, its thread, a reply) is in ticket.py, so the form's first
call on a cold Lambda loads intake alone, not the ticket's access checks, workflow and attachments."""

from __future__ import annotations

import hashlib
from http import HTTPStatus
from typing import Annotated, Any, Literal

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.utilities.idempotency import idempotent_function
from pennydesk.helpdesk import intake
from pennydesk.platform.idempotency import REQUEST_CONFIG, persistence
from pennydesk.platform.settings import get_settings
from pennydesk.platform.text import has_control_characters
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from routes.auth_header import visitor_address
from routes.fields import Email
from routes.helpdesk.views import PublicTicket, public_ticket
from routes.idempotency import IdempotencyKey, checked_key

router = Router()

def _category(value: str) -> str:
    allowed = get_settings().ticket_categories
    if value not in allowed:
        raise ValueError(f"Choose one of: {', '.join(allowed)}.")
    return value


def _one_line(value: str) -> str:
    """Names and subjects are single lines: any run of whitespace becomes one space."""
    return " ".join(value.split())


def _no_control_characters(value: str) -> str:
    if has_control_characters(value):
        raise ValueError("Remove control characters.")
    return value


Category = Annotated[str, Field(max_length=40), AfterValidator(_category)]


class NewTicket(BaseModel):
    """What the hosted form (or any client) sends to open a ticket."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: Annotated[
        str, Field(min_length=1, max_length=120), AfterValidator(_no_control_characters), AfterValidator(_one_line)
    ]
    email: Email
    subject: Annotated[
        str, Field(min_length=1, max_length=200), AfterValidator(_no_control_characters), AfterValidator(_one_line)
    ]
    description: Annotated[
        str, Field(min_length=1, max_length=20_000), AfterValidator(_no_control_characters)
    ]
    category: Category
    priority: Literal["low", "normal", "high", "urgent"] = "normal"
    website: str | None = Field(
        default=None,
        max_length=2000,
        description="Spam trap: the hosted form hides this field from people. Leave it out or empty; "
        "a request that fills it is answered as usual but opens no ticket.",
    )

    upload: bool = Field(
        default=False,
        description="Ask for an `upload_token` in the 201: Bearer for `POST /api/tickets/{id}/attachments` "
        "and its `/complete` on this ticket alone, for 30 minutes (the form's files, sent after the ticket).",
    )

    @property
    def is_spam(self) -> bool:
        """Only a bot fills the hidden `website` field."""
        return bool(self.website)

    def to_domain(self) -> intake.TicketRequest:
        return intake.TicketRequest(
            name=self.name, email=self.email, subject=self.subject, description=self.description,
            category=self.category, priority=self.priority, is_spam=self.is_spam,
        )


class CreatedTicket(PublicTicket):
    upload_token: str | None = Field(default=None, description="Only when the request said `upload: true`.")


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
    ticket = intake.create_ticket(NewTicket.model_validate(request["payload"]).to_domain())
    return public_ticket(ticket).model_dump()  # stored as the idempotent response: plain JSON


def _upload_token(ticket_id: str) -> str:
    """Minted afresh for every answer, a replay's too, and never stored with the idempotent response; imported
    here so the plain form's cold start loads no signing and fetches no secret."""
    from pennydesk.identity import tokens

    return tokens.issue("upload", ticket_id)


@router.post(
    "/tickets",
    summary="Open a ticket",
    description="Creates a ticket in status `new`. Assignment and the confirmation email follow from the "
    "stream within seconds. Send an `Idempotency-Key` to make retries safe: the same key and body return "
    "the first response again; the same key with another body is a 422. At most 10 tickets an hour per "
    "email address and 60 per 15 minutes per IP (then 429 with Retry-After).",
    responses={201: {"description": "Created", "content": {"application/json": {"model": CreatedTicket}}}},
    tags=["Help desk"],
)
def create_ticket(
    ticket: NewTicket, idempotency_key: IdempotencyKey = None
) -> Response[PublicTicket | CreatedTicket]:  # the token only when asked for
    request = ticket.to_domain()
    intake.admit(request, visitor_address(router))
    if request.is_spam:
        created = public_ticket(intake.decoy_ticket(request)).model_dump()
    elif idempotency_key is None:
        created = public_ticket(intake.create_ticket(request)).model_dump()
    else:
        # Keys are scoped to the sender's email, so one client can never replay another's response.
        scope = hashlib.sha256(f"{ticket.email}\n{checked_key(idempotency_key)}".encode()).hexdigest()
        # `upload` is left out: the stored 201 is the ticket alone, and keys sent before it existed still match.
        payload = ticket.model_dump(mode="json", exclude={"upload"})
        created = _create_once(request={"key": scope, "payload": payload})
    if ticket.upload:
        created["upload_token"] = _upload_token(created["id"])
    return Response(status_code=HTTPStatus.CREATED, content_type=content_types.APPLICATION_JSON, body=created)
