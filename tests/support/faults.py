"""Fault injection at the AWS boundary, and the checks a fault story ends with.

Each fault is a real botocore ClientError (the modeled exception class for its code, with the status and
cancellation reasons AWS sends) raised in `BaseClient._make_api_call`, beneath pynamodb, Powertools and the
SES client. The `faults` fixture (tests/conftest.py) installs a `FaultInjector`; TALLY and CHECKS count what
was injected and checked, for tests/artifacts/fault-injection.json.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import boto3
import botocore.client
import pytest

from infra import replay
from infra.local.engine import REGION, LocalStack
from tests.support.records import stored_items

# Every fault injected and every check made, reported when tests/integration/test_fault_injection.py ends.
TALLY: Counter[str] = Counter()
CHECKS: Counter[str] = Counter()


# ---------------------------------------------------------------------------------------------- the injector


@dataclass
class Fault:
    """One kind of failure: which call it hits, what AWS answers, how many times (None: until removed)."""

    kind: str
    service: str
    operation: str
    code: str
    status: int
    message: str
    times: int | None = None
    when: Callable[[dict[str, Any]], bool] | None = None
    reasons: Callable[[dict[str, Any]], list[str | None]] | None = None
    hits: int = 0

    def applies(self, service: str, operation: str, params: dict[str, Any]) -> bool:
        if (service, operation) != (self.service, self.operation):
            return False
        if self.times is not None and self.hits >= self.times:
            return False
        return self.when is None or self.when(params)

    def response(self, params: dict[str, Any]) -> dict[str, Any]:
        request_id = uuid.uuid4().hex
        body: dict[str, Any] = {
            "Error": {"Code": self.code, "Message": self.message},
            "ResponseMetadata": {
                "RequestId": request_id,
                "HTTPStatusCode": self.status,
                "HTTPHeaders": {"x-amzn-requestid": request_id},
                "RetryAttempts": 0,
            },
        }
        if self.reasons is not None:
            codes = self.reasons(params)
            body["CancellationReasons"] = [
                {"Code": c, "Message": REASON_MESSAGES.get(c, c)} if c else {"Code": "None"} for c in codes
            ]
            body["Error"]["Message"] = (
                "Transaction cancelled, please refer cancellation reasons for specific reasons "
                f"[{', '.join(c or 'None' for c in codes)}]"
            )
        return body


REASON_MESSAGES = {
    "ConditionalCheckFailed": "The conditional request failed",
    "TransactionConflict": "Transaction is ongoing for the item",
    "ThrottlingError": "Throughput exceeds the current capacity for one or more global secondary indexes.",
}


class FaultInjector:
    """Raises the configured ClientErrors from the product's AWS calls and counts them by kind."""

    def __init__(self) -> None:
        self.faults: list[Fault] = []
        self.injected: Counter[str] = Counter()
        self._lock = threading.Lock()

    def add(self, kind: str, service: str, operation: str, code: str, *, status: int = 400, message: str = "",
            times: int | None = None, when: Callable[[dict[str, Any]], bool] | None = None,
            reasons: Callable[[dict[str, Any]], list[str | None]] | None = None) -> Fault:
        fault = Fault(kind, service, operation, code, status, message or code, times, when, reasons)
        self.faults.append(fault)
        return fault

    def off(self) -> None:
        """The cause is fixed: no more faults from here on."""
        self.faults.clear()

    def check(self, client: Any, operation: str, params: dict[str, Any]) -> None:
        service = client.meta.service_model.service_name
        with self._lock:
            fault = next((f for f in self.faults if f.applies(service, operation, params)), None)
            if fault is None:
                return
            fault.hits += 1
            self.injected[fault.kind] += 1
            TALLY[fault.kind] += 1
        raise client.exceptions.from_code(fault.code)(fault.response(params), operation)


def inject_faults(monkeypatch: pytest.MonkeyPatch) -> FaultInjector:
    """Route every AWS call the product makes through a new injector (no faults until some are added)."""
    injector = FaultInjector()
    real = botocore.client.BaseClient._make_api_call

    def call_with_faults(self: Any, operation_name: str, api_params: dict[str, Any]) -> Any:
        injector.check(self, operation_name, api_params)
        return real(self, operation_name, api_params)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", call_with_faults)
    return injector


# The faults, as AWS answers them.
def ses_throttled(injector: FaultInjector, **kw: Any) -> Fault:
    return injector.add("ses.TooManyRequests", "sesv2", "SendEmail", "TooManyRequestsException", status=429,
                        message="Maximum sending rate exceeded.", **kw)


