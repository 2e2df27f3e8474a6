"""Scheduled work at scale on the local stack: one schedule run with N due items, then the worker.

Half the items are tickets due for their satisfaction survey, half are users due for a monthly digest
(with spending, so each one is a real email). The run is measured in two parts, each as time per item and
DynamoDB requests per item: the scheduler (Query per shard, a conditional UpdateItem lease per item,
SendMessageBatch per ten) and the worker draining the queue (read the timer and its subject, render,
send through the idempotency layer, finish the timer). The figures should stay flat as N grows ten-fold.

The due items are seeded straight into the tables with BatchWriteItem (25 items a call) rather than
through the API, which would take minutes at 10,000 (moto copies a table per transaction item); the stream
backlog that seeding leaves is skipped, as a mapping created afterwards would start at LATEST.

Two of moto's costs grow with the data and would swamp what is measured: every Query sorts and scans the
whole table (DynamoDB reads one partition), and every SQS send and receive walks the whole queue, checking
the clock per message (SQS does neither). The local stack itself (infra.local.engine.speed_up_moto) makes a
Query on the table or a local index read only its partition and lets a GSI query scan without sorting the
table first; while measuring, `emulator_shortcuts` lets the queue read the clock once per walk. Results are
the same, only the cost stops growing faster than the data. The scheduler's GSI queries still scan the whole
table (50 a run: a fixed cost shared by the items).
"""

from __future__ import annotations

import gc
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3

from bench.counting import Calls, count_calls
from bench.report import Row
from infra.local.engine import DEFAULT_ACCOUNT_ID, REGION, LocalStack

SECTION = "schedule"
FULL_SIZES, QUICK_SIZES = (1_000, 10_000), (100, 1_000)
# The worker's cost per item is measured on the same number of messages taken from the front of each
# backlog (draining all 10,000 would take minutes of moto): does an item cost more when 10,000 wait?
FULL_WORKER_SAMPLE, QUICK_WORKER_SAMPLE = 500, 100
TARGET = 1.2
WARM_UP = 20
Progress = Callable[[str], None]


def _s(value: str) -> dict[str, str]:
    return {"S": value}


def _n(value: int) -> dict[str, str]:
    return {"N": str(value)}


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _next_first_of_month(after: datetime) -> datetime:
    year, month = (after.year + 1, 1) if after.month == 12 else (after.year, after.month + 1)
    return datetime(year, month, 1, 8, 0, tzinfo=UTC)


def _batch_write(table: str, items: list[dict[str, Any]]) -> int:
    client = boto3.client("dynamodb", region_name=REGION)
    calls = 0
    for start in range(0, len(items), 25):
        pending = {table: [{"PutRequest": {"Item": item}} for item in items[start : start + 25]]}
        while pending:
            calls += 1
            pending = client.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
    return calls


