"""When email cannot go out, the record is retried as the template says, then parked, never lost or doubled."""

from __future__ import annotations

import json
from typing import Any

import boto3

from infra.local.engine import LOCAL_SENDER, REGION, LocalStack
from infra.local.template import load_yaml
from tests.support.helpdesk import submit_ticket
from tests.support.outbox import outbox_for
from tests.support.records import agents_by_email, stored_ticket, stream_records, ticket_records

CUSTOMER = "maya@example.com"


def ses_refuses_our_sender() -> None:
    """The sender identity is no longer verified: SES rejects every message (MessageRejected)."""
    boto3.client("ses", region_name=REGION).delete_identity(Identity=LOCAL_SENDER)


def ses_accepts_our_sender_again() -> None:
    boto3.client("ses", region_name=REGION).verify_email_identity(EmailAddress=LOCAL_SENDER)


def stream_settings(stack: LocalStack) -> dict[str, Any]:
    template = load_yaml(stack.root / "template.yaml")
    return template["Resources"]["TicketStreamFunction"]["Properties"]["Events"]["TicketChanges"]["Properties"]


def failure_queue_messages(stack: LocalStack) -> list[dict[str, Any]]:
    sqs = boto3.client("sqs", region_name=REGION)
    url = stack.resolved["StreamFailureQueue"]["QueueUrl"]
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
    return [json.loads(m["Body"]) for m in messages]


def records_between(stack: LocalStack, start: str, end: str) -> list[dict[str, Any]]:
    """The stream records a failure-queue message points at, read back from the stream to replay them."""
    return [r for r in stream_records(stack) if int(start) <= int(r["dynamodb"]["SequenceNumber"]) <= int(end)]


def test_stream_reports_only_the_record_whose_email_was_rejected(stack: LocalStack) -> None:
    ses_refuses_our_sender()
    ticket_id = submit_ticket(stack).json()["id"]
    batch = stream_records(stack)
    [insert] = ticket_records(batch, ticket_id)
    assert len(batch) > 1, "the ticket-number counter's record travels in the same batch"

    result = stack.invoke("TicketStreamFunction", {"Records": batch})

    assert result == {"batchItemFailures": [{"itemIdentifier": insert["dynamodb"]["SequenceNumber"]}]}
    assert stack.outbox() == []


def test_a_record_that_keeps_failing_is_retried_then_parked_on_the_failure_queue(
    stack: LocalStack, ticket_stream_batches: list[list[str]]
) -> None:
    ses_refuses_our_sender()
    ticket_id = submit_ticket(stack).json()["id"]
    [insert] = ticket_records(stream_records(stack), ticket_id)

    stack.drain()

    retries = int(stream_settings(stack)["MaximumRetryAttempts"])
    # No email can go out, so the ticket's records fail (the desk's own history entry, which sends nothing,
    # does not): every batch the stream hands over starts again at the insert, retried as the template says.
    starting_at_insert = [b for b in ticket_stream_batches if b[0] == insert["dynamodb"]["SequenceNumber"]]
    assert len(starting_at_insert) == 1 + retries, ticket_stream_batches
    parked = failure_queue_messages(stack)[0]
    info = parked["DDBStreamBatchInfo"]
    assert info["streamArn"] == stack.resolved["TicketsTable"]["StreamArn"]
    assert info["startSequenceNumber"] == insert["dynamodb"]["SequenceNumber"]
    parked_records = records_between(stack, info["startSequenceNumber"], info["endSequenceNumber"])
    assert ticket_id in json.dumps(parked_records, default=str)
    assert parked["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert stack.outbox() == []
    assert stack.pump() == 0, "the parked records left the stream's queue"


def test_replaying_parked_records_after_the_fix_sends_each_email_once(stack: LocalStack) -> None:
    ses_refuses_our_sender()
    ticket_id = submit_ticket(stack).json()["id"]
    stack.drain()
    parked = failure_queue_messages(stack)
    assert parked

    ses_accepts_our_sender_again()
    replay = [
        record
        for info in sorted((p["DDBStreamBatchInfo"] for p in parked), key=lambda i: int(i["startSequenceNumber"]))
        for record in records_between(stack, info["startSequenceNumber"], info["endSequenceNumber"])
    ]
    first = stack.invoke("TicketStreamFunction", {"Records": replay})
    second = stack.invoke("TicketStreamFunction", {"Records": replay})
    stack.drain()

    assert first == second == {"batchItemFailures": []}
    assignee = next(e for e, a in agents_by_email().items() if a["agent_id"] == stored_ticket(ticket_id)["agent_id"])
    assert len(outbox_for(stack, CUSTOMER)) == 1
    assert len(outbox_for(stack, assignee)) == 1
    assert len(stack.outbox()) == 2
    assert sum(a["open_count"] for a in agents_by_email().values()) == 1


def test_one_failing_ticket_does_not_hold_back_the_next(stack: LocalStack) -> None:
    ses_refuses_our_sender()
    submit_ticket(stack)
    stack.drain()
    ses_accepts_our_sender_again()

    later = submit_ticket(stack, email="sam@example.com").json()["id"]
    stack.drain()

    assert stored_ticket(later)["status"] == "assigned"
    assert len(outbox_for(stack, "sam@example.com")) == 1
