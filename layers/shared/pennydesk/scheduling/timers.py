"""Arming, leasing and finishing timers (see models/timer.py for where they live).

The life of a timer:

1. **armed** in the same transaction as the change that calls for it: ``fire_at``, and ``due_shard`` /
   ``due_at`` that put it in the sparse ``due`` index;
2. **leased** by the scheduler once ``due_at <= now``: ``due_at`` moves forward by a lease (doubling
   with each attempt) and a message goes to the work queue. If the worker finishes, the lease never
   matters; if it fails for good, the timer is due again when the lease runs out, so nothing is lost;
3. **finished** by the worker after the work is done (deleted, advanced to its next moment, or kept
   out of the index as a record), on condition it is still the generation the worker read;
4. **parked** after ``MAX_ENQUEUES`` leases without finishing: it moves to a ``parked#<kind>`` shard the
   scheduler never reads (still one Query away for a person to look at), so a poison item can't cycle
   through the queue forever.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from pynamodb.exceptions import DeleteError, DoesNotExist, UpdateError

from pennydesk.platform.clock import iso
from pennydesk.scheduling import registry
from pennydesk.scheduling.records import TimerBase

SHARDS = 10
# Longer than the queue's whole retry cycle (5 receives x 6 min visibility), so a message still being
# retried is not enqueued a second time; it doubles with each attempt.
LEASE = timedelta(hours=1)
MAX_LEASE = timedelta(hours=16)
MAX_ENQUEUES = 5



def parse_iso(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


def shard_for(kind: str, pk: str) -> str:
    """A stable shard per subject: the same timer always lands in the same one of SHARDS partitions."""
    return f"{kind}#{zlib.crc32(pk.encode()) % SHARDS}"


def arm(timer: TimerBase, fire_at: datetime) -> TimerBase:
    """Set `timer` (not yet saved) to fire at `fire_at`."""
    timer.fire_at = iso(fire_at)
    timer.due_at = timer.fire_at
    timer.due_shard = shard_for(timer.kind, timer.pk)
    timer.attempts = 0
    timer.enqueued_at = None
    timer.parked_at = None
    return timer


def arm_actions(model: type[TimerBase], timer: TimerBase, fire_at: datetime) -> list[Any]:
    """Update actions that (re)arm an existing timer to fire at `fire_at`, as a new generation."""
    moment = iso(fire_at)
    return [
        model.fire_at.set(moment),
        model.due_at.set(moment),
        model.due_shard.set(shard_for(timer.kind, timer.pk)),
        model.attempts.set(0),
        model.enqueued_at.remove(),
        model.generation.set(int(timer.generation) + 1),
    ]


def upsert_actions(model: type[TimerBase], key: TimerBase, kind: str, subject: str, fire_at: datetime,
                   now: datetime) -> list[Any]:
    """Update actions that arm `key`'s timer whether or not it exists yet (no read first), as a new generation;
    the caller adds its kind's own fields."""
    moment = iso(fire_at)
    return [
        model.kind.set(kind),
        model.subject.set(subject),
        model.fire_at.set(moment),
        model.due_at.set(moment),
        model.due_shard.set(shard_for(kind, key.pk)),
        model.attempts.set(0),
        model.generation.set((model.generation | 0) + 1),
        model.created_at.set(model.created_at | iso(now)),
        model.updated_at.set(iso(now)),
        model.enqueued_at.remove(),
        model.parked_at.remove(),
    ]


def disarm_actions(model: type[TimerBase], timer: TimerBase) -> list[Any]:
    """Update actions that take a timer out of the index (it stays as a record), as a new generation."""
    return [model.due_shard.remove(), model.due_at.remove(), model.generation.set(int(timer.generation) + 1)]


def fire_time(timer: TimerBase) -> datetime | None:
    return parse_iso(timer.fire_at) if timer.fire_at else None


def is_armed(timer: TimerBase) -> bool:
    return bool(timer.due_shard) and not str(timer.due_shard).startswith("parked#")


