"""Ticket intake: validate what a customer sent, number it, store it. Assignment happens from the stream."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aws_lambda_powertools import Logger

from pennydesk.helpdesk import sla, subject_words
from pennydesk.helpdesk.ticket_records import COUNTER_PK, TICKET_NUMBER_SK, TICKET_SK, Counter, Ticket, ticket_pk
from pennydesk.helpdesk.vocabulary import Priority, Status
from pennydesk.platform import ratelimit
from pennydesk.platform.clock import iso, utcnow
from pennydesk.platform.dynamo import transaction

FIRST_TICKET_NUMBER = 1001
logger = Logger(child=True)


@dataclass(frozen=True)
class TicketRequest:
    """What a customer asks for when opening a ticket, already checked by the edge that took it (the API)."""

    name: str
    email: str
    subject: str
    description: str
    category: str
    priority: str = Priority.NORMAL
    is_spam: bool = False  # a bot filled the form's hidden honeypot field: answer as usual, open nothing


def next_ticket_number() -> int:
    """Short, readable, unique: an atomic counter, so #1001, #1002, ... never repeat."""
    counter = Counter(pk=COUNTER_PK, sk=TICKET_NUMBER_SK)
    counter.update(actions=[Counter.value.add(1)])
    return FIRST_TICKET_NUMBER - 1 + int(counter.value)


# Anyone may open a ticket in anyone's name, and each one emails that address: these bound what one
# sender can make us send. Ten an hour is more than a person writes; sixty per 15 minutes covers an office
# behind one address. A honeypot hit counts against its IP too, so decoy answers can't be used to flood.
TICKETS_PER_EMAIL = ratelimit.Limit("ticket-email", hits=10, window_seconds=3600, key=ratelimit.inbox_key)
TICKETS_PER_IP = ratelimit.Limit("ticket-ip", hits=60, window_seconds=900, key=ratelimit.client_key)


def admit(request: TicketRequest, source_ip: str) -> None:
    """Count this request against its sender's limits; 429 (nothing stored, nothing sent) past either."""
    ratelimit.enforce(TICKETS_PER_IP, source_ip, "Too many tickets from here. Try again in a few minutes.")
    if not request.is_spam:
        ratelimit.enforce(
            TICKETS_PER_EMAIL,
            request.email,
            "Too many tickets for this email address in the last hour. Reply to your open ticket instead, "
            "or try again later.",
        )


def new_ticket_id() -> str:
    """An id chosen before the ticket is stored, so what is written beside it (an email's files) can name it."""
    return uuid.uuid4().hex


def _ticket_for(request: TicketRequest, number: int, ticket_id: str | None = None) -> Ticket:
    """The new ticket a request describes, not yet stored."""
    ticket_id = ticket_id or new_ticket_id()
    now = iso(utcnow())
    return Ticket(
        pk=ticket_pk(ticket_id),
        sk=TICKET_SK,
        ticket_id=ticket_id,
        number=number,
        status=Status.NEW,
        subject=request.subject,
        description=request.description,
        category=request.category,
        priority=request.priority,
        customer_name=request.name,
        customer_email=request.email,
        created_at=now,
        updated_at=now,
    )


def create_ticket(
    request: TicketRequest, *, ticket_id: str | None = None, also: Callable[[Any, list[Any]], None] | None = None
) -> Ticket:
    """`also` stages more writes in the ticket's transaction (as workflow's: given the write and the entries
    made, none here), so an email's files are stored with the ticket or not at all."""
    ticket = _ticket_for(request, next_ticket_number(), ticket_id)
    ticket.set_desk_keys()
    # The SLA targets and the subject's search words start with the ticket: written in its own transaction.
    with transaction() as tx:
        tx.save(ticket, condition=Ticket.pk.does_not_exist())
        for timer in sla.new_timers(ticket):
            tx.save(timer)
        for word in subject_words.word_items(ticket):
            tx.save(word)
        if also is not None:
            also(tx, [])
    return ticket


def decoy_ticket(request: TicketRequest) -> Ticket:
    """What a request that filled the honeypot gets back: a ticket, never stored and nothing sent, so the bot
    has no signal to adapt to. The number is the next one a real ticket would get."""
    try:
        issued = int(Counter.get(COUNTER_PK, TICKET_NUMBER_SK).value)
    except Counter.DoesNotExist:
        issued = 0
    logger.warning("honeypot filled: ticket not opened", extra={"category": request.category})
    return _ticket_for(request, FIRST_TICKET_NUMBER + issued)
