"""The spending stream function: a running total moved, so maybe a budget alert is due.

The event source mapping filters the stream to TOTAL# items; each record is handled on its own and
reported on its own if it fails (ReportBatchItemFailures), and alerts are idempotent.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext
from pennydesk.platform.idempotency import register_invocation
from pennydesk.platform.observability import make_tracer
from pennydesk.spending import alerts
from pennydesk.spending.records import Total

logger = Logger()
tracer = make_tracer()
metrics = Metrics()
processor = BatchProcessor(event_type=EventType.DynamoDBStreams)


@tracer.capture_method
def record_handler(record: DynamoDBRecord) -> None:
    image = record.raw_event["dynamodb"].get("NewImage")
    if not image or not image.get("sk", {}).get("S", "").startswith("TOTAL#"):
        return
    alerts.on_total_changed(Total.from_raw_data(image))


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    register_invocation(context)
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
