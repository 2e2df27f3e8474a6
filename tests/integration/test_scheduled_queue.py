"""The scheduled run hands due work to a queue; the worker does it. Failures come back, never twice.

SES is made to fail by wrapping the real (moto) SES client the product uses, so the failure happens
where it would on AWS; every assertion is about what arrives in the outbox and what the queues hold.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from infra.local.engine import REGION, LocalStack, sqs_record
from tests.support.helpdesk import resolved_ticket, surveys
from tests.support.outbox import outbox_for
from tests.support.records import queue_depth, timers_of


class FailingSes:
    """The real SES client, except that the next `failures` sends fail with `code`."""

    def __init__(self, real: Any, failures: int, code: str) -> None:
        self.real, self.failures, self.code = real, failures, code

    def send_email(self, **kwargs: Any) -> Any:
        if self.failures > 0:
            self.failures -= 1
            raise ClientError({"Error": {"Code": self.code, "Message": "injected by the test"}}, "SendEmail")
        return self.real.send_email(**kwargs)


@pytest.fixture
def ses_fails(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    from pennydesk.platform.email import send

    def install(failures: int, code: str) -> FailingSes:
        failing = FailingSes(send._ses(), failures, code)
        monkeypatch.setattr(send, "_ses", lambda: failing)
        return failing

    yield install


def dead_letters(stack: LocalStack) -> list[dict[str, Any]]:
    sqs = boto3.client("sqs", region_name=REGION)
    return sqs.receive_message(
        QueueUrl=stack.resolved["WorkDeadLetterQueue"]["Ref"], MaxNumberOfMessages=10, WaitTimeSeconds=0,
        MessageSystemAttributeNames=["All"], VisibilityTimeout=0,
    ).get("Messages", [])


def test_ses_throttling_is_retried_and_every_email_arrives_once(stack: LocalStack, ses_fails: Any) -> None:
    tickets = []
    for name in ("ana", "ben", "cy"):
        ticket, resolved_at = resolved_ticket(stack, email=f"{name}@example.com")
        tickets.append((f"{name}@example.com", ticket))
    ses_fails(1, "Throttling")

    stack.run_schedule(resolved_at + timedelta(hours=49))

    for address, _ in tickets:
        assert len(surveys(stack, address)) == 1, address
    assert queue_depth(stack, "WorkQueue") == 0
    assert dead_letters(stack) == []
    for _, ticket in tickets:
        assert not any(k.startswith("TIMER#survey") for k in timers_of(ticket.id))


@pytest.mark.parametrize("code", ["TooManyRequestsException", "LimitExceededException"])
def test_every_kind_of_ses_throttling_is_retried(stack: LocalStack, ses_fails: Any, code: str) -> None:
    _, resolved_at = resolved_ticket(stack)
    ses_fails(2, code)

    stack.run_schedule(resolved_at + timedelta(hours=49))

    assert len(surveys(stack)) == 1
    assert dead_letters(stack) == []


def test_work_that_keeps_failing_is_parked_in_the_dead_letter_queue_and_handed_out_again_later(
    stack: LocalStack, ses_fails: Any
) -> None:
    ticket, resolved_at = resolved_ticket(stack)
    ses_fails(5, "ServiceUnavailable")  # an outage longer than the queue's five receives

    stack.run_schedule(resolved_at + timedelta(hours=49))
    assert surveys(stack) == []
    (dead,) = dead_letters(stack)
    assert json.loads(dead["Body"])["kind"] == "survey"
    assert dead["Attributes"]["ApproximateReceiveCount"] == "6"  # five receives by the worker; the sixth is ours
    timer = timers_of(ticket.id)[next(k for k in timers_of(ticket.id) if k.startswith("TIMER#survey"))]
    assert timer["attempts"]["N"] == "1"  # leased once, still there: not lost

    stack.run_schedule(resolved_at + timedelta(hours=49, minutes=30))  # still leased: not handed out again
    assert surveys(stack) == []
    assert queue_depth(stack, "WorkQueue") == 0

    stack.run_schedule(resolved_at + timedelta(hours=50, minutes=5))  # the lease ran out
    assert len(surveys(stack)) == 1
    stack.run_schedule(resolved_at + timedelta(hours=60))
    assert len(surveys(stack)) == 1


def test_a_message_no_retry_can_help_lands_in_the_dead_letter_queue(stack: LocalStack) -> None:
    sqs = boto3.client("sqs", region_name=REGION)
    sqs.send_message(QueueUrl=stack.resolved["WorkQueue"]["Ref"], MessageBody=json.dumps({"v": 1, "kind": "bogus"}))

    stack.drain()

    (dead,) = dead_letters(stack)
    assert json.loads(dead["Body"]) == {"v": 1, "kind": "bogus"}
    assert queue_depth(stack, "WorkQueue") == 0


def test_one_run_hands_out_every_due_item_in_batches_of_ten(stack: LocalStack) -> None:
    addresses = [f"customer{i}@example.com" for i in range(12)]
    for address in addresses:
        _, resolved_at = resolved_ticket(stack, email=address)
    worker = next(q for q in stack.queues if q.function.spec.logical_id == "WorkerFunction")
    before = worker.invocations

    stack.run_schedule(resolved_at + timedelta(hours=49))

    assert [len(surveys(stack, a)) for a in addresses] == [1] * 12
    assert worker.invocations - before == 2  # 12 messages: a batch of ten, then two
    subjects = [m["subject"] for m in stack.outbox() if "How did we do?" in m["subject"]]
    assert len(subjects) == len(set(subjects)) == 12


def test_the_worker_gets_messages_shaped_as_lambda_delivers_them(stack: LocalStack) -> None:
    sqs = boto3.client("sqs", region_name=REGION)
    url = stack.resolved["WorkDeadLetterQueue"]["Ref"]  # no function reads it, so the message stays put
    sqs.send_message(
        QueueUrl=url, MessageBody='{"hello": "world"}',
        MessageAttributes={"origin": {"DataType": "String", "StringValue": "test"},
                           "blob": {"DataType": "Binary", "BinaryValue": b"\x00\x01"}},
    )
    (message,) = sqs.receive_message(
        QueueUrl=url, MessageSystemAttributeNames=["All"], MessageAttributeNames=["All"]
    )["Messages"]

    record = sqs_record(message, stack.resolved["WorkDeadLetterQueue"]["Arn"])

    assert record["eventSource"] == "aws:sqs"
    assert record["eventSourceARN"].endswith(":WorkDeadLetterQueue") and record["awsRegion"] == REGION
    assert record["body"] == '{"hello": "world"}' and record["md5OfBody"] == message["MD5OfBody"]
    assert record["attributes"]["ApproximateReceiveCount"] == "1"
    assert {"SentTimestamp", "ApproximateFirstReceiveTimestamp"} <= set(record["attributes"])
    assert record["messageAttributes"]["origin"]["stringValue"] == "test"
    assert record["messageAttributes"]["origin"]["dataType"] == "String"
    assert record["messageAttributes"]["blob"]["binaryValue"] == "AAE="
    assert record["messageId"] == message["MessageId"] and record["receiptHandle"] == message["ReceiptHandle"]


def test_the_schedule_never_goes_back_but_may_repeat_its_last_moment(stack: LocalStack) -> None:
    from infra.local.engine import ClockError

    now = stack.now()
    stack.run_schedule(now + timedelta(hours=2))
    stack.run_schedule(now + timedelta(hours=2))  # a repeat: fine, the clock stays
    assert stack.now() >= now + timedelta(hours=2)
    with pytest.raises(ClockError):
        stack.run_schedule(now + timedelta(hours=1))
    assert outbox_for(stack, "nobody@example.com") == []
