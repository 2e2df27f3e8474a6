"""Timers: due work kept beside what it is about, and found by key through a sparse index, never a scan.

A timer lives in a partition beside its subject's, ``TIMERS#<subject pk>`` (``TIMERS#TICKET#<id>``,
``TIMERS#USER#<id>``): one Query reads all of a subject's timers, and their churn (every lease is a write)
stays out of the ticket's own item collection and stream history. A timer is written in the same
transaction as the change that arms, moves or cancels it. While it waits to fire it carries ``due_shard`` and
``due_at``, which put it in the table's ``due`` GSI; nothing else has them, so the index holds exactly
the timers that are armed. The scheduler asks each shard for ``due_at <= now``.

| sk                                   | table    | fires                                              |
|--------------------------------------|----------|----------------------------------------------------|
| TIMER#sla_first                      | tickets  | the first-response target passes                   |
| TIMER#sla_resolution                 | tickets  | the resolution target passes                       |
| TIMER#survey#<resolution:010d>       | tickets  | the satisfaction survey for one resolution is due  |
| TIMER#autoclose                      | tickets  | a resolved ticket's quiet period is over           |
| TIMER#files#<customer|agent>         | tickets  | files that side attached without a message: tell   |
| TIMER#digest                         | spending | the user's weekly or monthly digest is due         |

``fire_at`` is when the work is due; ``due_at`` starts equal to it and moves forward by a lease each
time the scheduler hands the timer to the queue, so a timer whose worker failed comes back on its own.
"""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.indexes import GlobalSecondaryIndex, IncludeProjection

from pennydesk.platform.dynamo import KeyedModel

TIMER_PREFIX = "TIMER#"
TIMERS_PK_PREFIX = "TIMERS#"


def timer_pk(subject_pk: str) -> str:
    """The partition of a subject's timers: TIMERS#TICKET#<id> or TIMERS#USER#<id>."""
    return f"{TIMERS_PK_PREFIX}{subject_pk}"


def timer_sk(kind: str, generation: int | None = None) -> str:
    return f"{TIMER_PREFIX}{kind}" if generation is None else f"{TIMER_PREFIX}{kind}#{generation:010d}"


class DueIndex(GlobalSecondaryIndex["TimerBase"]):
    """Sparse: only armed timers carry these keys. `attempts` rides along so the scheduler can lease
    (or park) a timer without reading it first."""

    class Meta:
        index_name = "due"
        projection = IncludeProjection(["attempts"])

    due_shard = UnicodeAttribute(hash_key=True)
    due_at = UnicodeAttribute(range_key=True)


class TimerBase(KeyedModel):
    kind = UnicodeAttribute()
    subject = UnicodeAttribute()  # the ticket id or user id the partition belongs to
    fire_at = UnicodeAttribute(null=True)  # ISO UTC: when the work is due (absent while paused)
    due_shard = UnicodeAttribute(null=True)  # "<kind>#<0-9>", only while armed
    due_at = UnicodeAttribute(null=True)  # ISO UTC: fire_at, or later while leased to the queue
    generation = NumberAttribute(default=0)  # bumped whenever the timer is re-armed, moved or ends
    attempts = NumberAttribute(default=0)  # times handed to the queue since it was last armed
    enqueued_at = UnicodeAttribute(null=True)
    parked_at = UnicodeAttribute(null=True)  # handed out too often without finishing: left for a person
    created_at = UnicodeAttribute(null=True)
    updated_at = UnicodeAttribute(null=True)
    # SLA timers
    priority = UnicodeAttribute(null=True)
    started_at = UnicodeAttribute(null=True)  # the ticket's creation: SLAs are measured from there
    target_seconds = NumberAttribute(null=True)
    paused_seconds = NumberAttribute(default=0)  # time spent waiting on the customer, not counted
    paused_at = UnicodeAttribute(null=True)
    breached_at = UnicodeAttribute(null=True)  # kept (out of the index) as the record of a missed target
    # survey and auto-close timers
    resolution = NumberAttribute(null=True)  # which resolution of the ticket (its version when resolved)
    agent_id = UnicodeAttribute(null=True)  # who resolved it
    # file notices
    notice = UnicodeAttribute(null=True)  # names the notice, and the files it claims, for the timer's life
    # digest timers
    preference = UnicodeAttribute(null=True)  # weekly | monthly
    timezone = UnicodeAttribute(null=True)
