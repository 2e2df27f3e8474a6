"""The SQS poller: one event source mapping receiving from its queue like Lambda's does.

Up to BatchSize messages per invocation as Lambda-shaped records, ReportBatchItemFailures, the messages that
succeeded deleted and the failed ones left in flight, so the queue's own RedrivePolicy moves them to its
dead-letter queue after maxReceiveCount receives.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass, field
from typing import Any

import boto3
from botocore.exceptions import ClientError
from moto.core import DEFAULT_ACCOUNT_ID
from moto.sqs.models import sqs_backends

from infra.local.events import sqs_record
from infra.local.runtime import REGION, LocalFunction

SQS_MAX_BATCH = 10  # what one ReceiveMessage or DeleteMessageBatch takes


@dataclass
class QueueMapping:
    """One SQS event source mapping: which queue to poll, whom to call, how many at a time."""

    function: LocalFunction
    queue_url: str
    queue_arn: str
    batch_size: int
    report_item_failures: bool
    # Receipt handles of messages whose invocation failed: in flight until their visibility timeout ends
    # (as on AWS), or until drain() makes them visible at once so a test never waits.
    failed: list[str] = field(default_factory=list)
    invocations: int = 0

    @classmethod
    def from_event(cls, function: LocalFunction, props: dict[str, Any], queue_arn: str, queue_url: str) -> QueueMapping:
        """The mapping an SQS event in the template declares."""
        return cls(
            function=function,
            queue_url=queue_url,
            queue_arn=queue_arn,
            batch_size=int(props.get("BatchSize", 10)),
            report_item_failures="ReportBatchItemFailures" in (props.get("FunctionResponseTypes") or []),
        )

    def pump(self) -> int:
        """One receive (up to BatchSize), one invocation with a Lambda-shaped SQS event; the messages that
        succeeded are deleted, the failed ones stay in flight and come back, as Lambda's poller does."""
        sqs = boto3.client("sqs", region_name=REGION)
        received = sqs.receive_message(
            QueueUrl=self.queue_url,
            MaxNumberOfMessages=min(self.batch_size, SQS_MAX_BATCH),
            WaitTimeSeconds=0,
            MessageSystemAttributeNames=["All"],
            MessageAttributeNames=["All"],
        ).get("Messages", [])
        if not received:
            return 0
        failed_ids = self._invoke([sqs_record(m, self.queue_arn) for m in received])
        done = [m for m in received if m["MessageId"] not in failed_ids]
        for start in range(0, len(done), SQS_MAX_BATCH):
            chunk = done[start : start + SQS_MAX_BATCH]
            sqs.delete_message_batch(
                QueueUrl=self.queue_url,
                Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(chunk)],
            )
        self.failed.extend(m["ReceiptHandle"] for m in received if m["MessageId"] in failed_ids)
        return len(received)

    def release_failed(self) -> int:
        """Make every message a failed invocation left in flight visible again now; returns how many."""
        released = 0
        sqs = boto3.client("sqs", region_name=REGION)
        handles, self.failed = self.failed, []
        for handle in handles:
            try:
                sqs.change_message_visibility(QueueUrl=self.queue_url, ReceiptHandle=handle, VisibilityTimeout=0)
                released += 1
            except ClientError:
                # moto refuses a visibility change beyond 12 h after sending (the local clock may have jumped
                # days since); reach into the emulator for that case.
                released += self._release_directly(handle)
        return released

    def _invoke(self, records: list[dict[str, Any]]) -> set[str]:
        """The message ids that failed: those the function reported, or all of them if it crashed."""
        self.invocations += 1
        try:
            result = self.function.invoke({"Records": records})
            failures = ((result or {}).get("batchItemFailures") or []) if self.report_item_failures else []
            return {f["itemIdentifier"] for f in failures}
        except Exception:
            traceback.print_exc()
            return {r["messageId"] for r in records}

    def _release_directly(self, handle: str) -> int:
        name = self.queue_url.rsplit("/", 1)[-1]
        queue = sqs_backends[DEFAULT_ACCOUNT_ID][REGION].queues.get(name)
        if queue is None:
            return 0
        for message in list(queue._messages):
            if message.had_receipt_handle(handle):
                message.change_visibility(0)
                queue.pending_messages.discard(message)
                return 1
        return 0  # deleted, or moved to the dead-letter queue
