"""The desk's views and searches cost the same with 100 or 100,000 tickets on the desk.

One stack, one agent with 10 open tickets (submitted through the API and assigned by the stream). Resolved
tickets are stored as the product stores them (the view keys `desk_keys` computes, the customer key, the
subject's word items), put straight into moto's table in this process: the same items BatchWriteItem would
store, without a request, a stream record or a JSON round trip each (100,000 tickets and their 500,000 word
items take seconds instead of 18 minutes). A ticket stored by hand is no change the stream functions should
see, and none of them runs here.

Both sizes live in the same table at once: the small desk is a copy of the table's partitions taken before
the large seeding, and each measurement swaps which one moto reads (one attribute). So the two sizes are
measured interleaved, page by page, with the same heap and the same neighbours on the machine, many times;
the table reports the minimum and the median of each page's CPU outside AWS calls (the minimum is what the
code costs; the median shows how much the machine's noise moved it). Every page reads the same number of
rows at both sizes (a searched customer and subject have at least a page of tickets at both), so a bigger
page can't pass for a cost that grows with the desk. moto's GSI queries scan the whole table, so wall time
is not compared.
"""

from __future__ import annotations

import gc
import statistics
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from bench.counting import count_calls
from bench.import_csv import session
from bench.queue import OPEN_TICKETS, one_agent_desk
from bench.report import Row
from infra.local.engine import REGION, LocalStack

SECTION = "desk"
SMALL, LARGE, QUICK_LARGE = 100, 100_000, 10_000
AGENT = "desk-agent@bench.local"
WORDS = ("receipt", "password", "export", "login", "card", "plan", "address", "crash", "upgrade", "coupon")
REGULAR = "regular@example.com"  # a customer with more than a page of tickets at either size
EVERY = 3  # one ticket in EVERY is the regular customer's "Refund for invoice ..."


def _s(value: str) -> dict[str, str]:
    return {"S": value}


def pages() -> dict[str, dict[str, str]]:
    """Each page the desk reads: every view, and a search of each kind that finds old tickets too."""
    return {
        "view=open": {"view": "open"}, "view=unassigned": {"view": "unassigned"}, "view=mine": {"view": "mine"},
        "view=waiting": {"view": "waiting"}, "view=resolved": {"view": "resolved"}, "view=all": {"view": "all"},
        "q=#number": {"view": "all", "q": "#1005"}, "q=email": {"view": "all", "q": REGULAR.upper()},
        "q=subject words": {"view": "all", "q": "refund invoice"},
    }


def resolved_items(count: int, first_number: int) -> list[dict[str, Any]]:
    """`count` resolved tickets and their word items, as the product stores them."""
    from pennydesk.helpdesk.subject_words import words_of
    from pennydesk.helpdesk.ticket_records import customer_key, desk_keys, recency_key, word_pk

    items: list[dict[str, Any]] = []
    for i in range(count):
        ticket_id = uuid.uuid4().hex
        at = f"2025-{1 + i % 12:02d}-{1 + i % 28:02d}T{i % 24:02d}:{i % 60:02d}:00Z"
        regular = i % EVERY == 0
        subject = f"Refund for invoice {i}" if regular else f"Old {WORDS[i % 10]} {WORDS[(i // 10) % 10]} question {i}"
        email = REGULAR if regular else f"old{i % 5000}@example.com"
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
    return items


def _table() -> Any:
    """moto's tickets table in this process (the stack runs moto in-process)."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends
    from pennydesk.platform.settings import get_settings

    return dynamodb_backends[DEFAULT_ACCOUNT_ID][REGION].tables[get_settings().tickets_table]


def store(items: list[dict[str, Any]]) -> None:
    """Put `items` into moto's table as its PutItem would keep them (no request, no stream record)."""
    from moto.dynamodb.models.dynamo_type import DynamoType, Item

    table = _table()
    for attrs in items:
        hash_value, range_value = DynamoType(attrs["pk"]), DynamoType(attrs["sk"])
        table.items[hash_value][range_value] = Item(hash_value, range_value, attrs)


def snapshot() -> defaultdict[Any, dict[Any, Any]]:
    """The table's partitions as they are now (the items themselves are shared, not copied)."""
    partitions: defaultdict[Any, dict[Any, Any]] = defaultdict(dict)
    for hash_value, partition in _table().items.items():
        partitions[hash_value] = dict(partition)
    return partitions


