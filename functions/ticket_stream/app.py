"""The ticket stream function: turns each change on the tickets table into assignment and email.

Records are processed one by one and failures are reported per record (ReportBatchItemFailures), so one
bad record is retried alone instead of holding the shard; every reaction is idempotent.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext
from pennydesk.helpdesk import figures, ticket_events
from pennydesk.helpdesk.ticket_records import ENTRY_PREFIX, FEEDBACK_PREFIX, TICKET_SK, Feedback, Ticket, TicketEntry
from pennydesk.platform.idempotency import register_invocation
from pennydesk.platform.observability import make_tracer

logger = Logger()
tracer = make_tracer()
metrics = Metrics()
processor = BatchProcessor(event_type=EventType.DynamoDBStreams)


def _ticket(image: dict[str, Any] | None) -> Ticket | None:
    if not image or image.get("sk", {}).get("S") != TICKET_SK:
        return None
    return Ticket.from_raw_data(image)


def help_articles(subject: str, description: str) -> list[Any]:
    """The confirmation's help articles: composed here, as the help desk does not import the help center
    (imported on the first new ticket, not at cold start)."""
    from pennydesk.helpcenter import catalog

    return list(catalog.for_ticket(subject, description))


@tracer.capture_method
def record_handler(record: DynamoDBRecord) -> None:
    change = record.raw_event["dynamodb"]
    image = change.get("NewImage") or {}
    if image.get("sk", {}).get("S", "").startswith(ENTRY_PREFIX):
        if record.event_name and record.event_name.name == "INSERT":
            ticket_events.on_entry_created(TicketEntry.from_raw_data(image))
        return
    if image.get("sk", {}).get("S", "").startswith(FEEDBACK_PREFIX):
        rating = Feedback.from_raw_data(image)
        figures.on_rating(rating)
        ticket_events.on_rating(rating)
        return
    new = _ticket(change.get("NewImage"))
    old = _ticket(change.get("OldImage"))
    if new is None:
        return
    # The desk's figures first: DynamoDB only, idempotent, and not held back by a failing email.
    figures.on_ticket(old, new)
    if record.event_name and record.event_name.name == "INSERT":
        ticket_events.on_ticket_created(new, articles_for=help_articles)
    elif old is not None:
        ticket_events.on_ticket_changed(old, new)


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    register_invocation(context)
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