def seed(surveys: int, digests: int, fire: datetime, month: str, previous_month: str) -> None:
    """`surveys` resolved tickets with a due survey timer; `digests` users with spending and a due digest."""
    from pennydesk.scheduling.timers import shard_for

    fire_at = _iso(fire)
    ticket_items: list[dict[str, Any]] = []
    for i in range(surveys):
        ticket_id = uuid.uuid4().hex
        resolved = _iso(fire - timedelta(hours=48))
        ticket_items.append({
            "pk": _s(f"TICKET#{ticket_id}"), "sk": _s("TICKET"), "ticket_id": _s(ticket_id), "number": _n(1001 + i),
            "status": _s("resolved"), "subject": _s(f"Cannot sign in ({i})"),
            "description": _s("Since this morning the sign-in link says it has expired."),
            "category": _s("general"), "priority": _s("normal"), "customer_name": _s(f"Customer {i}"),
            "customer_email": _s(f"customer{i}@example.com"), "agent_id": _s("a" * 32), "assignment_seq": _n(1),
            "created_at": _s(resolved), "updated_at": _s(resolved), "resolved_at": _s(resolved), "version": _n(5),
        })
        timer_pk = f"TIMERS#TICKET#{ticket_id}"
        ticket_items.append({
            "pk": _s(timer_pk), "sk": _s("TIMER#survey#0000000005"), "kind": _s("survey"), "subject": _s(ticket_id),
            "resolution": _n(5), "agent_id": _s("a" * 32), "generation": _n(0), "attempts": _n(0),
            "fire_at": _s(fire_at), "due_at": _s(fire_at), "due_shard": _s(shard_for("survey", timer_pk)),
        })
    spending_items: list[dict[str, Any]] = []
    for i in range(digests):
        user_id = uuid.uuid4().hex
        pk = f"USER#{user_id}"
        spending_items += [
            {
                "pk": _s(pk), "sk": _s("PROFILE"), "user_id": _s(user_id), "email": _s(f"spender{i}@example.com"),
                "currency": _s("USD"), "monthly_limit": _n(50_000), "category_limits": {"M": {"groceries": _n(20_000)}},
                "thresholds": {"L": [_n(80), _n(100)]}, "digest": _s("monthly"), "timezone": _s("UTC"),
                "categories": {"L": []}, "created_at": _s(fire_at), "updated_at": _s(fire_at), "version": _n(1),
            },
            {"pk": _s(pk), "sk": _s(f"TOTAL#{previous_month}"), "month": _s(previous_month), "total": _n(25_000),
             "count": _n(9)},
            {"pk": _s(pk), "sk": _s(f"TOTAL#{month}"), "month": _s(month), "total": _n(30_000 + i), "count": _n(12)},
            {"pk": _s(pk), "sk": _s(f"TOTAL#{month}#CAT#groceries"), "month": _s(month), "category": _s("groceries"),
             "total": _n(18_000), "count": _n(7)},
            {"pk": _s(f"TIMERS#{pk}"), "sk": _s("TIMER#digest"), "kind": _s("digest"), "subject": _s(user_id),
             "preference": _s("monthly"), "timezone": _s("UTC"), "generation": _n(0), "attempts": _n(0),
             "fire_at": _s(fire_at), "due_at": _s(fire_at), "due_shard": _s(shard_for("digest", f"TIMERS#{pk}"))},
        ]
    _batch_write("TicketsTable", ticket_items)
    _batch_write("SpendingTable", spending_items)


@contextmanager
def emulator_shortcuts() -> Iterator[None]:
    """Cheaper SQS internals while measuring: the queue reads the clock once per walk instead of once per
    message, and takes its length as its approximate size. (The DynamoDB shortcuts, a Query reading one
    partition and transactions backing up only the items they touch, are the local stack's own:
    infra.local.engine.speed_up_moto.)"""
    from moto.core.utils import unix_time_millis
    from moto.sqs.models import Queue

    counts = ("approximate_number_of_messages", "approximate_number_of_messages_not_visible",
              "approximate_number_of_messages_delayed")
    real_queue = {name: getattr(Queue, name) for name in ("messages", *counts)}

    def messages(self: Any) -> list[Any]:
        now = unix_time_millis()
        return [m for m in self._messages if now > m.visible_at and not now < m.delayed_until]

    def approximate(kind: str) -> property:
        return property(lambda self: len(self._messages) if kind == "approximate_number_of_messages" else 0)

    Queue.messages = property(messages)
    for name in counts:
        setattr(Queue, name, approximate(name))
    try:
        yield
    finally:
        for name, real in real_queue.items():
            setattr(Queue, name, real)


class _Timed:
    """Time spent inside one function's handler (the product), apart from the local poller around it: CPU
    time of the thread (what the code and the emulator it calls cost, whatever else shares the machine)
    and wall time."""

    def __init__(self, stack: LocalStack, logical_id: str) -> None:
        self.module = stack.functions[logical_id].module
        self.real = self.module.lambda_handler
        self.seconds = 0.0
        self.wall = 0.0

    def __enter__(self) -> _Timed:
        def timed(event: dict[str, Any], context: Any) -> Any:
            cpu, wall = time.thread_time(), time.perf_counter()
            try:
                return self.real(event, context)
            finally:
                self.seconds += time.thread_time() - cpu
                self.wall += time.perf_counter() - wall

        self.module.lambda_handler = timed
        return self

    def __exit__(self, *exc: object) -> None:
        self.module.lambda_handler = self.real


def run_once(items: int, progress: Progress, worker_sample: int | None = None) -> dict[str, Any]:
    surveys, digests = items // 2, items - items // 2
    stack = LocalStack(seed=None, log_level="ERROR").start()
    try:
        with emulator_shortcuts(), unsampled_logs(stack):
            return _run_once(stack, items, surveys, digests, progress, worker_sample or items)
    finally:
        gc.unfreeze()
        stack.stop()