def ses_rejected(injector: FaultInjector, **kw: Any) -> Fault:
    return injector.add("ses.MessageRejected", "sesv2", "SendEmail", "MessageRejected",
                        message="Email address is not verified.", **kw)


def ses_unavailable(injector: FaultInjector, **kw: Any) -> Fault:
    return injector.add("ses.5xx", "sesv2", "SendEmail", "InternalFailure", status=500,
                        message="The request processing has failed because of an unknown error.", **kw)


def tables_of(params: dict[str, Any]) -> set[str]:
    if "TableName" in params:
        return {params["TableName"]}
    return {next(iter(item.values()))["TableName"] for item in params.get("TransactItems", [])}


def touches(table: str) -> Callable[[dict[str, Any]], bool]:
    return lambda params: table in tables_of(params)


def reason_on(table: str, code: str) -> Callable[[dict[str, Any]], list[str | None]]:
    """A cancellation reason on the first item of `table`, None on the rest, as DynamoDB reports them."""

    def reasons(params: dict[str, Any]) -> list[str | None]:
        tables = [next(iter(item.values()))["TableName"] for item in params["TransactItems"]]
        first = tables.index(table)
        return [code if i == first else None for i in range(len(tables))]

    return reasons


# ---------------------------------------------------------------------------------------------- what we check


def sent_per_message(stack: LocalStack) -> Counter[tuple[str, str]]:
    """How many times each logical message (recipient, subject) went out."""
    return Counter((",".join(m["to"]), m["subject"]) for m in stack.outbox())


def assert_each_sent_once(stack: LocalStack, expected: set[tuple[str, str]]) -> None:
    sent = sent_per_message(stack)
    assert sent == Counter(dict.fromkeys(expected, 1)), (
        f"missing: {expected - set(sent)}; doubled: {[k for k, n in sent.items() if n > 1]}; "
        f"unexpected: {set(sent) - expected}"
    )
    CHECKS["logical emails sent exactly once"] += len(expected)


def parked_messages(stack: LocalStack) -> list[dict[str, Any]]:
    """The failure queue's messages, read without hiding them."""
    sqs = boto3.client("sqs", region_name=REGION)
    url = stack.resolved["StreamFailureQueue"]["QueueUrl"]
    found: dict[str, dict[str, Any]] = {}
    for _ in range(10):
        for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0).get("Messages", []):
            try:
                found[m["MessageId"]] = json.loads(m["Body"])
            except ValueError:
                found[m["MessageId"]] = {"unreadable": m["Body"]}
    return list(found.values())


def assert_nothing_parked(stack: LocalStack) -> None:
    assert parked_messages(stack) == []
    CHECKS["failure queue empty"] += 1


def replay_locally(stack: LocalStack, *, dry_run: bool = False) -> tuple[replay.ReplaySummary, list[str]]:
    """infra/replay.py against the local stack: moto's SQS and Streams, the engine invoking the function."""
    lines: list[str] = []

    def invoke(function_arn: str, event: dict[str, Any]) -> Any:
        return stack.invoke(function_arn.rsplit(":", 1)[-1], event)

    def filters(function_arn: str, stream_arn: str) -> list[dict[str, Any]]:
        name = function_arn.rsplit(":", 1)[-1]
        return next(
            m.filters for m in stack.streams if m.function.spec.logical_id == name and m.stream_arn == stream_arn
        )

    summary = replay.replay(
        boto3.client("sqs", region_name=REGION),
        boto3.client("dynamodbstreams", region_name=REGION),
        stack.resolved["StreamFailureQueue"]["QueueUrl"],
        invoke,
        filters=filters,
        dry_run=dry_run,
        out=lines.append,
    )
    stack.drain()
    return summary, lines


def assert_totals_match_expenses() -> None:
    """Every running total (month, and month per category) equals the sum of its expense items, to the cent."""
    items = stored_items("SpendingTable")
    expected: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for item in items:
        if item["sk"]["S"].startswith("EXP#"):
            user, month, category = item["pk"]["S"], item["month"]["S"], item["category"]["S"]
            for key in (f"TOTAL#{month}", f"TOTAL#{month}#CAT#{category}"):
                expected[(user, key)][0] += int(item["amount"]["N"])
                expected[(user, key)][1] += 1
    stored = {
        (item["pk"]["S"], item["sk"]["S"]): [int(item["total"]["N"]), int(item["count"]["N"])]
        for item in items
        if item["sk"]["S"].startswith("TOTAL#")
    }
    nonzero = {k: v for k, v in stored.items() if v != [0, 0]}
    assert nonzero == dict(expected)
    CHECKS["running totals equal to the cent"] += len(expected)

