"""A ticket's email conversation: the reply address of each side and the Message-IDs it has so far.

SES replaces any Message-ID we set, so the ID SES gave each sent email is kept (and the ID of each email
that came in), one item each in the tickets table under `THREAD#<ticket id>` (outside the ticket's own
partition, so the ticket stream never sees them). The next email to one side carries that side's earlier
IDs in `In-Reply-To` and `References`: one conversation per ticket in Gmail, Outlook and Apple Mail.
"""

from __future__ import annotations

from pynamodb.attributes import UnicodeAttribute
from pynamodb.exceptions import PutError

from pennydesk.helpdesk.ticket_records import MAIL_PREFIX, TICKET_ID_SK, Ticket, mail_sk, thread_pk, ticket_number_pk
from pennydesk.identity import reply_tokens
from pennydesk.platform.clock import iso_precise, utcnow
from pennydesk.platform.dynamo import KeyedModel, table_meta
from pennydesk.platform.email.send import Threading
from pennydesk.platform.settings import get_settings

# Enough for any client to thread: the first message and the latest few (RFC 5322 allows trimming).
MAX_REFERENCES = 10


class ThreadMessage(KeyedModel):
    """pk=THREAD#<ticket id>, sk=MAIL#<Message-ID>: one email sent to or received from a side (`role`:
    customer or agent) of the ticket, and when (the thread's order)."""

    Meta = table_meta(get_settings().tickets_table)

    ticket_id = UnicodeAttribute()
    role = UnicodeAttribute()
    message_id = UnicodeAttribute()  # the header's value, <...@...>
    direction = UnicodeAttribute()  # out (we sent it) | in (it came in)
    at = UnicodeAttribute()


class TicketNumber(KeyedModel):
    """pk=TICKETNO#<number>, sk=TICKET_ID: which ticket `[#number]` in a subject names (for mail without a token)."""

    Meta = table_meta(get_settings().tickets_table)

    ticket_id = UnicodeAttribute()


def ticket_id_for_number(number: int) -> str | None:
    try:
        return str(TicketNumber.get(ticket_number_pk(number), TICKET_ID_SK).ticket_id)
    except TicketNumber.DoesNotExist:
        return None


def message_ids(ticket_id: str, role: str) -> list[str]:
    """The Message-IDs of one side's conversation, oldest first."""
    found = ThreadMessage.query(
        thread_pk(ticket_id), ThreadMessage.sk.startswith(MAIL_PREFIX), consistent_read=True
    )
    return [m.message_id for m in sorted(found, key=lambda m: m.at) if m.role == role]


def remember(ticket_id: str, role: str, message_id: str, direction: str = "out") -> None:
    """Keep one Message-ID, once: a retried send (SES's same id again) changes nothing."""
    if not message_id:
        return
    at = iso_precise(utcnow())
    kept = ThreadMessage(
        pk=thread_pk(ticket_id), sk=mail_sk(message_id), ticket_id=ticket_id, role=role,
        message_id=message_id, direction=direction, at=at,
    )
    try:
        kept.save(condition=ThreadMessage.sk.does_not_exist())
    except PutError as exc:
        if exc.cause_response_code != "ConditionalCheckFailedException":
            raise


def trimmed(ids: list[str]) -> tuple[str, ...]:
    if len(ids) <= MAX_REFERENCES:
        return tuple(ids)
    return (ids[0], *ids[-(MAX_REFERENCES - 1):])


def threading(ticket: Ticket, role: str, *, reply_to: bool = True) -> Threading:
    """The headers of the next email to `role` about `ticket`; it remembers its own Message-ID once sent.
    `reply_to=False` for readers with no side on the ticket (the admins): they thread, but have no token; a
    deployment without an inbound domain sends no Reply-To at all."""
    earlier = message_ids(ticket.ticket_id, role)
    return Threading(
        reply_to=reply_tokens.address(role, ticket.ticket_id) if reply_to and get_settings().inbound_domain else None,
        in_reply_to=earlier[-1] if earlier else None,
        references=trimmed(earlier),
        record=lambda message_id: remember(ticket.ticket_id, role, message_id),
    )


def for_customer(ticket: Ticket) -> Threading:
    """The customer's side; the ticket's number is linked to it here, where `[#number]` first goes out."""
    TicketNumber(pk=ticket_number_pk(int(ticket.number)), sk=TICKET_ID_SK, ticket_id=ticket.ticket_id).save()
    return threading(ticket, "customer")


def for_agent(ticket: Ticket) -> Threading:
    return threading(ticket, "agent")


def for_admins(ticket: Ticket) -> Threading:
    return threading(ticket, "admins", reply_to=False)
