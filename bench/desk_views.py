"""The desk's views and searches cost the same with 100 or 100,000 tickets on the desk.

One stack, one agent with 10 open tickets (submitted through the API and assigned by the stream). The agent
signs in and reads one page of each view and each kind of search (number, customer email, subject words);
then 100, and later 100,000 (--quick: 10,000), resolved tickets are written straight into the table with
BatchWriteItem, each as the product stores it (the view keys desk_keys computes, its customer key and its
subject's word items), and the same pages are read again. Each view is one Query on an index built for it,
reading one page, so DynamoDB requests and the product's CPU (outside AWS calls) per page should not move.
moto's GSI queries scan the whole table, so wall time is reported but not compared.
"""

from __future__ import annotations

import gc
import statistics
import time
import uuid
from typing import Any
from urllib.parse import urlencode

import boto3

from bench.counting import count_calls
from bench.import_csv import session
from bench.queue import OPEN_TICKETS, one_agent_desk
from bench.report import Row
from infra.local.engine import REGION, LocalStack

SECTION = "desk"
SMALL, LARGE, QUICK_LARGE = 100, 100_000, 10_000
AGENT = "desk-agent@bench.local"
WORDS = ("refund", "invoice", "password", "export", "login", "card", "plan", "receipt", "address", "crash")


def _s(value: str) -> dict[str, str]:
    return {"S": value}


def pages() -> dict[str, dict[str, str]]:
    """Each page the desk reads: every view, and a search of each kind that finds old tickets too."""
    return {
        "view=open": {"view": "open"}, "view=unassigned": {"view": "unassigned"}, "view=mine": {"view": "mine"},
        "view=waiting": {"view": "waiting"}, "view=resolved": {"view": "resolved"}, "view=all": {"view": "all"},
        "q=#number": {"view": "all", "q": "#1005"}, "q=email": {"view": "all", "q": "old7@example.com"},
        "q=subject words": {"view": "all", "q": "refund invoice"},
    }


def seed_resolved(count: int, first_number: int) -> None:
    """`count` resolved tickets, stored as the product stores them (view keys, customer key, word items)."""
    from pennydesk.helpdesk.subject_words import words_of
    from pennydesk.helpdesk.ticket_records import customer_key, desk_keys, recency_key, word_pk
    from pennydesk.platform.settings import get_settings

    table = get_settings().tickets_table
    client = boto3.client("dynamodb", region_name=REGION)
    items: list[dict[str, Any]] = []
    for i in range(count):
        ticket_id = uuid.uuid4().hex
        at = f"2025-{1 + i % 12:02d}-{1 + i % 28:02d}T{i % 24:02d}:00:00Z"
        subject = f"Old {WORDS[i % 10]} {WORDS[(i // 10) % 10]} question {i}"
        email = f"old{i % 5000}@example.com"
        keys = {k: _s(v) for k, v in desk_keys("resolved", "normal", at, at, ticket_id).items() if v is not None}
        items.append({
            "pk": _s(f"TICKET#{ticket_id}"), "sk": _s("TICKET"), "ticket_id": _s(ticket_id),
            "number": {"N": str(first_number + i)}, "status": _s("resolved"), "subject": _s(subject),
            "description": _s("Answered long ago."), "category": _s("general"), "priority": _s("normal"),
            "customer_name": _s(f"Customer {i}"), "customer_email": _s(email), "customer_key": _s(customer_key(email)),
            "assignment_seq": {"N": "1"}, "created_at": _s(at), "updated_at": _s(at), "resolved_at": _s(at),
            "version": {"N": "6"}, **keys,
        })
        words = words_of(subject)
        for word in words:
            items.append({"pk": _s(word_pk(word)), "sk": _s(recency_key(at, ticket_id)), "ticket_id": _s(ticket_id),
                          "words": _s(" ".join(words))})
    for start in range(0, len(items), 25):
        pending = {table: [{"PutRequest": {"Item": item}} for item in items[start : start + 25]]}
        while pending:
            pending = client.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}


def read_pages(stack: LocalStack, auth: dict[str, str], runs: int) -> dict[str, dict[str, float]]:
    from pennydesk.platform.settings import get_settings

    measured = {}
    for name, query in pages().items():
        outside, requests, times = [], [], []
        for _ in range(runs):
            with count_calls(get_settings().idempotency_table) as calls:
                began, cpu = time.perf_counter(), time.thread_time()
                result = stack.http("GET", "/api/agent/tickets", query=urlencode(query), headers=auth)
                elapsed, cpu = time.perf_counter() - began, time.thread_time() - cpu
            if result.status != 200:
                raise RuntimeError(f"{name} answered {result.status}: {result.body[:200]!r}")
            times.append(elapsed * 1000)
            outside.append((cpu - calls.cpu_seconds) * 1000)
            requests.append(calls.dynamodb_total)
        measured[name] = {"ms": statistics.median(times), "outside_ms": statistics.median(outside),
                          "requests": statistics.mean(requests)}
    return measured


def run(quick: bool) -> tuple[list[Row], list[str]]:
    runs = 5 if quick else 9
    large_count = QUICK_LARGE if quick else LARGE
    stack = one_agent_desk(AGENT, "Desk Agent", "Open refund question")
    try:
        auth = session(stack, AGENT)
        seed_resolved(SMALL, 100_000)
        read_pages(stack, auth, 2)  # warm-up: route tables, clients
        small = read_pages(stack, auth, runs)
        seeded_at = time.perf_counter()
        seed_resolved(large_count - SMALL, 200_000)
        seed_seconds = time.perf_counter() - seeded_at
        gc.collect()
        gc.freeze()  # the emulator's tables are not the function's garbage on AWS
        large = read_pages(stack, auth, runs)
    finally:
        gc.unfreeze()
        stack.stop()
    rows = []
    for name in pages():
        rows.append(Row(SECTION, f"Desk {name}, {large_count:,} tickets: DynamoDB requests per page",
                        large[name]["requests"], "req", f"{SMALL} tickets", small[name]["requests"], "req",
                        target=1.2))
        rows.append(Row(SECTION, f"  {name}: CPU outside AWS calls, median of {runs}", large[name]["outside_ms"],
                        "ms", f"{SMALL} tickets", small[name]["outside_ms"], "ms", target=1.2))
    notes = [f"Desk views: {OPEN_TICKETS} open tickets through the API; {large_count - SMALL:,} resolved tickets "
             f"(with their word items) seeded with BatchWriteItem in {seed_seconds:.1f} s, outside the timed part; "
             "wall time per page (moto scans the table for a GSI query) is in the JSON only."]
    return rows, notes


if __name__ == "__main__":
    import sys
    import warnings

    from bench.report import render_table

    warnings.filterwarnings("ignore", message="No application metrics to publish")
    table_rows, table_notes = run("--quick" in sys.argv)
    print(render_table(table_rows))
    print("\n".join(table_notes))
