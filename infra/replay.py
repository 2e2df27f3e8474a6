"""Replay the stream records Lambda gave up on, and redrive the work queue's dead letters.

When a stream function fails a record more often than MaximumRetryAttempts allows, Lambda moves on and
sends the on-failure destination (StreamFailureQueue) a message that says where the records are, not what
they hold: ``DDBStreamBatchInfo`` with the stream ARN, shard id and first and last sequence numbers. Once
the cause is fixed, this command reads each such message, fetches those records from the stream
(GetShardIterator AT_SEQUENCE_NUMBER up to the last sequence number), applies the event source mapping's
filter, invokes the function with them as a DynamoDB stream event, and deletes the message only when every
record succeeded. Every reaction in Pennydesk is idempotent, so replaying a record that partly succeeded
sends nothing twice. Stream records live 24 hours: replay within a day of the failure.

    .venv/bin/python -m infra.replay --stack-name pennydesk [--region eu-west-1] [--dry-run]
    .venv/bin/python -m infra.replay --stack-name pennydesk --redrive-work [--dry-run]

``--redrive-work`` moves the WorkDeadLetterQueue's messages back to the WorkQueue with SQS's own
StartMessageMoveTask (the console's "Start DLQ redrive"). The local stack runs the same replay through
``replay(...)`` with the engine as the invoker; see tests/integration/test_fault_injection.py.
"""

from __future__ import annotations

import argparse
import base64
import json
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from infra.event_filter import matches

# (function ARN, DynamoDB stream event) -> the function's answer ({"batchItemFailures": [...]}); raises if
# the function itself failed.
Invoker = Callable[[str, dict[str, Any]], Any]
# (function ARN, stream ARN) -> the event source mapping's filter patterns (none: every record).
FilterLookup = Callable[[str, str], list[dict[str, Any]]]
Printer = Callable[[str], None]

HOLD_SECONDS = 900  # a message being replayed stays invisible this long; a failed replay releases it at once
MAX_EMPTY_PAGES = 5  # an open shard may answer empty pages before the next records


class ReplayError(Exception):
    """A parked batch could not be replayed this time; its message stays on the queue."""


@dataclass(frozen=True)
class ParkedBatch:
    """One on-failure message: which function gave up on which stream records."""

    message_id: str
    receipt_handle: str
    function_arn: str
    condition: str
    stream_arn: str
    shard_id: str
    start: str
    end: str
    size: int

    @classmethod
    def from_message(cls, message: dict[str, Any]) -> ParkedBatch:
        body = json.loads(message["Body"])
        info = body["DDBStreamBatchInfo"]
        return cls(
            message_id=message["MessageId"],
            receipt_handle=message["ReceiptHandle"],
            function_arn=body["requestContext"]["functionArn"],
            condition=body["requestContext"].get("condition", ""),
            stream_arn=info["streamArn"],
            shard_id=info["shardId"],
            start=info["startSequenceNumber"],
            end=info["endSequenceNumber"],
            size=int(info.get("batchSize", 0)),
        )

    @property
    def function_name(self) -> str:
        return self.function_arn.rsplit(":", 1)[-1]


@dataclass
class ReplaySummary:
    found: int = 0
    replayed: int = 0
    records: int = 0
    failed: int = 0
    unreadable: int = 0
    dry_run: bool = False
    problems: list[str] = field(default_factory=list)

    def line(self) -> str:
        verb = "would replay" if self.dry_run else "replayed"
        return (
            f"{self.found} parked batch(es): {verb} {self.replayed} ({self.records} records), "
            f"{self.failed} still failing, {self.unreadable} unreadable"
        )


def read_parked(sqs: Any, queue_url: str, *, hold_seconds: int = HOLD_SECONDS) -> list[tuple[ParkedBatch | None, dict]]:
    """Every message on the failure queue, each held invisible while we work on it (parsed, or None)."""
    seen: dict[str, tuple[ParkedBatch | None, dict]] = {}
    while True:
        messages = sqs.receive_message(
            QueueUrl=queue_url, MaxNumberOfMessages=10, VisibilityTimeout=hold_seconds, WaitTimeSeconds=0
        ).get("Messages", [])
        fresh = [m for m in messages if m["MessageId"] not in seen]
        if not fresh:
            return list(seen.values())
        for message in fresh:
            try:
                seen[message["MessageId"]] = (ParkedBatch.from_message(message), message)
            except (KeyError, TypeError, ValueError):
                seen[message["MessageId"]] = (None, message)


