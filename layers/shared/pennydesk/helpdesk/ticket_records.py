"""Tickets table: the ticket item and the ticket-number counter."""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex

from pennydesk.platform.dynamo import KeyedModel, table_meta
from pennydesk.platform.settings import get_settings
from pennydesk.scheduling.records import DueIndex, TimerBase

TICKET_SK = "TICKET"


def ticket_pk(ticket_id: str) -> str:
    return f"TICKET#{ticket_id}"


PRIORITY_RANK = {"urgent": "0", "high": "1", "normal": "2", "low": "3"}


class AgentQueue(GlobalSecondaryIndex["Ticket"]):
    """Sparse: a ticket is in an agent's queue only while it is open and theirs; most urgent, then oldest."""

    class Meta:
        index_name = "agent_queue"
        projection = AllProjection()

    queue_agent = UnicodeAttribute(hash_key=True)
    queue_key = UnicodeAttribute(range_key=True)


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
    first_response_at = UnicodeAttribute(null=True)
    resolved_at = UnicodeAttribute(null=True)
    # Optimistic locking: every change is conditional on the version it read.
    version = NumberAttribute(default=0)
    changed_by = UnicodeAttribute(null=True)  # customer | agent | admin | system: who made the last change
    queue_agent = UnicodeAttribute(null=True)
    queue_key = UnicodeAttribute(null=True)
    agent_queue = AgentQueue()

    def queue_position_key(self) -> str:
        return f"{PRIORITY_RANK.get(self.priority, '9')}#{self.created_at}#{self.ticket_id}"

    @classmethod
    def get_by_id(cls, ticket_id: str, *, consistent: bool = False) -> Ticket:
        return cls.get(ticket_pk(ticket_id), TICKET_SK, consistent_read=consistent)


class Counter(KeyedModel):
    """Atomic counters (ADD is one request and never hands out the same value twice)."""

    Meta = table_meta(get_settings().tickets_table)

    value = NumberAttribute(default=0)


class TicketEntry(KeyedModel):
    """Everything that happens on a ticket, in order, under the ticket's partition.

    ``sk = ENTRY#<ticket version, 10 digits>#<position in the change>#<entry id>``: the order of events.
    ``kind`` is ``message`` (a public reply from the customer or
    an agent), ``note`` (internal, never shown to the customer) or ``event`` (a status change, an
    assignment, a priority change: the history).
    """

    Meta = table_meta(get_settings().tickets_table)

    entry_id = UnicodeAttribute()
    ticket_id = UnicodeAttribute()
    kind = UnicodeAttribute()
    actor_type = UnicodeAttribute()  # customer | agent | system | admin
    actor_id = UnicodeAttribute(null=True)
    actor_name = UnicodeAttribute(default="")
    body = UnicodeAttribute(default="")
    action = UnicodeAttribute(null=True)
    from_status = UnicodeAttribute(null=True)
    to_status = UnicodeAttribute(null=True)
    detail = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()


ENTRY_PREFIX = "ENTRY#"


class TicketTimer(TimerBase):
    Meta = table_meta(get_settings().tickets_table)
    due = DueIndex()


class Feedback(KeyedModel):  # in the ticket's own partition
    """pk=TICKET#<id>, sk=FEEDBACK#<resolution:010d>: the customer's rating of one resolution."""

    Meta = table_meta(get_settings().tickets_table)

    ticket_id = UnicodeAttribute()
    resolution = NumberAttribute()
    rating = NumberAttribute()
    comment = UnicodeAttribute(default="")
    agent_id = UnicodeAttribute(null=True)
    rated_at = UnicodeAttribute()
    first_rated_at = UnicodeAttribute(null=True)
    times = NumberAttribute(default=0)  # how often it was sent; the last one counts


FEEDBACK_PREFIX = "FEEDBACK#"


def feedback_sk(resolution: int) -> str:
    return f"{FEEDBACK_PREFIX}{resolution:010d}"
