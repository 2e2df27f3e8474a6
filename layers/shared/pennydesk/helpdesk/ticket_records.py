"""Tickets table: the ticket item and the ticket-number counter."""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex

from pennydesk.helpdesk.vocabulary import OPEN_STATUSES, Priority, Status
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


# The desk's views (docs/data-model.md, "Desk views"): each is a Query on one sparse index, whose keys the
# ticket item itself carries, so every write of the ticket moves it between views in the same request.
DESK_BUCKETS = {
    Status.NEW: "unassigned", Status.WAITING: "waiting", Status.RESOLVED: "resolved", Status.CLOSED: "resolved",
}
DESK_OPEN = "open"
DESK_ALL = "all"
WORD_PREFIX = "WORD#"


def desk_bucket(status: str) -> str:
    """The desk_status partition a ticket is listed in: unassigned, working (assigned or in progress),
    waiting or resolved (resolved and closed)."""
    return DESK_BUCKETS.get(status, "working")  # type: ignore[call-overload]


def customer_key(email: str) -> str:
    """A customer address as the customer index keys it: trimmed and lower-cased."""
    return email.strip().lower()


def word_pk(word: str) -> str:
    return f"{WORD_PREFIX}{word}"


def recency_key(at: str, ticket_id: str) -> str:
    """Newest first when read backwards; the id keeps two tickets of one second apart."""
    return f"{at}#{ticket_id}"


def desk_keys(status: str, priority: str, created_at: str, updated_at: str, ticket_id: str) -> dict[str, str | None]:
    """The view-index keys of a ticket in this state (None: not in that index)."""
    bucket = desk_bucket(status)
    urgency = queue_key(priority, created_at, ticket_id)
    is_listed_open = status == Status.NEW or status in OPEN_STATUSES
    return {
        "desk_status": bucket,
        "desk_status_key": urgency if bucket == "unassigned" else recency_key(updated_at, ticket_id),
        "desk_open": DESK_OPEN if is_listed_open else None,
        "desk_open_key": urgency if is_listed_open else None,
        "desk_all": DESK_ALL,
        "desk_updated_key": recency_key(updated_at, ticket_id),
    }


class DeskStatusIndex(GlobalSecondaryIndex["Ticket"]):
    """unassigned (most urgent, then oldest), working, waiting and resolved (latest change first)."""

    class Meta:
        index_name = "desk_status"
        projection = AllProjection()

    desk_status = UnicodeAttribute(hash_key=True)
    desk_status_key = UnicodeAttribute(range_key=True)


class DeskOpenIndex(GlobalSecondaryIndex["Ticket"]):
    """Sparse: every ticket not yet resolved, assigned or not; most urgent, then oldest."""

    class Meta:
        index_name = "desk_open"
        projection = AllProjection()

    desk_open = UnicodeAttribute(hash_key=True)
    desk_open_key = UnicodeAttribute(range_key=True)


class DeskAllIndex(GlobalSecondaryIndex["Ticket"]):
    """Every ticket, latest change first."""

    class Meta:
        index_name = "desk_all"
        projection = AllProjection()

    desk_all = UnicodeAttribute(hash_key=True)
    desk_updated_key = UnicodeAttribute(range_key=True)


class CustomerIndex(GlobalSecondaryIndex["Ticket"]):
    """A customer's tickets by their normalised address, newest (highest number) first: search by email and
    My requests (numbers rise with creation, and never tie as a second's timestamps can)."""

    class Meta:
        index_name = "by_customer"
        projection = AllProjection()

    customer_key = UnicodeAttribute(hash_key=True)
    number = NumberAttribute(range_key=True)