@contextmanager
def unsampled_logs(stack: LocalStack) -> Iterator[None]:
    """The template samples 5 % of invocations at DEBUG; over thousands of items those lines would bury the
    bench's table, so the quiet stack stays quiet while this section runs."""
    loggers = [f.module.logger for f in stack.functions.values() if hasattr(f.module, "logger")]
    rates = [(logger, logger.sampling_rate) for logger in loggers]
    for logger in loggers:
        logger.sampling_rate = None
        logger._logger.setLevel(logger.initial_log_level)  # undo a sampled invocation's DEBUG
    try:
        yield
    finally:
        for logger, rate in rates:
            logger.sampling_rate = rate


def _drain_worker(stack: LocalStack, emails: int) -> None:
    """Deliver queued work batch by batch until `emails` more emails went out (all of it if that is all)."""
    target = stack.outbox_size() + emails
    while stack.outbox_size() < target:
        if stack.pump() == 0:
            return


def _run_once(
    stack: LocalStack, items: int, surveys: int, digests: int, progress: Progress, worker_sample: int
) -> dict[str, Any]:
    """Seed, then time and count the schedule run and the worker's first `worker_sample` items separately."""
    from pennydesk.platform.settings import get_settings
    from pennydesk.spending.reports import shift_month

    idempotency = get_settings().idempotency_table
    fire = _next_first_of_month(stack.now())  # the monthly digests' moment; the surveys are due by then too
    month = (fire - timedelta(days=1)).strftime("%Y-%m")  # the month those digests report on
    progress(f"  {items:,} due items: seeding {surveys:,} survey tickets and {digests:,} digest users")
    seed(surveys, digests, fire, month, shift_month(month, -1))
    stack.skip_stream_backlog()
    # The emulator's tables live in this process's heap; on AWS they are not the function's garbage to scan.
    gc.collect()
    gc.freeze()
    moment = fire + timedelta(minutes=5)
    stack.advance_clock(moment)
    event = {
        "version": "0", "id": str(uuid.uuid4()), "detail-type": "Scheduled Event", "source": "aws.events",
        "account": DEFAULT_ACCOUNT_ID, "time": _iso(moment), "region": REGION, "resources": [], "detail": {},
    }
    progress(f"  {items:,} due items: the schedule run")
    with count_calls(idempotency) as scheduler_calls, _Timed(stack, "SchedulerFunction") as scheduler_time:
        started = time.perf_counter()
        counts = stack.invoke("SchedulerFunction", event)
        scheduler_wall = time.perf_counter() - started
    # The leases wrote one stream record per item on timer items, which both stream mappings' filters drop
    # (they take TICKET# and TOTAL# items only); reading past them is moto's cost, not the worker's.
    stack.skip_stream_backlog()
    progress(f"  {items:,} due items: the worker takes the first {worker_sample:,} of them")
    sent_before = len(stack.outbox())
    with count_calls(idempotency) as worker_calls, _Timed(stack, "WorkerFunction") as worker_time:
        started = time.perf_counter()
        _drain_worker(stack, worker_sample)
        worker_wall = time.perf_counter() - started
    sent = stack.outbox()[sent_before:]
    emails = len(sent)
    if counts.get("enqueued") != items or not worker_sample <= emails < worker_sample + 10:
        raise RuntimeError(f"the run did not do its job: {counts}, {emails} emails for {worker_sample} items")
    return {
        "items": items,
        "worker_items": emails,
        "worker_surveys": sum("How did we do?" in m["subject"] for m in sent),
        "counts": counts,
        "emails": emails,
        "scheduler_seconds": scheduler_time.seconds,
        "scheduler_function_wall": scheduler_time.wall,
        "scheduler_wall": scheduler_wall,
        "scheduler_calls": scheduler_calls,
        "worker_seconds": worker_time.seconds,
        "worker_function_wall": worker_time.wall,
        "worker_wall": worker_wall,
        "worker_calls": worker_calls,
    }



def _describe(calls: Calls) -> str:
    return calls.describe()


def measure(quick: bool) -> list[Row]:
    rows, _, _ = run(quick, lambda message: None)
    return rows


