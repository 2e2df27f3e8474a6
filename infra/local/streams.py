"""The DynamoDB stream poller: one event source mapping reading its table's stream like Lambda's does.

Batches of up to BatchSize records that pass the mapping's FilterCriteria, ReportBatchItemFailures
(records before the first failure are checkpointed, the rest retried), BisectBatchOnFunctionError,
MaximumRetryAttempts, and the on-failure queue told where the records that never succeeded are.
"""

from __future__ import annotations

import json
import traceback
from dataclasses import dataclass, field
from typing import Any

import boto3
from moto.core import DEFAULT_ACCOUNT_ID

from infra.event_filter import matches
from infra.local.events import stream_failure_record
from infra.local.runtime import REGION, LocalFunction, function_arn


@dataclass
class StreamMapping:
    """One DynamoDB event source mapping: where to read, whom to call, what to do with failures."""

    function: LocalFunction
    stream_arn: str
    batch_size: int
    max_retries: int
    report_item_failures: bool
    on_failure_queue_url: str | None
    filters: list[dict[str, Any]] = field(default_factory=list)
    starting_position: str = "TRIM_HORIZON"
    iterators: dict[str, str | None] = field(default_factory=dict)
    last_sequence: dict[str, str] = field(default_factory=dict)
    pending: list[dict[str, Any]] = field(default_factory=list)
    attempts: int = 0
    failed_batches: int = 0
    bisect_on_error: bool = False
    # After a function error with BisectBatchOnFunctionError, the next batch is at most this long.
    window: int | None = None
    shard_of: dict[str, str] = field(default_factory=dict)  # sequence number -> shard, while pending

    @classmethod
    def from_event(
        cls, function: LocalFunction, props: dict[str, Any], stream_arn: str, on_failure_queue_url: str | None
    ) -> StreamMapping:
        """The mapping a DynamoDB event in the template declares, with an iterator on each shard."""
        mapping = cls(
            function=function,
            stream_arn=stream_arn,
            batch_size=int(props.get("BatchSize", 100)),
            max_retries=int(props.get("MaximumRetryAttempts", 3)),
            report_item_failures="ReportBatchItemFailures" in (props.get("FunctionResponseTypes") or []),
            on_failure_queue_url=on_failure_queue_url,
            bisect_on_error=bool(props.get("BisectBatchOnFunctionError", False)),
            filters=[json.loads(f["Pattern"]) for f in (props.get("FilterCriteria") or {}).get("Filters", [])],
            starting_position=props.get("StartingPosition", "TRIM_HORIZON"),
        )
        streams = boto3.client("dynamodbstreams", region_name=REGION)
        for shard in streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"]:
            mapping.iterators[shard["ShardId"]] = streams.get_shard_iterator(
                StreamArn=stream_arn, ShardId=shard["ShardId"], ShardIteratorType=mapping.starting_position
            )["ShardIterator"]
        return mapping

    def pump(self) -> int:
        """Deliver at most one batch; returns how many records the function was handed."""
        self._fetch()
        if not self.pending:
            return 0
        batch = self.pending[: self.window or self.batch_size]
        failed_from, crashed = self._invoke(batch)
        if failed_from is None:
            self._checkpoint(batch)
            self.attempts = 0
            self.window = None
            return len(batch)
        if crashed and self.bisect_on_error and len(batch) > 1:
            # BisectBatchOnFunctionError: the function failed as a whole, so retry the batch in two halves
            # (the first half next); the split is not a retry, a single record that keeps failing is.
            self.window = len(batch) // 2
            return len(batch)
        # Records before the first failure are checkpointed; the rest are retried, as Lambda does.
        self._checkpoint(batch[:failed_from])
        self.attempts += 1
        if self.attempts > self.max_retries:
            self._send_to_on_failure(batch[failed_from:])
            self._checkpoint(batch[failed_from:])
            self.attempts = 0
            self.window = None
        return len(batch)

    def skip_backlog(self, table_name: str) -> None:
        """Read on from the end of the stream as it is now, as a mapping created now with StartingPosition
        LATEST would: what was written before is never delivered."""
        from moto.dynamodb.models import dynamodb_backends

        shard = dynamodb_backends[DEFAULT_ACCOUNT_ID][REGION].get_table(table_name).stream_shard
        if shard is not None and shard.items:
            self.last_sequence[shard.id] = str(shard.items[-1].record["dynamodb"]["SequenceNumber"])
        self.pending.clear()
        self.shard_of.clear()
        self.window = None
        self.attempts = 0

    def _invoke(self, batch: list[dict[str, Any]]) -> tuple[int | None, bool]:
        """Where the batch failed from (None if it succeeded), and whether the function crashed."""
        try:
            result = self.function.invoke({"Records": batch})
            failures = (result or {}).get("batchItemFailures") or [] if self.report_item_failures else []
            failed_ids = {f["itemIdentifier"] for f in failures}
        except Exception:
            traceback.print_exc()
            return 0, True
        if not failed_ids:
            return None, False
        return next((i for i, r in enumerate(batch) if r["dynamodb"]["SequenceNumber"] in failed_ids), 0), False

    def _fetch(self) -> None:
        """Read on from the last sequence number seen, with a fresh iterator each poll.

        moto rolls a cancelled transaction back by swapping in a copy of the table, which orphans any
        iterator held across polls; asking for AFTER_SEQUENCE_NUMBER each time follows the live stream.
        """
        streams = boto3.client("dynamodbstreams", region_name=REGION)
        for shard_id in list(self.iterators):
            # Like Lambda's poller, read on past pages the filter drops entirely: a page of nothing but
            # filtered-out records is not the end of the stream.
            while len(self.pending) < self.batch_size:
                last = self.last_sequence.get(shard_id)
                position = (
                    {"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": last}
                    if last
                    else {"ShardIteratorType": self.starting_position}
                )
                iterator = streams.get_shard_iterator(StreamArn=self.stream_arn, ShardId=shard_id, **position)
                response = streams.get_records(
                    ShardIterator=iterator["ShardIterator"], Limit=self.batch_size - len(self.pending)
                )
                for record in response["Records"]:
                    self.last_sequence[shard_id] = record["dynamodb"]["SequenceNumber"]
                    if not self.filters or any(matches(p, record) for p in self.filters):
                        self.pending.append({**record, "eventSourceARN": self.stream_arn})
                        self.shard_of[record["dynamodb"]["SequenceNumber"]] = shard_id
                if not response["Records"] or self.pending:
                    break

    def _checkpoint(self, done: list[dict[str, Any]]) -> None:
        """The first len(done) pending records are finished with (processed, or handed to on-failure)."""
        for record in done:
            self.shard_of.pop(record["dynamodb"]["SequenceNumber"], None)
        del self.pending[: len(done)]

    def _send_to_on_failure(self, records: list[dict[str, Any]]) -> None:
        self.failed_batches += 1
        if not self.on_failure_queue_url:
            return
        first_sequence = records[0]["dynamodb"]["SequenceNumber"]
        shard_id = self.shard_of.get(first_sequence) or next(iter(self.iterators), "")
        body = stream_failure_record(
            function_arn(self.function.spec.logical_id), self.max_retries + 1, shard_id, self.stream_arn, records
        )
        boto3.client("sqs", region_name=REGION).send_message(
            QueueUrl=self.on_failure_queue_url, MessageBody=json.dumps(body)
        )
