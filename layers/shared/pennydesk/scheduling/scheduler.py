"""The scheduled run: find what is due, lease it, and put one message per item on the work queue.

It sends no email and does no work itself, so a run's cost is a Query per shard plus one conditional
UpdateItem per due timer and one SendMessageBatch per ten; the worker does the work at the pace the
queue's bounded concurrency allows. "Due" is ``due_at <= now`` on the sparse ``due`` index, so a run
that never happened leaves nothing behind: the next one finds it all.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from functools import cache
from typing import Any

from aws_lambda_powertools import Logger

from pennydesk.platform import botocore_models
from pennydesk.platform.settings import get_settings
from pennydesk.scheduling import registry, timers

logger = Logger(child=True)

SQS_BATCH = 10
# Stop handing out work with this much of the invocation left: what remains is due at the next run.
RESERVE_SECONDS = 30.0


@cache
def _sqs() -> Any:
    return botocore_models.client("sqs", region_name=get_settings().region)


class _Outbox:
    """Messages waiting to go to the queue, sent ten at a time."""

    def __init__(self, queue_url: str, counts: Counter[str]) -> None:
        self.queue_url = queue_url
        self.counts = counts
        self.pending: list[dict[str, Any]] = []

    def add(self, message: dict[str, Any]) -> None:
        self.pending.append(message)
        if len(self.pending) == SQS_BATCH:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        entries = [{"Id": str(i), "MessageBody": json.dumps(m)} for i, m in enumerate(self.pending)]
        response = _sqs().send_message_batch(QueueUrl=self.queue_url, Entries=entries)
        failed = response.get("Failed") or []
        self.counts["enqueued"] += len(entries) - len(failed)
        if failed:
            # Their timers are leased already; when the lease runs out the next run hands them out again.
            self.counts["enqueue_failed"] += len(failed)
            logger.error("some messages were not enqueued", extra={"failed": failed})
        self.pending = []


def run(now: datetime, queue_url: str, *, time_left: Callable[[], float] | None = None) -> dict[str, int]:
    """Lease every timer due at `now` (the schedule event's time) and enqueue it. Returns counts."""
    counts: Counter[str] = Counter()
    outbox = _Outbox(queue_url, counts)
    try:
        for kind in registry.kinds():
            for shard in range(timers.SHARDS):
                for key in timers.due(kind.table, kind.name, shard, now):
                    if time_left is not None and time_left() < RESERVE_SECONDS:
                        counts["deferred"] += 1
                        raise _OutOfTime
                    outcome = timers.lease(key, now)
                    counts[outcome] += 1
                    if outcome == "leased":
                        outbox.add(timers.message(key, now))
                    elif outcome == "parked":
                        logger.error("timer parked after repeated failures", extra={"pk": key.pk, "sk": key.sk})
    except _OutOfTime:
        logger.warning("schedule run out of time; the rest is due at the next run")
    finally:
        outbox.flush()
    logger.info("schedule run", extra={"now": now.isoformat(), **counts})
    return dict(counts)


class _OutOfTime(Exception):
    pass
