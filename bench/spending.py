"""Spending figures: the monthly report costs the same with 10 or 10,000 expenses, and create latency.

The large month is seeded as the API would leave it (expense items, their fingerprint markers and the
running totals) with BatchWriteItem, because writing 10,000 expenses through moto's transactions one by
one takes minutes; the report under test then runs through the real API function.
"""

from __future__ import annotations

import statistics
import time
import uuid
import warnings

import boto3

from bench.counting import count_calls
from bench.import_csv import session
from bench.report import Row
from infra.local.engine import REGION, LocalStack

SECTION = "latency"
MONTH = "2026-10"
CATEGORIES = ("groceries", "dining", "transport", "utilities")


def _idempotency_table() -> str:
    from pennydesk.platform.settings import get_settings  # the layer is on sys.path once a stack has started

    return get_settings().idempotency_table


def _seed_month(user_id: str, count: int) -> int:
    """`count` expenses in MONTH plus the totals the API would have kept; returns the month's total."""
    from pennydesk.platform.settings import get_settings

    table = boto3.resource("dynamodb", region_name=REGION).Table(get_settings().spending_table)
    pk = f"USER#{user_id}"
    overall, by_category = 0, dict.fromkeys(CATEGORIES, 0)
    with table.batch_writer() as batch:
        for i in range(count):
            expense_id = uuid.uuid4().hex
            amount = 100 + i % 5000
            category = CATEGORIES[i % len(CATEGORIES)]
            day = f"{MONTH}-{1 + i % 28:02d}"
            overall += amount
            by_category[category] += amount
            batch.put_item(Item={
                "pk": pk, "sk": f"EXP#{expense_id}", "expense_id": expense_id, "amount": amount,
                "category": category, "date": day, "month": MONTH, "date_key": f"{day}#{expense_id}",
                "payee": f"Shop {i}", "note": "", "tags": [], "fingerprint": f"FP#{day}#{amount}#shop {i}",
                "created_at": "2026-10-01T00:00:00Z", "updated_at": "2026-10-01T00:00:00Z", "version": 1,
            })
        batch.put_item(Item={"pk": pk, "sk": f"TOTAL#{MONTH}", "month": MONTH, "total": overall, "count": count})
        for category, total in by_category.items():
            batch.put_item(Item={
                "pk": pk, "sk": f"TOTAL#{MONTH}#CAT#{category}", "month": MONTH, "category": category,
                "total": total, "count": count // len(CATEGORIES),
            })
    return overall


def _user_id(stack: LocalStack, auth: dict[str, str]) -> str:
    from pennydesk.spending import account

    email = stack.http("GET", "/api/me", headers=auth).json()["email"]
    profile = account.find(email)
    assert profile is not None
    return profile.user_id


def _report(stack: LocalStack, auth: dict[str, str], runs: int) -> tuple[float, float, int, str]:
    """Median ms of GET /api/reports/monthly, median CPU ms outside AWS calls, requests per call, the total."""
    times, outside = [], []
    for _ in range(runs):
        with count_calls(_idempotency_table()) as calls:
            began, cpu = time.perf_counter(), time.thread_time()
            result = stack.http("GET", "/api/reports/monthly", query=f"month={MONTH}", headers=auth)
            elapsed, cpu = time.perf_counter() - began, time.thread_time() - cpu
        if result.status != 200:
            raise RuntimeError(f"report answered {result.status}: {result.body[:200]!r}")
        times.append(elapsed * 1000)
        # CPU time, not wall time: what the product itself costs, whatever else shares the machine.
        outside.append((cpu - calls.cpu_seconds) * 1000)
    return statistics.median(times), statistics.median(outside), calls.dynamodb_total, result.json()["total"]


def measure(quick: bool) -> list[Row]:
    warnings.filterwarnings("ignore", message="No application metrics to publish")
    runs, creates = (20, 30) if quick else (30, 60)
    stack = LocalStack(log_level="ERROR").start()
    try:
        small, large = session(stack, "small@bench.local"), session(stack, "large@bench.local")
        # Creates first, on a small table: moto copies the whole table on every transaction.
        create_times = []
        for i in range(creates):
            began = time.perf_counter()
            result = stack.http("POST", "/api/expenses", headers=small, json_body={
                "amount": f"{1 + i % 50}.25", "category": CATEGORIES[i % 4], "date": "2026-11-03", "payee": f"P{i}",
            })
            create_times.append((time.perf_counter() - began) * 1000)
            if result.status != 201:
                raise RuntimeError(f"create answered {result.status}")
        with count_calls(_idempotency_table()) as calls:
            stack.http("POST", "/api/expenses", headers=small, json_body={
                "amount": "3.00", "category": "dining", "date": "2026-11-03"})
        create_calls = calls.dynamodb_total
        small_total = _seed_month(_user_id(stack, small), 10)
        large_total = _seed_month(_user_id(stack, large), 10_000)
        small_ms, small_own, small_calls, small_seen = _report(stack, small, runs)
        large_ms, large_own, large_calls, large_seen = _report(stack, large, runs)
        for expected, seen in ((small_total, small_seen), (large_total, large_seen)):
            if f"{expected // 100}.{expected % 100:02d}" != seen:
                raise RuntimeError(f"report total {seen} does not match the seeded {expected} cents")
    finally:
        stack.stop()
    return [
        Row(SECTION, f"Monthly report, 10,000 expenses in the month, median of {runs}", large_ms, "ms",
            "10 expenses in the month", small_ms, "ms",
            note="includes moto, which walks the whole partition to answer a Query (next row: the rest)"),
        Row(SECTION, "  of which CPU outside AWS calls (pennydesk + pynamodb + Powertools)", large_own, "ms",
            "10 expenses", small_own, "ms", target=1.2,
            note="reads running totals only; the month's expenses are never read"),
        Row("requests", "Monthly report, 10,000 expenses: DynamoDB requests", large_calls, "req",
            "10 expenses", small_calls, "req", target=1.2, note="session lookup + profile + one Query of totals"),
        Row(SECTION, f"Expense create POST /api/expenses in-process, median of {creates}",
            statistics.median(create_times), "ms", "monthly report (10 expenses), median", small_ms, "ms",
            note=f"{create_calls} DynamoDB requests: session lookup, profile, one 4-item transaction"),
    ]


if __name__ == "__main__":
    from bench.report import render_table

    print(render_table(measure(quick=True)))
