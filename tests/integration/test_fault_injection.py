"""Faults at the AWS boundary: the desk keeps working, loses nothing and sends nothing twice.

Each fault is a real botocore ClientError (the modeled exception class for its code, with the status and
cancellation reasons AWS sends) raised where the product's own clients call AWS: in
`BaseClient._make_api_call`, beneath pynamodb, Powertools and the SES client, after botocore's own retries
would have given up. Flows run through the local stack with faults on, then with faults off the stream
retries, the queue's redelivery and the replay command (infra/replay.py) finish the work. Afterwards every
logical email went out exactly once, every running total equals the sum of its expense items, and what
could not be done waits on the on-failure queue with what a replay needs.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest

from infra import replay
from infra.local.engine import REGION, LocalStack
from tests.support.actors import alerts, signed_in
from tests.support.faults import (
    CHECKS,
    TALLY,
    FaultInjector,
    assert_each_sent_once,
    assert_nothing_parked,
    assert_totals_match_expenses,
    parked_messages,
    reason_on,
    replay_locally,
    sent_per_message,
    ses_rejected,
    ses_throttled,
    ses_unavailable,
    touches,
)
from tests.support.helpdesk import submit_ticket
from tests.support.outbox import link_to, outbox_for, query_of
from tests.support.records import agents_by_email, stored_ticket, stored_tickets, stream_records, ticket_records

ARTIFACT = Path(__file__).resolve().parents[1] / "artifacts" / "fault-injection.json"


@pytest.fixture(scope="module", autouse=True)
def report() -> Iterator[None]:
    """Every fault injected and every check made (tests.support.faults counts them), reported when the module ends."""
    yield
    ARTIFACT.parent.mkdir(parents=True, exist_ok=True)
    ARTIFACT.write_text(json.dumps({"faults_injected": dict(TALLY), "checks": dict(CHECKS)}, indent=2) + "\n")
    print(f"\nfaults injected by kind: {dict(sorted(TALLY.items()))} (total {sum(TALLY.values())})")
    print(f"checks made: {dict(sorted(CHECKS.items()))} (total {sum(CHECKS.values())})")


@dataclass
class Ticket:
    id: str
    number: int
    subject: str
    customer: str
    agent_email: str = ""
    agent_token: str = ""
    expected: set[tuple[str, str]] = field(default_factory=set)


def raise_tickets(
    stack: LocalStack, count: int, *, prefix: str = "Fault story", category: str = "billing"
) -> list[Ticket]:
    tickets = []
    for n in range(count):
        customer, subject = f"customer{n}@example.com", f"{prefix} {n}"
        created = submit_ticket(stack, email=customer, subject=subject, category=category)
        assert created.status == 201, created.body
        body = created.json()
        tickets.append(Ticket(body["id"], body["number"], subject, customer))
    return tickets


def settle(tickets: list[Ticket], stack: LocalStack) -> None:
    """After the stream is done: who got each ticket, the agent's link, and the two emails each should cause."""
    emails = {a["agent_id"]: e for e, a in agents_by_email().items()}
    for ticket in tickets:
        stored = stored_ticket(ticket.id)
        assert stored["status"] == "assigned", stored
        ticket.agent_email = emails[stored["agent_id"]]
        ticket.expected |= {
            (ticket.customer, f"[#{ticket.number}] We received your request: {ticket.subject}"),
            (ticket.agent_email, f"[#{ticket.number}] Assigned to you (normal): {ticket.subject}"),
        }
        assigned = f"[#{ticket.number}] Assigned"
        mail = [m for m in outbox_for(stack, ticket.agent_email) if m["subject"].startswith(assigned)]
        if mail:
            ticket.agent_token = query_of(link_to(mail[0]["text"], "/agent/ticket.html"))["token"]


def assert_assigned_once(tickets: list[Ticket]) -> None:
    loads = Counter(stored_ticket(t.id)["agent_id"] for t in tickets)
    by_agent = {a["agent_id"]: a["open_count"] for a in agents_by_email().values()}
    assert {agent: by_agent[agent] for agent in loads} == dict(loads)
    assert sum(by_agent.values()) == len(tickets)
    assert all(stored_ticket(t.id)["assignment_seq"] == "1" for t in tickets)
    CHECKS["tickets assigned exactly once"] += len(tickets)