def measure_page(stack: LocalStack, auth: dict[str, str], query: dict[str, str]) -> tuple[float, int, float, int]:
    """(CPU ms outside AWS calls, DynamoDB requests, wall ms, rows) of one page."""
    from pennydesk.platform.settings import get_settings

    with count_calls(get_settings().idempotency_table) as calls:
        began, cpu = time.perf_counter(), time.thread_time()
        result = stack.http("GET", "/api/agent/tickets", query=urlencode(query), headers=auth)
        elapsed, cpu = time.perf_counter() - began, time.thread_time() - cpu
    if result.status != 200:
        raise RuntimeError(f"{query} answered {result.status}: {result.body[:200]!r}")
    return (cpu - calls.cpu_seconds) * 1000, calls.dynamodb_total, elapsed * 1000, len(result.json()["tickets"])


def interleaved(
    stack: LocalStack, auth: dict[str, str], desks: dict[str, Any], runs: int, use: Callable[[Any], None]
) -> dict[str, dict[str, dict[str, Any]]]:
    """Every page at every size, `runs` times, the sizes alternating (and which goes first alternating too)."""
    samples: dict[str, dict[str, dict[str, list[float]]]] = {
        size: {name: defaultdict(list) for name in pages()} for size in desks
    }
    order = list(desks)
    for run_index in range(runs):
        for name, query in pages().items():
            for size in order if run_index % 2 == 0 else reversed(order):
                use(desks[size])
                cpu, requests, wall, rows = measure_page(stack, auth, query)
                for key, value in (("cpu", cpu), ("requests", requests), ("ms", wall), ("rows", rows)):
                    samples[size][name][key].append(value)
    return {
        size: {
            name: {
                "cpu_min": min(s["cpu"]), "cpu_median": statistics.median(s["cpu"]),
                "requests": statistics.mean(s["requests"]), "ms": statistics.median(s["ms"]),
                "rows": sorted(set(s["rows"])),
            }
            for name, s in by_page.items()
        }
        for size, by_page in samples.items()
    }


def run(quick: bool) -> tuple[list[Row], list[str]]:
    runs = 15 if quick else 41
    large_count = QUICK_LARGE if quick else LARGE
    stack = one_agent_desk(AGENT, "Desk Agent", "Open refund question")
    table = _table()
    large_desk = table.items  # the large desk is the table itself, seeded in place
    try:
        auth = session(stack, AGENT)
        store(resolved_items(SMALL, 100_000))
        small_desk = snapshot()
        seeded_at = time.perf_counter()
        store(resolved_items(large_count - SMALL, 200_000))
        seed_seconds = time.perf_counter() - seeded_at
        stored = sum(len(p) for p in large_desk.values())

        def use(desk: Any) -> None:
            table.items = desk

        interleaved(stack, auth, {"small": small_desk, "large": large_desk}, 2, use)  # warm-up
        gc.collect()
        gc.freeze()  # the emulator's tables are not the function's garbage on AWS
        measured = interleaved(stack, auth, {"small": small_desk, "large": large_desk}, runs, use)
    finally:
        table.items = large_desk
        gc.unfreeze()
        stack.stop()
    small, large = measured["small"], measured["large"]
    rows = []
    for name in pages():
        if small[name]["rows"] != large[name]["rows"]:
            raise RuntimeError(f"{name}: pages of {small[name]['rows']} vs {large[name]['rows']} rows are not a pair")
        count = large[name]["rows"][0]
        shown = f"{count} row{'' if count == 1 else 's'}"
        rows.append(Row(SECTION, f"Desk {name}, {large_count:,} tickets: DynamoDB requests per page ({shown})",
                        large[name]["requests"], "req", f"{SMALL} tickets", small[name]["requests"], "req",
                        target=1.2))
        rows.append(Row(SECTION, f"  {name}: CPU outside AWS calls, min of {runs}", large[name]["cpu_min"],
                        "ms", f"{SMALL} tickets", small[name]["cpu_min"], "ms", target=1.2))
        rows.append(Row(SECTION, f"  {name}: the same, median of {runs}", large[name]["cpu_median"],
                        "ms", f"{SMALL} tickets", small[name]["cpu_median"], "ms", target=1.2))
    notes = [f"Desk views: {OPEN_TICKETS} open tickets through the API; {large_count - SMALL:,} resolved tickets "
             f"and their word items ({stored:,} items in the table) put into moto's table directly in "
             f"{seed_seconds:.1f} s; the {SMALL}- and {large_count:,}-ticket desks measured interleaved, "
             f"{runs} times each; each pair reads pages of the same size. Wall time (moto scans the table for a "
             "GSI query) is in the JSON only."]
    return rows, notes


if __name__ == "__main__":
    import sys
    import warnings

    from bench.report import render_table

    warnings.filterwarnings("ignore", message="No application metrics to publish")
    table_rows, table_notes = run("--quick" in sys.argv)
    print(render_table(table_rows))
    print("\n".join(table_notes))
