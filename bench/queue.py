"""The agent's queue page costs the same with 10 or 10,000 closed tickets in the agent's history.

One stack, one agent with 10 open tickets (submitted through the API and assigned by the stream). The
agent signs in through the emailed link and reads GET /api/agent/queue; then 10, and later 10,000, closed
tickets of that agent are written straight into the table with BatchWriteItem
(through the API, 10,000 tickets would take minutes), and the same page is read again. The queue is one
Query on a sparse index that holds only open tickets, so requests per page should not move.
"""

from __future__ import annotations

import gc
import statistics
import time
import uuid
from typing import Any

import boto3

from bench.counting import count_calls
from bench.import_csv import session
from bench.report import Row
from infra.local.engine import REGION, LocalStack

SECTION = "queue"
OPEN_TICKETS = 10
SMALL, LARGE = 10, 10_000
AGENT = "queue-agent@bench.local"


def _s(value: str) -> dict[str, str]:
    return {"S": value}


def _agent_id() -> str:
    from pennydesk.platform.settings import get_settings

    client = boto3.client("dynamodb", region_name=REGION)
    items = client.scan(TableName=get_settings().agents_table, ConsistentRead=True)["Items"]
    return next(i["agent_id"]["S"] for i in items if i.get("email", {}).get("S") == AGENT and "agent_id" in i)


def seed_closed(agent_id: str, count: int, first_number: int) -> None:
    """`count` closed tickets of `agent_id`, as the workflow leaves the ticket item (its history entries live
    in each ticket's own partition, which the queue's index never reads)."""
    from pennydesk.platform.settings import get_settings

    table = get_settings().tickets_table
    client = boto3.client("dynamodb", region_name=REGION)
    items: list[dict[str, Any]] = []
    for i in range(count):
        ticket_id = uuid.uuid4().hex
        at = f"2026-{1 + i % 10:02d}-{1 + i % 28:02d}T10:00:00Z"
        items.append({
            "pk": _s(f"TICKET#{ticket_id}"), "sk": _s("TICKET"), "ticket_id": _s(ticket_id),
            "number": {"N": str(first_number + i)}, "status": _s("closed"), "subject": _s(f"Old question {i}"),
            "description": _s("Answered long ago."), "category": _s("general"), "priority": _s("normal"),
            "customer_name": _s(f"Customer {i}"), "customer_email": _s(f"old{i}@example.com"),
            "agent_id": _s(agent_id), "assignment_seq": {"N": "1"}, "created_at": _s(at), "updated_at": _s(at),
            "assigned_at": _s(at), "first_response_at": _s(at), "resolved_at": _s(at), "version": {"N": "6"},
        })
    for start in range(0, len(items), 25):
        pending = {table: [{"PutRequest": {"Item": item}} for item in items[start : start + 25]]}
        while pending:
            pending = client.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}


def read_queue(stack: LocalStack, auth: dict[str, str], runs: int) -> dict[str, Any]:
    from pennydesk.platform.settings import get_settings

    times, outside, requests = [], [], []
    for _ in range(runs):
        with count_calls(get_settings().idempotency_table) as calls:
            began, cpu = time.perf_counter(), time.thread_time()
            result = stack.http("GET", "/api/agent/queue", headers=auth)
            elapsed, cpu = time.perf_counter() - began, time.thread_time() - cpu
        if result.status != 200 or len(result.json()["tickets"]) != OPEN_TICKETS:
            raise RuntimeError(f"queue answered {result.status}: {result.body[:200]!r}")
        times.append(elapsed * 1000)
        # CPU time, not wall time: what the product itself costs, whatever else shares the machine.
        outside.append((cpu - calls.cpu_seconds) * 1000)
        requests.append(calls.dynamodb_total)
    return {
        "ms": statistics.median(times),
        "outside_ms": statistics.median(outside),
        "requests": statistics.mean(requests),
        "describe": calls.describe(),
    }


def one_agent_desk(agent: str, name: str, subject: str) -> LocalStack:
    """A started stack whose one agent covers "general" and holds OPEN_TICKETS open tickets, opened through
    the API (their subjects numbered after `subject`)."""
    import json
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory(prefix="pennydesk-bench-") as tmp:
        seed = Path(tmp) / "seed.json"
        seed.write_text(json.dumps({"admins": [], "agents": [
            {"name": name, "email": agent, "categories": ["general"]}]}), encoding="utf-8")
        stack = LocalStack(seed=seed, log_level="ERROR").start()
    for i in range(OPEN_TICKETS):
        created = stack.http("POST", "/api/tickets", json_body={
            "name": f"Customer {i}", "email": f"open{i}@example.com", "subject": f"{subject} {i}",
            "description": "Still waiting.", "category": "general", "priority": ("low", "normal", "high")[i % 3],
        })
        if created.status != 201:
            stack.stop()
            raise RuntimeError(f"POST /api/tickets answered {created.status}")
    stack.drain()
    return stack


def run(quick: bool) -> tuple[list[Row], list[str]]:
    runs = 20 if quick else 30
    stack = one_agent_desk(AGENT, "Queue Agent", "Open question")
    try:
        auth = session(stack, AGENT)
        agent_id = _agent_id()
        seed_closed(agent_id, SMALL, 100_000)
        read_queue(stack, auth, 3)  # warm-up: route tables, clients
        small = read_queue(stack, auth, runs)
        seeded_at = time.perf_counter()
        seed_closed(agent_id, LARGE - SMALL, 200_000)
        seed_seconds = time.perf_counter() - seeded_at
        # The emulator's tables live in this process's heap; on AWS they are not the function's garbage to
        # scan, so they are moved out of the collector's way before the page is timed again.
        gc.collect()
        gc.freeze()
        large = read_queue(stack, auth, runs)
    finally:
        gc.unfreeze()
        stack.stop()
    rows = [
        Row(SECTION, "Agent queue, 10,000 closed tickets: DynamoDB requests per page", large["requests"], "req",
            "10 closed tickets", small["requests"], "req", target=1.2,
            note="session lookup + agent + one Query on the sparse agent_queue index"),
        Row(SECTION, f"Agent queue GET /api/agent/queue, 10,000 closed tickets, median of {runs}", large["ms"], "ms",
            "10 closed tickets", small["ms"], "ms", note="includes moto, which scans every item for a GSI query"),
        Row(SECTION, "  of which CPU outside AWS calls (pennydesk + pynamodb + Powertools)", large["outside_ms"],
            "ms", "10 closed tickets", small["outside_ms"], "ms", target=1.2),
    ]
    notes = [
        f"Agent queue: {OPEN_TICKETS} open tickets through the API; closed ticket items "
        f"seeded with BatchWriteItem ({LARGE - SMALL:,} in {seed_seconds:.1f} s, outside the timed part).",
        f"  one page with {LARGE:,} closed: {large['describe']}",
    ]
    return rows, notes


if __name__ == "__main__":
    import sys
    import warnings

    from bench.report import render_table

    warnings.filterwarnings("ignore", message="No application metrics to publish")
    table_rows, table_notes = run("--quick" in sys.argv)
    print(render_table(table_rows))
    print("\n".join(table_notes))