def fetch_records(streams: Any, batch: ParkedBatch) -> list[dict[str, Any]]:
    """The records start..end of the batch's shard, shaped as Lambda hands them to the function."""
    end = int(batch.end)
    try:
        iterator = streams.get_shard_iterator(
            StreamArn=batch.stream_arn,
            ShardId=batch.shard_id,
            ShardIteratorType="AT_SEQUENCE_NUMBER",
            SequenceNumber=batch.start,
        )["ShardIterator"]
    except Exception as exc:  # TrimmedDataAccessException (older than 24 h), ResourceNotFound (stream gone)
        raise ReplayError(f"cannot read the stream from {batch.start}: {exc}") from exc
    records: list[dict[str, Any]] = []
    empty_pages = 0
    while iterator and empty_pages < MAX_EMPTY_PAGES:
        page = streams.get_records(ShardIterator=iterator, Limit=1000)
        for record in page["Records"]:
            sequence = int(record["dynamodb"]["SequenceNumber"])
            if sequence > end:
                return records
            records.append({**record, "eventSourceARN": batch.stream_arn})
            if sequence == end:
                return records
        empty_pages = 0 if page["Records"] else empty_pages + 1
        iterator = page.get("NextShardIterator")
    if not records or int(records[-1]["dynamodb"]["SequenceNumber"]) != end:
        raise ReplayError(f"the stream no longer holds records {batch.start}..{batch.end}")
    return records


def _failed(answer: Any) -> list[str]:
    return [f.get("itemIdentifier", "") for f in ((answer or {}).get("batchItemFailures") or [])]


def replay(
    sqs: Any,
    streams: Any,
    queue_url: str,
    invoke: Invoker,
    *,
    filters: FilterLookup | None = None,
    dry_run: bool = False,
    out: Printer = print,
) -> ReplaySummary:
    """Replay every parked batch on `queue_url`; delete a message only when its whole batch succeeded."""
    summary = ReplaySummary(dry_run=dry_run)
    parked = read_parked(sqs, queue_url)
    if not parked:
        out("Nothing to replay: the failure queue is empty.")
        return summary
    for batch, message in parked:
        summary.found += 1
        if batch is None:
            summary.unreadable += 1
            summary.problems.append(f"message {message['MessageId']}: not a stream on-failure record; left alone")
            out(summary.problems[-1])
            _release(sqs, queue_url, message["ReceiptHandle"])
            continue
        label = f"{batch.function_name} {batch.start}..{batch.end}"
        try:
            records = fetch_records(streams, batch)
            patterns = filters(batch.function_arn, batch.stream_arn) if filters else []
            wanted = [r for r in records if not patterns or any(matches(p, r) for p in patterns)]
            if dry_run:
                out(f"would replay {label}: {len(wanted)} of {len(records)} records pass the filter")
                summary.replayed += 1
                summary.records += len(wanted)
                _release(sqs, queue_url, batch.receipt_handle)
                continue
            if wanted:
                try:
                    answer = invoke(batch.function_arn, {"Records": wanted})
                except Exception as exc:
                    raise ReplayError(f"the function failed: {exc}") from exc
                if failed := _failed(answer):
                    raise ReplayError(f"{len(failed)} record(s) failed again: {', '.join(failed)}")
        except ReplayError as exc:
            summary.failed += 1
            summary.problems.append(f"{label}: {exc}")
            out(f"still failing {label}: {exc} (message kept)")
            _release(sqs, queue_url, batch.receipt_handle)
            continue
        sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=batch.receipt_handle)
        summary.replayed += 1
        summary.records += len(wanted)
        out(f"replayed {label}: {len(wanted)} records, message deleted")
    out(summary.line())
    return summary


def _release(sqs: Any, queue_url: str, receipt_handle: str) -> None:
    """Make a held message visible again now, so the next run (or a dry run's real run) sees it."""
    sqs.change_message_visibility(QueueUrl=queue_url, ReceiptHandle=receipt_handle, VisibilityTimeout=0)


# ---------------------------------------------------------------------------------------------- on AWS


