"""The scheduled function (every 5 minutes): hands every due timer to the work queue; sends nothing itself.

The EventBridge event's `time` is the only "now" it uses, so any moment can be replayed
(`POST /_local/schedule {"now": ...}` locally).
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.data_classes import EventBridgeEvent, event_source
from aws_lambda_powertools.utilities.typing import LambdaContext

# Importing these registers each context's kinds of scheduled work with pennydesk.scheduling.
from pennydesk.helpdesk import file_notices, sla, surveys  # noqa: F401
from pennydesk.platform.observability import make_tracer
from pennydesk.scheduling import scheduler
from pennydesk.spending import digest_timers, recurring_timers  # noqa: F401

logger = Logger()
tracer = make_tracer()
metrics = Metrics()


def _event_time(event: EventBridgeEvent) -> datetime:
    return datetime.fromisoformat(event.time.replace("Z", "+00:00")).astimezone(UTC)


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
@event_source(data_class=EventBridgeEvent)
def lambda_handler(event: EventBridgeEvent, context: LambdaContext) -> dict[str, Any]:
    counts = scheduler.run(
        _event_time(event),
        os.environ["WORK_QUEUE_URL"],
        time_left=lambda: context.get_remaining_time_in_millis() / 1000,
    )
    for name in ("leased", "enqueued", "parked", "deferred", "enqueue_failed"):
        if counts.get(name):
            metric = f"Schedule{name.title().replace('_', '')}"
            metrics.add_metric(name=metric, unit=MetricUnit.Count, value=counts[name])
    return counts
