"""Tickets table: the ticket item and the ticket-number counter."""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute

from pennydesk.models.base import KeyedModel, table_meta
from pennydesk.settings import get_settings

TICKET_SK = "TICKET"


def ticket_pk(ticket_id: str) -> str:
    return f"TICKET#{ticket_id}"


class Ticket(KeyedModel):
    Meta = table_meta(get_settings().tickets_table)

    ticket_id = UnicodeAttribute()
    number = NumberAttribute()
    status = UnicodeAttribute()
    subject = UnicodeAttribute()
    description = UnicodeAttribute()
    category = UnicodeAttribute()
    priority = UnicodeAttribute()
    customer_name = UnicodeAttribute()
    customer_email = UnicodeAttribute()
    agent_id = UnicodeAttribute(null=True)
    # Bumped on every (re)assignment so each one gets its own notification idempotency key.
    assignment_seq = NumberAttribute(default=0)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    assigned_at = UnicodeAttribute(null=True)

    @classmethod
    def get_by_id(cls, ticket_id: str, *, consistent: bool = False) -> Ticket:
        return cls.get(ticket_pk(ticket_id), TICKET_SK, consistent_read=consistent)


class Counter(KeyedModel):
    """Atomic counters (ADD is one request and never hands out the same value twice)."""

    Meta = table_meta(get_settings().tickets_table)

    value = NumberAttribute(default=0)