def is_due(timer: TimerBase, now: datetime) -> bool:
    """Armed, and its moment has come: the worker's first check before it acts on a queued timer."""
    fire = fire_time(timer)
    return is_armed(timer) and fire is not None and fire <= now


# ------------------------------------------------------------------------------------------ scheduler
@dataclass(frozen=True)
class DueKey:
    table: str
    kind: str
    shard: str
    pk: str
    sk: str
    due_at: str
    attempts: int


def due(table: str, kind: str, shard: int, now: datetime) -> Iterator[DueKey]:
    """Every armed timer of `kind` in one shard whose due_at has come: one Query on the sparse index.

    `due_at <= now`, not "since the last run": whatever an earlier, missed run left is found too.
    """
    model = registry.model_of(table)
    name = f"{kind}#{shard}"
    for item in model.due.query(name, model.due_at <= iso(now)):
        yield DueKey(table, kind, name, item.pk, item.sk, str(item.due_at), int(item.attempts or 0))


def lease(key: DueKey, now: datetime) -> str:
    """Hand a due timer to the queue: 'leased' (enqueue it now), 'parked', or 'gone' (it moved, was
    cancelled or another run leased it first - leave it alone)."""
    model = registry.model_of(key.table)
    timer = model(pk=key.pk, sk=key.sk)
    seen_attempts = model.attempts == key.attempts
    if key.attempts == 0:
        seen_attempts = seen_attempts | model.attempts.does_not_exist()
    # Still armed in the same shard, at the moment we saw, with the attempts we saw: nobody moved,
    # cancelled or leased it since the Query.
    unchanged = (model.due_at == key.due_at) & (model.due_shard == key.shard) & seen_attempts
    try:
        if key.attempts >= MAX_ENQUEUES:
            timer.update(
                actions=[model.due_shard.set(f"parked#{key.kind}"), model.parked_at.set(iso(now))],
                condition=unchanged,
            )
            return "parked"
        hold = min(LEASE * (2**key.attempts), MAX_LEASE)
        timer.update(
            actions=[
                model.due_at.set(iso(now + hold)),
                model.attempts.set(key.attempts + 1),
                model.enqueued_at.set(iso(now)),
            ],
            condition=unchanged,
        )
    except UpdateError as exc:
        if _condition_failed(exc):
            return "gone"
        raise
    return "leased"


def _condition_failed(exc: Exception) -> bool:
    cause = getattr(exc, "cause_response_code", None)
    return cause == "ConditionalCheckFailedException"


# --------------------------------------------------------------------------------------------- worker
def load(table: str, pk: str, sk: str) -> TimerBase | None:
    try:
        return registry.model_of(table).get(pk, sk, consistent_read=True)
    except DoesNotExist:
        return None


def finish(timer: TimerBase) -> bool:
    """The work is done: delete the timer, unless it changed since it was read (then it is someone
    else's to deal with). Returns whether it was deleted."""
    model = type(timer)
    try:
        timer.delete(condition=model.generation == int(timer.generation))
    except DeleteError as exc:
        if _condition_failed(exc):
            return False
        raise
    return True


def advance(timer: TimerBase, fire_at: datetime, **fields: Any) -> bool:
    """The work is done and the timer repeats: arm it for `fire_at`, on condition nothing moved it."""
    model = type(timer)
    actions = arm_actions(model, timer, fire_at) + [getattr(model, k).set(v) for k, v in fields.items()]
    try:
        timer.update(actions=actions, condition=model.generation == int(timer.generation))
    except UpdateError as exc:
        if _condition_failed(exc):
            return False
        raise
    return True


def message(key: DueKey, now: datetime) -> dict[str, Any]:
    """The work queue's message for one due timer. `now` is the scheduled run's time: the worker's "now"."""
    return {"v": 1, "table": key.table, "kind": key.kind, "pk": key.pk, "sk": key.sk, "now": iso(now)}