def agent_replies(stack: LocalStack, ticket: Ticket, body: str) -> None:
    result = stack.http(
        "POST", f"/api/agent/tickets/{ticket.id}/actions",
        headers={"Authorization": f"Bearer {ticket.agent_token}"}, json_body={"action": "reply", "body": body},
    )
    assert result.status == 200, result.body
    ticket.expected.add((ticket.customer, f"[#{ticket.number}] Re: {ticket.subject}"))


# ---------------------------------------------------------------------------------------------- SES


def test_ses_throttling_and_5xx_while_tickets_flow_send_every_email_once(
    stack: LocalStack, faults: FaultInjector
) -> None:
    throttle = ses_throttled(faults, times=4)
    outage = ses_unavailable(faults, times=3)

    tickets = raise_tickets(stack, 5)
    stack.drain()
    settle(tickets, stack)
    for ticket in tickets[:3]:
        agent_replies(stack, ticket, f"Refund issued for {ticket.subject}.")
    stack.drain()

    assert (throttle.hits, outage.hits) == (4, 3)
    assert_each_sent_once(stack, set().union(*(t.expected for t in tickets)))
    assert_assigned_once(tickets)
    assert_nothing_parked(stack)


def test_ses_throttling_during_a_reply_burst_is_retried_and_sent_once(stack: LocalStack, faults: FaultInjector) -> None:
    tickets = raise_tickets(stack, 3)
    stack.drain()
    settle(tickets, stack)
    throttle = ses_throttled(faults, times=5)  # more than one retry of the same record

    for ticket in tickets:
        agent_replies(stack, ticket, "We are on it.")
    stack.drain()

    assert throttle.hits == 5
    assert_each_sent_once(stack, set().union(*(t.expected for t in tickets)))
    assert_nothing_parked(stack)


def test_a_rejected_address_is_parked_while_everyone_else_is_served(stack: LocalStack, faults: FaultInjector) -> None:
    bounced = "customer1@example.com"
    ses_rejected(faults, when=lambda params: bounced in params["Destination"]["ToAddresses"])

    tickets = raise_tickets(stack, 3)
    stack.drain()

    [parked] = parked_messages(stack)
    info = parked["DDBStreamBatchInfo"]
    [insert] = [r for r in ticket_records(stream_records(stack), tickets[1].id) if r["eventName"] == "INSERT"]
    assert info["startSequenceNumber"] == insert["dynamodb"]["SequenceNumber"]
    # Everyone else heard; the bounced customer's ticket is assigned and its agent told.
    sent = {to for to, _ in sent_per_message(stack)}
    assert "customer0@example.com" in sent and "customer2@example.com" in sent and bounced not in sent
    assert {stored_ticket(t.id)["status"] for t in tickets} == {"assigned"}
    CHECKS["parked batch names the failed record"] += 1


# ---------------------------------------------------------------------------------------------- crashes mid-batch


def five_replies_waiting(stack: LocalStack) -> list[Ticket]:
    """Five assigned tickets whose agents each just replied: the stream holds their records, unread."""
    tickets = raise_tickets(stack, 5)
    stack.drain()
    settle(tickets, stack)
    for ticket in tickets:
        result = stack.http(
            "POST", f"/api/agent/tickets/{ticket.id}/actions",
            headers={"Authorization": f"Bearer {ticket.agent_token}"},
            json_body={"action": "reply", "body": f"Refund issued for {ticket.subject}."},
        )
        assert result.status == 200, result.body
        ticket.expected.add((ticket.customer, f"[#{ticket.number}] Re: {ticket.subject}"))
    return tickets