class NumberIndex(GlobalSecondaryIndex["Ticket"]):
    """#1042 to its ticket: one key lookup."""

    class Meta:
        index_name = "by_number"
        projection = AllProjection()

    number = NumberAttribute(hash_key=True)


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
    desk_status = UnicodeAttribute(null=True)
    desk_status_key = UnicodeAttribute(null=True)
    desk_open = UnicodeAttribute(null=True)
    desk_open_key = UnicodeAttribute(null=True)
    desk_all = UnicodeAttribute(null=True)
    desk_updated_key = UnicodeAttribute(null=True)
    customer_key = UnicodeAttribute(null=True)
    desk_status_index = DeskStatusIndex()
    desk_open_index = DeskOpenIndex()
    desk_all_index = DeskAllIndex()
    by_customer = CustomerIndex()
    by_number = NumberIndex()

    def queue_position_key(self) -> str:
        return queue_key(self.priority, self.created_at, self.ticket_id)

    def desk_keys_after(self, changes: dict[str, object]) -> dict[str, str | None]:
        """The view-index keys once `changes` (field -> new value, None for removed) are applied."""
        state = {name: changes.get(name, getattr(self, name)) for name in ("status", "priority", "updated_at")}
        return desk_keys(str(state["status"]), str(state["priority"]), self.created_at, str(state["updated_at"]),
                         self.ticket_id)

    def desk_key_actions(self, changes: dict[str, object]) -> list[object]:
        """Update actions that keep the ticket's view-index keys true to `changes`: staged in the same
        write as the change itself, so a view never lists a ticket where it no longer is."""
        actions: list[object] = [Ticket.customer_key.set(customer_key(self.customer_email))]  # tickets from before
        for name, value in self.desk_keys_after(changes).items():
            attribute = getattr(Ticket, name)
            actions.append(attribute.remove() if value is None else attribute.set(value))
        return actions

    def set_desk_keys(self) -> None:
        """For a ticket about to be stored for the first time."""
        for name, value in self.desk_keys_after({}).items():
            setattr(self, name, value)
        self.customer_key = customer_key(self.customer_email)

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


class TicketWord(KeyedModel):
    """pk=WORD#<word>, sk=<created_at>#<ticket id>: one item per distinct word of a ticket's subject,
    written in the ticket's own transaction (the subject never changes). `words` holds every word of that
    subject, so a search for several words reads one word's partition and keeps the items holding the rest."""

    Meta = table_meta(get_settings().tickets_table)

    ticket_id = UnicodeAttribute()
    words = UnicodeAttribute()  # space-separated


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


# ------------------------------------------------------------------------------ the ticket's email thread
THREAD_PREFIX = "THREAD#"
MAIL_PREFIX = "MAIL#"
RECEIVED_PREFIX = "RECEIVED#"
TICKET_ID_SK = "TICKET_ID"


def thread_pk(ticket_id: str) -> str:
    """The partition of a ticket's emails, outside the ticket's own (so the ticket stream never sees them)."""
    return f"{THREAD_PREFIX}{ticket_id}"


def mail_sk(message_id: str) -> str:
    return f"{MAIL_PREFIX}{message_id}"


def received_sk(at: str, ses_message_id: str) -> str:
    return f"{RECEIVED_PREFIX}{at}#{ses_message_id}"


def ticket_number_pk(number: int) -> str:
    """Which ticket `[#number]` names: pk=TICKETNO#<number>, sk=TICKET_ID."""
    return f"TICKETNO#{int(number)}"


# ------------------------------------------------------------------------------ the ticket's attachments
FILES_PREFIX = "FILES#"
FILE_PREFIX = "FILE#"
PENDING_PREFIX = "PENDING#"


def files_pk(ticket_id: str) -> str:
    """The partition of a ticket's attachments, outside the ticket's own (the ticket stream never sees them)."""
    return f"{FILES_PREFIX}{ticket_id}"


def file_sk(attachment_id: str) -> str:
    """A stored attachment; its id sorts by creation time, so the partition reads oldest first."""
    return f"{FILE_PREFIX}{attachment_id}"


def pending_sk(attachment_id: str) -> str:
    """An upload handed out and not yet completed."""
    return f"{PENDING_PREFIX}{attachment_id}"


def file_object_key(ticket_id: str, attachment_id: str) -> str:
    """Where a checked attachment is kept in the attachments bucket."""
    return f"files/{ticket_id}/{attachment_id}"


def pending_object_key(attachment_id: str) -> str:
    """Where a presigned upload lands before it is checked."""
    return f"pending/{attachment_id}"