def _lambda_json(value: Any) -> Any:
    """Stream records as Lambda's event carries them: epoch seconds for times, base64 for binary."""
    if isinstance(value, datetime):
        return value.timestamp()
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, set | frozenset):
        return sorted(value)
    raise TypeError(f"cannot send {type(value).__name__} to Lambda")


def lambda_invoker(lambda_client: Any) -> Invoker:
    def invoke(function_arn: str, event: dict[str, Any]) -> Any:
        response = lambda_client.invoke(
            FunctionName=function_arn,
            InvocationType="RequestResponse",
            Payload=json.dumps(event, default=_lambda_json).encode("utf-8"),
        )
        payload = response["Payload"].read()
        if response.get("FunctionError"):
            raise ReplayError(f"{response['FunctionError']}: {payload[:500].decode('utf-8', 'replace')}")
        return json.loads(payload) if payload else None

    return invoke


def mapping_filters(lambda_client: Any) -> FilterLookup:
    """The filter patterns of the function's event source mapping on that stream, read once each."""
    cache: dict[tuple[str, str], list[dict[str, Any]]] = {}

    def lookup(function_arn: str, stream_arn: str) -> list[dict[str, Any]]:
        if (function_arn, stream_arn) not in cache:
            mappings = lambda_client.list_event_source_mappings(FunctionName=function_arn, EventSourceArn=stream_arn)
            patterns = [
                json.loads(f["Pattern"])
                for m in mappings.get("EventSourceMappings", [])
                for f in (m.get("FilterCriteria") or {}).get("Filters", [])
            ]
            cache[(function_arn, stream_arn)] = patterns
        return cache[(function_arn, stream_arn)]

    return lookup


def stack_resources(cloudformation: Any, stack_name: str) -> dict[str, str]:
    """Logical id -> physical id for every resource of the stack (queues' physical ids are their URLs)."""
    resources: dict[str, str] = {}
    for page in cloudformation.get_paginator("list_stack_resources").paginate(StackName=stack_name):
        for resource in page["StackResourceSummaries"]:
            resources[resource["LogicalResourceId"]] = resource.get("PhysicalResourceId", "")
    return resources


def redrive_dead_letters(sqs: Any, dead_letter_url: str, *, dry_run: bool = False, out: Printer = print) -> int:
    """Move the dead-letter queue's messages back to the queue they came from (SQS StartMessageMoveTask)."""
    attributes = sqs.get_queue_attributes(
        QueueUrl=dead_letter_url, AttributeNames=["QueueArn", "ApproximateNumberOfMessages"]
    )["Attributes"]
    waiting = int(attributes["ApproximateNumberOfMessages"])
    if waiting == 0:
        out("Nothing to redrive: the dead-letter queue is empty.")
        return 0
    if dry_run:
        out(f"would move about {waiting} message(s) from {attributes['QueueArn']} back to their source queue")
        return waiting
    task = sqs.start_message_move_task(SourceArn=attributes["QueueArn"])
    out(f"moving about {waiting} message(s) back to their source queue (task {task['TaskHandle']});")
    out(f"  follow it with: aws sqs list-message-move-tasks --source-arn {attributes['QueueArn']}")
    return waiting


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.replay", description=__doc__.split("\n\n")[0])
    parser.add_argument("--stack-name", required=True, help="the deployed SAM stack, e.g. pennydesk")
    parser.add_argument("--region", help="AWS region (default: your AWS configuration's)")
    parser.add_argument("--dry-run", action="store_true", help="show what would be replayed; change nothing")
    parser.add_argument(
        "--redrive-work", action="store_true", help="also move WorkDeadLetterQueue messages back to WorkQueue"
    )
    args = parser.parse_args(list(argv) if argv is not None else None)

    import boto3  # only the command needs AWS; the module's functions take their clients

    session = boto3.Session(region_name=args.region)
    resources = stack_resources(session.client("cloudformation"), args.stack_name)
    sqs = session.client("sqs")
    lambda_client = session.client("lambda")
    summary = replay(
        sqs,
        session.client("dynamodbstreams"),
        resources["StreamFailureQueue"],
        lambda_invoker(lambda_client),
        filters=mapping_filters(lambda_client),
        dry_run=args.dry_run,
    )
    if args.redrive_work:
        redrive_dead_letters(sqs, resources["WorkDeadLetterQueue"], dry_run=args.dry_run)
    return 1 if summary.failed or summary.unreadable else 0


if __name__ == "__main__":
    sys.exit(main())