def test_a_record_handler_crash_at_the_third_of_five_retries_from_there_and_sends_once(
    stack: LocalStack, ticket_stream_batches: list[list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    tickets = five_replies_waiting(stack)
    module = stack.functions["TicketStreamFunction"].module
    real_record_handler = module.record_handler
    real_handler = module.lambda_handler
    crashed_in: list[list[str]] = []

    def crash_at_the_third(event: dict[str, Any], context: Any) -> Any:
        sequence = [r["dynamodb"]["SequenceNumber"] for r in event["Records"]]
        if crashed_in or len(sequence) < 5:
            return real_handler(event, context)
        crashed_in.append(sequence)

        def third_raises(record: Any) -> None:
            if record.dynamodb.sequence_number == sequence[2]:
                TALLY["handler.crash mid-batch (record)"] += 1
                raise RuntimeError("injected crash at the 3rd record of the batch")
            real_record_handler(record)

        monkeypatch.setattr(module, "record_handler", third_raises)
        try:
            return real_handler(event, context)
        finally:
            monkeypatch.setattr(module, "record_handler", real_record_handler)

    ticket_stream_batches.clear()
    monkeypatch.setattr(module, "lambda_handler", crash_at_the_third)
    stack.drain()

    [crashed] = crashed_in
    after = ticket_stream_batches[ticket_stream_batches.index(crashed) + 1]
    assert after[: len(crashed) - 2] == crashed[2:], "Lambda checkpoints before the failed record, starts again there"
    assert_each_sent_once(stack, set().union(*(t.expected for t in tickets)))
    assert_assigned_once(tickets)
    assert_nothing_parked(stack)


def test_an_invocation_that_dies_after_two_of_five_records_is_bisected_and_nothing_doubles(
    stack: LocalStack, ticket_stream_batches: list[list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    tickets = five_replies_waiting(stack)
    module = stack.functions["TicketStreamFunction"].module
    recording = module.lambda_handler
    died_in: list[list[str]] = []

    def dies_midway_once(event: dict[str, Any], context: Any) -> Any:
        if not died_in and len(event["Records"]) >= 5:
            died_in.append([r["dynamodb"]["SequenceNumber"] for r in event["Records"]])
            TALLY["handler.crash mid-batch (invocation)"] += 1
            recording({"Records": event["Records"][:2]}, context)  # two records' work is done, then it dies
            raise TimeoutError("Task timed out after 60.00 seconds")
        return recording(event, context)

    ticket_stream_batches.clear()
    monkeypatch.setattr(module, "lambda_handler", dies_midway_once)
    stack.drain()

    [died] = died_in
    half = len(died) // 2
    assert ticket_stream_batches[1] == died[:half], (
        "the function error splits the batch in two (BisectBatchOnFunctionError)"
    )
    assert ticket_stream_batches[2][: len(died) - half] == died[half:], "then the second half, and on as before"
    assert_each_sent_once(stack, set().union(*(t.expected for t in tickets)))
    assert_assigned_once(tickets)
    assert_nothing_parked(stack)


def test_a_poison_record_is_isolated_parked_alone_with_its_location_and_replayed_once(
    stack: LocalStack, ticket_stream_batches: list[list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    tickets = raise_tickets(stack, 5)
    [poison] = [r for r in ticket_records(stream_records(stack), tickets[3].id) if r["eventName"] == "INSERT"]
    poison_seq = poison["dynamodb"]["SequenceNumber"]
    module = stack.functions["TicketStreamFunction"].module
    recording = module.lambda_handler
    broken = [True]

    def dies_on_the_poison(event: dict[str, Any], context: Any) -> Any:
        if broken[0] and any(r["dynamodb"]["SequenceNumber"] == poison_seq for r in event["Records"]):
            TALLY["handler.crash (poison record)"] += 1
            raise MemoryError("Runtime exited with error: signal: killed")
        return recording(event, context)

    monkeypatch.setattr(module, "lambda_handler", dies_on_the_poison)
    stack.drain()

    [parked] = parked_messages(stack)
    info = parked["DDBStreamBatchInfo"]
    shards = boto3.client("dynamodbstreams", region_name=REGION).describe_stream(
        StreamArn=stack.resolved["TicketsTable"]["StreamArn"]
    )["StreamDescription"]["Shards"]
    assert (info["startSequenceNumber"], info["endSequenceNumber"], info["batchSize"]) == (poison_seq, poison_seq, 1)
    assert info["shardId"] in {s["ShardId"] for s in shards}
    assert info["streamArn"] == stack.resolved["TicketsTable"]["StreamArn"]
    moments = (info["approximateArrivalOfFirstRecord"], info["approximateArrivalOfLastRecord"], parked["timestamp"])
    for moment in moments:
        assert moment.endswith("Z") and datetime.fromisoformat(moment).tzinfo is not None, moment
    assert parked["requestContext"]["functionArn"].endswith(":function:TicketStreamFunction")
    assert parked["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert parked["responseContext"]["functionError"] == "Unhandled"
    CHECKS["on-failure message holds DDBStreamBatchInfo"] += 1
    healthy = [t for t in tickets if t is not tickets[3]]
    settle(healthy, stack)
    assert_each_sent_once(stack, set().union(*(t.expected for t in healthy)))

    broken[0] = False  # the fix is deployed
    summary, lines = replay_locally(stack)
    again, again_lines = replay_locally(stack)

    assert (summary.found, summary.replayed, summary.records, summary.failed) == (1, 1, 1, 0), lines
    settle(tickets, stack)
    assert_each_sent_once(stack, set().union(*(t.expected for t in tickets)))
    assert_assigned_once(tickets)
    assert (again.found, again.replayed) == (0, 0) and again_lines == ["Nothing to replay: the failure queue is empty."]
    assert_nothing_parked(stack)
    CHECKS["replay then second replay does nothing"] += 1


# ---------------------------------------------------------------------------------------------- replay


def test_records_parked_by_an_ses_outage_are_replayed_after_it_ends_and_a_second_replay_does_nothing(
    stack: LocalStack, faults: FaultInjector
) -> None:
    outage = ses_unavailable(faults)  # longer than every retry
    tickets = raise_tickets(stack, 4)
    stack.drain()
    parked = parked_messages(stack)
    assert parked, "the outage outlasted the retries: the batches wait on the failure queue"
    assert stack.outbox() == []

    failing, failing_lines = replay_locally(stack)  # too early: the outage goes on
    assert failing.failed == len(parked) and failing.replayed == 0, failing_lines
    assert len(parked_messages(stack)) == len(parked), "a failed replay deletes nothing"

    faults.off()
    preview, preview_lines = replay_locally(stack, dry_run=True)
    assert preview.replayed == len(parked) and len(parked_messages(stack)) == len(parked), preview_lines
    assert stack.outbox() == []
    done, lines = replay_locally(stack)
    again, _ = replay_locally(stack)

    assert outage.hits > 0
    assert (done.found, done.replayed, done.failed) == (len(parked), len(parked), 0), lines
    assert lines[-1].startswith(f"{len(parked)} parked batch(es): replayed {len(parked)}")
    settle(tickets, stack)
    assert_each_sent_once(stack, set().union(*(t.expected for t in tickets)))
    assert_assigned_once(tickets)
    assert (again.found, again.replayed) == (0, 0)
    assert_nothing_parked(stack)
    CHECKS["replay then second replay does nothing"] += 1


def test_budget_alerts_lost_to_ses_are_replayed_once_and_totals_stay_exact(
    stack: LocalStack, faults: FaultInjector
) -> None:
    maya = signed_in(stack, "maya@example.com")
    maya.settle(monthly_limit="100.00")
    rejected = ses_rejected(faults, when=lambda params: "maya@example.com" in params["Destination"]["ToAddresses"])

    for amount, category in (("45.10", "groceries"), ("35.00", "dining"), ("19.91", "transport"), ("0.01", "health")):
        maya.add(amount, category, "2026-10-12")
    stack.drain()

    assert rejected.hits > 0 and alerts(stack, maya) == []
    assert parked_messages(stack)
    assert maya.report("2026-10")["total"] == "100.02"
    faults.off()
    summary, lines = replay_locally(stack)

    assert summary.failed == 0 and summary.replayed >= 1, lines
    assert sorted(alerts(stack, maya)) == [
        "80% of your overall budget used for October 2026",
        "You've reached your overall budget for October 2026",
    ]
    assert Counter(alerts(stack, maya)).most_common(1)[0][1] == 1
    CHECKS["logical emails sent exactly once"] += 2
    assert_totals_match_expenses()
    assert replay_locally(stack)[0].found == 0
    assert_nothing_parked(stack)


# ---------------------------------------------------------------------------------------------- DynamoDB


def test_a_throttled_intake_is_a_503_with_retry_after_and_stores_nothing(
    stack: LocalStack, faults: FaultInjector
) -> None:
    faults.add("dynamodb.ProvisionedThroughputExceeded", "dynamodb", "TransactWriteItems",
               "ProvisionedThroughputExceededException",
               message="The level of configured provisioned throughput for the table was exceeded.",
               times=1, when=touches("TicketsTable"))

    refused = submit_ticket(stack, headers={"Idempotency-Key": "form-1"})
    stack.drain()

    assert refused.status == 503, refused.body
    assert refused.headers.get("retry-after", "").isdigit()
    assert refused.json()["code"] == "service_busy" and refused.json()["message"]
    assert stored_tickets() == [] and stack.outbox() == []
    retried = submit_ticket(stack, headers={"Idempotency-Key": "form-1"})
    stack.drain()
    assert retried.status == 201, retried.body
    assert len(stored_tickets()) == 1
    CHECKS["throttled request answered 503 and lost nothing"] += 1


def test_throttled_expense_writes_are_503s_and_totals_stay_exact(stack: LocalStack, faults: FaultInjector) -> None:
    maya = signed_in(stack, "maya@example.com")
    throttled = faults.add("dynamodb.ThrottlingException", "dynamodb", "TransactWriteItems", "ThrottlingException",
                           message="Rate of requests exceeds the allowed throughput.", status=400, times=2,
                           when=touches("SpendingTable"))
    body = {"amount": "19.99", "category": "groceries", "date": "2026-10-03"}

    first = maya.call("POST", "/api/expenses", body=body)
    second = maya.call("POST", "/api/expenses", body=body)
    third = maya.call("POST", "/api/expenses", body=body)
    stack.drain()

    assert (first.status, second.status, third.status) == (503, 503, 201)
    assert throttled.hits == 2
    assert maya.report("2026-10")["total"] == "19.99"
    assert_totals_match_expenses()
    CHECKS["throttled request answered 503 and lost nothing"] += 2


def test_transaction_conflicts_and_lost_races_on_expenses_are_retried_and_totals_stay_exact(
    stack: LocalStack, faults: FaultInjector
) -> None:
    maya = signed_in(stack, "maya@example.com")
    maya.settle(monthly_limit="180.00")
    conflicts = faults.add("dynamodb.TransactionConflict", "dynamodb", "TransactWriteItems",
                           "TransactionCanceledException", times=6, when=touches("SpendingTable"),
                           reasons=reason_on("SpendingTable", "TransactionConflict"))

    made = [maya.add(f"{n}.{n:02d}", ("groceries", "dining")[n % 2], f"2026-10-{n + 1:02d}") for n in range(1, 9)]
    # An edit that lost a race with another device's edit: the expense's version condition fails once.
    faults.add("dynamodb.ConditionalCheckFailed", "dynamodb", "TransactWriteItems", "TransactionCanceledException",
               times=2, when=touches("SpendingTable"), reasons=reason_on("SpendingTable", "ConditionalCheckFailed"))
    maya.edit(made[0], amount="120.00")
    maya.remove(made[1])
    stack.drain()

    assert conflicts.hits == 6
    expected = 12000 + sum(n * 100 + n for n in range(3, 9))
    assert maya.report("2026-10")["total"] == f"{expected // 100}.{expected % 100:02d}"
    assert_totals_match_expenses()
    assert sorted(alerts(stack, maya)) == ["80% of your overall budget used for October 2026"]
    CHECKS["logical emails sent exactly once"] += 1


def test_assignment_conflicts_and_throttled_reads_are_retried_and_each_ticket_is_assigned_once(
    stack: LocalStack, faults: FaultInjector
) -> None:
    # Another assignment took the agent first (the agent's open_count condition fails), the index query
    # is throttled, and a transaction collides with one in flight on the same items.
    faults.add("dynamodb.ConditionalCheckFailed", "dynamodb", "TransactWriteItems", "TransactionCanceledException",
               times=3, when=touches("AgentsTable"), reasons=reason_on("AgentsTable", "ConditionalCheckFailed"))
    faults.add("dynamodb.TransactionConflict", "dynamodb", "TransactWriteItems", "TransactionCanceledException",
               times=3, when=touches("AgentsTable"), reasons=reason_on("TicketsTable", "TransactionConflict"))
    faults.add("dynamodb.ProvisionedThroughputExceeded", "dynamodb", "Query",
               "ProvisionedThroughputExceededException", times=2, when=touches("AgentsTable"),
               message="The level of configured provisioned throughput for the table was exceeded.")

    tickets = raise_tickets(stack, 6)
    stack.drain()

    assert sum(faults.injected.values()) == 8
    settle(tickets, stack)
    assert_each_sent_once(stack, set().union(*(t.expected for t in tickets)))
    assert_assigned_once(tickets)
    assert_nothing_parked(stack)


# ---------------------------------------------------------------------------------------------- schedule runs


def test_scheduled_surveys_survive_ses_throttling_and_go_out_once(stack: LocalStack, faults: FaultInjector) -> None:
    tickets = raise_tickets(stack, 3)
    stack.drain()
    settle(tickets, stack)
    for ticket in tickets:
        resolved = stack.http(
            "POST", f"/api/agent/tickets/{ticket.id}/actions",
            headers={"Authorization": f"Bearer {ticket.agent_token}"}, json_body={"action": "resolve"},
        )
        assert resolved.status == 200, resolved.body
    stack.drain()
    before = sent_per_message(stack)
    throttle = ses_throttled(faults, times=4)

    stack.run_schedule(datetime.now(UTC) + timedelta(hours=49))
    stack.run_schedule(datetime.now(UTC) + timedelta(minutes=5))  # EventBridge fires again; nothing doubles

    assert throttle.hits == 4
    new = sent_per_message(stack) - before
    surveys = {(t.customer, f"[#{t.number}] How did we do? {t.subject}") for t in tickets}
    assert new == Counter(dict.fromkeys(surveys, 1))
    CHECKS["logical emails sent exactly once"] += len(surveys)
    assert all(n == 1 for n in sent_per_message(stack).values())


def test_work_parked_in_the_dead_letter_queue_is_counted_by_a_dry_run_and_a_redrive_sends_nothing_twice(
    stack: LocalStack, faults: FaultInjector
) -> None:
    [ticket] = raise_tickets(stack, 1)
    stack.drain()
    settle([ticket], stack)
    resolved = stack.http(
        "POST", f"/api/agent/tickets/{ticket.id}/actions",
        headers={"Authorization": f"Bearer {ticket.agent_token}"}, json_body={"action": "resolve"},
    )
    assert resolved.status == 200, resolved.body
    stack.drain()
    outage = ses_unavailable(faults)
    sqs = boto3.client("sqs", region_name=REGION)
    dead_url, work_url = stack.resolved["WorkDeadLetterQueue"]["QueueUrl"], stack.resolved["WorkQueue"]["QueueUrl"]

    stack.run_schedule(datetime.now(UTC) + timedelta(hours=49))
    lines: list[str] = []
    waiting = replay.redrive_dead_letters(sqs, dead_url, dry_run=True, out=lines.append)

    assert outage.hits == 5, "the worker's five receives, then the dead-letter queue"
    assert waiting == 1 and "would move about 1 message(s)" in lines[0]
    faults.off()
    stack.run_schedule(datetime.now(UTC) + timedelta(hours=2))  # the lease ran out: the scheduler hands it out again
    # What StartMessageMoveTask does (moto has no move task): each dead letter back onto the work queue.
    for message in sqs.receive_message(QueueUrl=dead_url, MaxNumberOfMessages=10).get("Messages", []):
        sqs.send_message(QueueUrl=work_url, MessageBody=message["Body"])
        sqs.delete_message(QueueUrl=dead_url, ReceiptHandle=message["ReceiptHandle"])
    stack.drain()

    survey = (ticket.customer, f"[#{ticket.number}] How did we do? {ticket.subject}")
    assert sent_per_message(stack)[survey] == 1
    assert all(n == 1 for n in sent_per_message(stack).values())
    assert replay.redrive_dead_letters(sqs, dead_url, out=lines.append) == 0
    assert lines[-1] == "Nothing to redrive: the dead-letter queue is empty."
    CHECKS["logical emails sent exactly once"] += 1


def test_replay_leaves_alone_what_it_cannot_replay_and_says_why(stack: LocalStack) -> None:
    sqs = boto3.client("sqs", region_name=REGION)
    url = stack.resolved["StreamFailureQueue"]["QueueUrl"]
    [ticket] = raise_tickets(stack, 1)
    stack.drain()
    last = stream_records(stack)[-1]["dynamodb"]["SequenceNumber"]
    shard = boto3.client("dynamodbstreams", region_name=REGION).describe_stream(
        StreamArn=stack.resolved["TicketsTable"]["StreamArn"]
    )["StreamDescription"]["Shards"][0]["ShardId"]
    sqs.send_message(QueueUrl=url, MessageBody="not a stream failure")
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps({
        "requestContext": {"functionArn": "arn:aws:lambda:us-east-1:123456789012:function:TicketStreamFunction",
                           "condition": "RetryAttemptsExhausted"},
        "DDBStreamBatchInfo": {"shardId": shard, "startSequenceNumber": last,
                               "endSequenceNumber": str(int(last) + 1000), "batchSize": 2,
                               "streamArn": stack.resolved["TicketsTable"]["StreamArn"]},
    }))
    sent = stack.outbox()

    summary, lines = replay_locally(stack)

    assert (summary.found, summary.replayed, summary.failed, summary.unreadable) == (2, 0, 1, 1), lines
    assert any("no longer holds records" in line for line in lines), lines
    assert any("not a stream on-failure record" in line for line in lines), lines
    assert len(parked_messages(stack)) == 2, "nothing it could not replay is deleted"
    assert stack.outbox() == sent
    assert stored_ticket(ticket.id)["status"] == "assigned"
    CHECKS["replay keeps what it cannot replay"] += 1