def run(quick: bool, progress: Progress) -> tuple[list[Row], list[str], dict[str, Any]]:
    small, large = QUICK_SIZES if quick else FULL_SIZES
    progress(f"scheduled work: a warm-up run, then one schedule run with {small:,} and with {large:,} due items")
    sample = QUICK_WORKER_SAMPLE if quick else FULL_WORKER_SAMPLE
    run_once(WARM_UP, lambda message: None)  # imports, template compiles, first clients: not what is compared
    results = {n: run_once(n, progress, sample) for n in (small, large)}
    a, b = results[small], results[large]

    def per_item(result: dict[str, Any], key: str) -> float:
        return result[key] / result["worker_items" if key.startswith("worker") else "items"]

    def row(name: str, value: float, base: float, unit: str, note: str = "") -> Row:
        return Row(SECTION, f"{name} ({large:,} due)", value, unit, f"{small:,} due", base, unit, note, TARGET)

    rows = [
        row("Schedule run (lease + enqueue): time per due item",
            per_item(b, "scheduler_seconds") * 1000, per_item(a, "scheduler_seconds") * 1000, "ms",
            "CPU time in the function"),
        row("Schedule run: DynamoDB requests per due item",
            b["scheduler_calls"].dynamodb_total / large, a["scheduler_calls"].dynamodb_total / small, "req"),
        row("Worker (survey email): time per due item",
            per_item(b, "worker_seconds") * 1000, per_item(a, "worker_seconds") * 1000, "ms",
            f"CPU time in the function; the first {sample:,} items of each backlog (the surveys come first)"),
        row("Worker: DynamoDB requests per due item",
            b["worker_calls"].dynamodb_total / b["worker_items"], a["worker_calls"].dynamodb_total / a["worker_items"],
            "req", "incl. idempotency records"),
    ]
    notes = [
        "Scheduled work: half the due items are survey tickets, half monthly-digest users with spending; "
        "seeded with BatchWriteItem (not the API) so 10,000 take seconds, not minutes. Measured with "
        "the local stack's speed_up_moto (a Query reads one partition, a GSI query skips the whole-table sort) and "
        "bench.schedule.emulator_shortcuts (SQS reads the clock once per queue walk): moto's costs that DynamoDB "
        "and SQS don't have (the scheduler's 50 GSI queries a run still scan).",
    ]
    for result in (a, b):
        n = result["items"]
        notes += [
            f"  {n:,} due: scheduler {result['scheduler_seconds']:.1f} s CPU, {result['scheduler_wall']:.1f} s wall; "
            f"{_describe(result['scheduler_calls'])}",
            f"  {n:,} due: worker, first {result['worker_items']:,} items ({result['worker_surveys']:,} surveys): "
            f"{result['worker_seconds']:.1f} s CPU "
            f"({result['worker_function_wall']:.1f} s wall) in the function, {result['worker_wall']:.1f} s "
            f"draining in all (the rest is the local poller and moto's SQS); {result['emails']:,} emails; "
            f"{_describe(result['worker_calls'])}",
        ]
    raw = {
        str(r["items"]): {
            "counts": r["counts"],
            "scheduler_seconds": r["scheduler_seconds"],
            "worker_seconds": r["worker_seconds"],
            "scheduler_wall_seconds": r["scheduler_wall"],
            "worker_function_wall_seconds": r["worker_function_wall"],
            "worker_drain_wall_seconds": r["worker_wall"],
            "scheduler_dynamodb": dict(r["scheduler_calls"].dynamodb),
            "worker_dynamodb": dict(r["worker_calls"].dynamodb),
            "worker_idempotency": dict(r["worker_calls"].idempotency),
            "worker_services": dict(r["worker_calls"].by_service),
        }
        for r in (a, b)
    }
    return rows, notes, raw


if __name__ == "__main__":
    import sys
    import warnings

    from bench.report import render_table

    warnings.filterwarnings("ignore", message="No application metrics to publish")
    began = time.perf_counter()
    table_rows, table_notes, _ = run(
        "--quick" in sys.argv,
        lambda message: print(f"  [{time.perf_counter() - began:6.1f} s] {message}", file=sys.stderr, flush=True),
    )
    print(render_table(table_rows))
    print("\n".join(table_notes))
