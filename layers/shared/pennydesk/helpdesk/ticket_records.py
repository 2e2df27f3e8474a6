"""Tickets table: the ticket item and the ticket-number counter."""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex

from pennydesk.helpdesk.vocabulary import Priority
from pennydesk.platform.dynamo import KeyedModel, table_meta
from pennydesk.platform.settings import get_settings
from pennydesk.scheduling.records import DueIndex, TimerBase, timer_pk

TICKET_SK = "TICKET"
ENTRY_PREFIX = "ENTRY#"
FEEDBACK_PREFIX = "FEEDBACK#"
COUNTER_PK = "COUNTER"
TICKET_NUMBER_SK = "TICKET_NUMBER"


def ticket_pk(ticket_id: str) -> str:
    return f"TICKET#{ticket_id}"


def ticket_timers_pk(ticket_id: str) -> str:
    """Where a ticket's timers live (its SLA targets, survey and auto-close)."""
    return timer_pk(ticket_pk(ticket_id))


def entry_sk(version: int, position: int, entry_id: str) -> str:
    """An entry sorts by the ticket version its change creates, then its place within that change."""
    return f"{ENTRY_PREFIX}{version:010d}#{position:02d}#{entry_id}"


def feedback_sk(resolution: int) -> str:
    return f"{FEEDBACK_PREFIX}{resolution:010d}"


PRIORITY_RANK = {Priority.URGENT: "0", Priority.HIGH: "1", Priority.NORMAL: "2", Priority.LOW: "3"}


def queue_key(priority: str, created_at: str, ticket_id: str) -> str:
    """A ticket's place in its agent's queue: most urgent first, then oldest."""
    return f"{PRIORITY_RANK.get(priority, '9')}#{created_at}#{ticket_id}"


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
        return queue_key(self.priority, self.created_at, self.ticket_id)

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

