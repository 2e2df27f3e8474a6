"""The worker: does one item of work per SQS message: due timers (surveys, auto-close, SLA breaches, digests)
and the jobs requests hand over (sign-in links).

Each record succeeds or fails on its own (ReportBatchItemFailures): a failed one comes back after the
queue's visibility timeout, and after five receives it lands in the dead-letter queue, while its timer
(still leased, not finished) is handed out again once the lease runs out. When SES throttles, the rest
of the batch is not even tried: it comes back later too, so the sending rate is respected. Emails carry
dedupe keys, so a retry never sends twice.
"""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

# Importing these registers each context's kinds of scheduled work with pennydesk.scheduling.
from pennydesk.helpdesk import file_notices, sla, surveys  # noqa: F401
from pennydesk.identity import sessions  # noqa: F401 (registers the sign-in job)
from pennydesk.platform.idempotency import register_invocation
from pennydesk.platform.observability import make_tracer
from pennydesk.scheduling import dispatch
from pennydesk.spending import digest_timers, recurring_timers  # noqa: F401

logger = Logger()
tracer = make_tracer()
metrics = Metrics()
processor = BatchProcessor(event_type=EventType.SQS)


class Deferred(Exception):
    """Not tried: SES throttled an earlier record of this batch."""


_throttled = False


@tracer.capture_method
def record_handler(record: SQSRecord) -> str:
    global _throttled
    if _throttled:
        raise Deferred("SES is throttling; this message comes back later")
    try:
        body = json.loads(record.body)
    except json.JSONDecodeError as exc:
        raise dispatch.BadMessage("the body is not JSON") from exc
    try:
        outcome = dispatch.perform(body)
    except Exception as exc:
        if dispatch.is_throttling(exc):
            _throttled = True
            metrics.add_metric(name="SesThrottled", unit=MetricUnit.Count, value=1)
            logger.warning("SES throttled; leaving the rest of the batch for later", extra={"kind": body.get("kind")})
        raise
    logger.info("due work done", extra={"kind": body.get("kind"), "outcome": outcome})
    return outcome


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    global _throttled
    _throttled = False
    register_invocation(context)
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
