"""Ticket intake: validate what a customer sent, number it, store it. Assignment happens from the stream."""

from __future__ import annotations

import re
import uuid
from typing import Annotated, Literal

from aws_lambda_powertools import Logger
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from pennydesk.helpdesk import sla
from pennydesk.helpdesk.ticket_records import TICKET_SK, Counter, Ticket, ticket_pk
from pennydesk.platform import ratelimit
from pennydesk.platform.clock import iso, utcnow
from pennydesk.platform.dynamo import transaction
from pennydesk.platform.settings import get_settings
from pennydesk.platform.text import has_control_characters

Priority = Literal["low", "normal", "high", "urgent"]
FIRST_TICKET_NUMBER = 1001
logger = Logger(child=True)
# Deliberately simple: one @, no spaces, a dot in the domain. Deliverability is SES's job.
EMAIL_PATTERN = re.compile(r"^[^@\s<>\"',;]+@[^@\s<>\"',;]+\.[^@\s<>\"',;.]{2,}$")


def _email(value: str) -> str:
    if not EMAIL_PATTERN.match(value):
        raise ValueError("Enter an email address like name@example.com.")
    return value.lower()


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


Email = Annotated[str, Field(max_length=254), AfterValidator(_email)]
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
    priority: Priority = "normal"
    website: str | None = Field(
        default=None,
        max_length=2000,
        description="Spam trap: the hosted form hides this field from people. Leave it out or empty; "
        "a request that fills it is answered as usual but opens no ticket.",
    )

    @property
    def is_spam(self) -> bool:
        """Only a bot fills the hidden `website` field."""
        return bool(self.website)


def next_ticket_number() -> int:
    """Short, readable, unique: an atomic counter, so #1001, #1002, ... never repeat."""
    counter = Counter(pk="COUNTER", sk="TICKET_NUMBER")
    counter.update(actions=[Counter.value.add(1)])
    return FIRST_TICKET_NUMBER - 1 + int(counter.value)


# Anyone may open a ticket in anyone's name, and each one emails that address: these bound what one
# sender can make us send. Ten an hour is more than a person writes; sixty per 15 minutes covers an office
# behind one address. A honeypot hit counts against its IP too, so decoy answers can't be used to flood.
TICKETS_PER_EMAIL = ratelimit.Limit("ticket-email", hits=10, window_seconds=3600)
TICKETS_PER_IP = ratelimit.Limit("ticket-ip", hits=60, window_seconds=900)


def admit(request: NewTicket, source_ip: str) -> None:
    """Count this request against its sender's limits; 429 (nothing stored, nothing sent) past either."""
    ratelimit.enforce(TICKETS_PER_IP, source_ip, "Too many tickets from here. Try again in a few minutes.")
    if not request.is_spam:
        ratelimit.enforce(
            TICKETS_PER_EMAIL,
            request.email,
            "Too many tickets for this email address in the last hour. Reply to your open ticket instead, "
            "or try again later.",
        )


def _ticket_for(request: NewTicket, number: int) -> Ticket:
    """The new ticket a request describes, not yet stored."""
    ticket_id = uuid.uuid4().hex
    now = iso(utcnow())
    return Ticket(
        pk=ticket_pk(ticket_id),
        sk=TICKET_SK,
        ticket_id=ticket_id,
        number=number,
        status="new",
        subject=request.subject,
        description=request.description,
        category=request.category,
        priority=request.priority,
        customer_name=request.name,
        customer_email=request.email,
        created_at=now,
        updated_at=now,
    )


def create_ticket(request: NewTicket) -> Ticket:
    ticket = _ticket_for(request, next_ticket_number())
    # The SLA targets start with the ticket: both timers are written in the ticket's own transaction.
    with transaction() as tx:
        tx.save(ticket, condition=Ticket.pk.does_not_exist())
        for timer in sla.new_timers(ticket):
            tx.save(timer)
    return ticket


def decoy_ticket(request: NewTicket) -> PublicTicket:
    """What a request that filled the honeypot gets back: a ticket's shape, with nothing stored and nothing
    sent, so the bot has no signal to adapt to. The number is the next one a real ticket would get."""
    try:
        issued = int(Counter.get("COUNTER", "TICKET_NUMBER").value)
    except Counter.DoesNotExist:
        issued = 0
    logger.warning("honeypot filled: ticket not opened", extra={"category": request.category})
    return public_view(_ticket_for(request, FIRST_TICKET_NUMBER + issued))


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


def public_view(ticket: Ticket) -> PublicTicket:
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
