"""Figures measured inside one process on the local stack (moto + the real handlers): intake latency,
AWS requests per intake / assignment / stream pass, and assignment as the roster grows."""

from __future__ import annotations

import json
import math
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3

from bench.counting import Calls, count_calls
from bench.report import Row
from infra.local.engine import REGION, LocalStack

Progress = Callable[[str], None]
CATEGORY = "general"
ADMIN = "admin@bench.local"


def p95(samples: list[float]) -> float:
    """Nearest-rank 95th percentile."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def ms(seconds: float) -> float:
    return seconds * 1000


def write_seed(folder: Path, agents: int) -> Path:
    path = folder / f"seed-{agents}-agents.json"
    roster = [
        {"name": f"Agent {i:04d}", "email": f"agent{i:04d}@bench.local", "categories": [CATEGORY, "technical"]}
        for i in range(agents)
    ]
    path.write_text(json.dumps({"admins": [ADMIN], "agents": roster}), encoding="utf-8")
    return path


def ticket_body(i: int) -> dict[str, str]:
    return {
        "name": f"Customer {i}",
        "email": f"customer{i}@example.com",
        "subject": f"Cannot sign in ({i})",
        "description": "Since this morning the sign-in link says it has expired.\nTried twice.",
        "category": CATEGORY,
        "priority": "normal",
    }


def customer_ip(i: int) -> str:
    """Customer i's address: real customers write from many, and intake limits each IP (intake.TICKETS_PER_IP)."""
    return f"198.18.{i // 250 % 250}.{i % 250 + 1}"


def post_ticket(stack: LocalStack, i: int) -> dict[str, Any]:
    """The hosted form's request: JSON body plus a fresh Idempotency-Key per submission."""
    result = stack.http(
        "POST", "/api/tickets", json_body=ticket_body(i), headers={"Idempotency-Key": uuid.uuid4().hex},
        source_ip=customer_ip(i),
    )
    if result.status != 201:
        raise RuntimeError(f"POST /api/tickets answered {result.status}: {result.body[:300]!r}")
    return result.json()


def idempotency_table() -> str:
    from pennydesk.platform.settings import get_settings

    return get_settings().idempotency_table


def new_tickets(count: int, offset: int = 0) -> list[Any]:
    """Tickets created by the domain (as intake does) and loaded back, ready for assign()."""
    from pennydesk.helpdesk import intake
    from pennydesk.helpdesk.ticket_records import Ticket
    from routes.helpdesk.tickets import NewTicket  # the API function's folder is on the path once the stack runs

    tickets = []
    for i in range(count):
        created = intake.create_ticket(NewTicket.model_validate(ticket_body(offset + i)).to_domain())
        tickets.append(Ticket.get_by_id(created.ticket_id, consistent=True))
    return tickets


# ---------------------------------------------------------------------------------------- requests
def requests_per_operation(stack: LocalStack, progress: Progress) -> tuple[list[Row], list[str], dict[str, Any]]:
    from pennydesk.helpdesk.assignment import AlreadyAssigned, Assigned, assign
    from pennydesk.helpdesk.ticket_records import Ticket

    table = idempotency_table()
    # One full ticket first, so what follows is the warm steady state (clients built, secret cached).
    post_ticket(stack, 0)
    stack.drain()

    progress("requests per intake (POST /api/tickets with Idempotency-Key)")
    with count_calls(table) as intake_calls:
        created = post_ticket(stack, 1)

    progress("requests per stream pass (INSERT + MODIFY for that ticket)")
    sent_before = len(stack.outbox())
    with count_calls(table) as stream_calls:
        stack.drain()
    emails = len(stack.outbox()) - sent_before
    status = Ticket.get_by_id(created["id"], consistent=True).status
    if status != "assigned" or emails != 2:
        raise RuntimeError(f"stream pass did not do its job: status {status!r}, {emails} emails")

    progress("requests per assign() on a fresh ticket, and on a redelivery")
    (ticket,) = new_tickets(1, offset=2)
    with count_calls(table) as assign_calls:
        first = assign(ticket)
    with count_calls(table) as repeat_calls:
        again = assign(ticket)  # the same stale image a redelivered INSERT record carries
    if not isinstance(first, Assigned) or not isinstance(again, AlreadyAssigned):
        raise RuntimeError(f"unexpected assignment results: {first!r}, {again!r}")

    rows = [
        Row(
            "requests",
            "Intake POST /api/tickets: DynamoDB requests",
            intake_calls.dynamodb_total,
            "req",
            "excluding idempotency records",
            intake_calls.dynamodb_product,
            "req",
            note="with Idempotency-Key, as the form sends",
        ),
        Row(
            "requests",
            "Assignment assign(ticket): DynamoDB requests",
            assign_calls.dynamodb_total,
            "req",
            "repeat call (redelivered record)",
            repeat_calls.dynamodb_total,
            "req",
            note="3-agent roster",
        ),
        Row(
            "requests",
            "Stream pass, INSERT + MODIFY: DynamoDB requests",
            stream_calls.dynamodb_total,
            "req",
            "excluding email idempotency records",
            stream_calls.dynamodb_product,
            "req",
        ),
        Row(
            "requests",
            "Stream pass, INSERT + MODIFY: SES requests",
            stream_calls.ses,
            "req",
            "emails in the outbox",
            emails,
            "emails",
        ),
    ]
    notes = [
        "Request breakdown (DynamoDB by operation; idempotency = Powertools idempotency records):",
        f"  intake:        {intake_calls.describe()}",
        f"  assign():      {assign_calls.describe()}",
        f"  assign() again: {repeat_calls.describe()}",
        f"  stream pass:   {stream_calls.describe()}",
        "  (dynamodbstreams = the local poller's GetRecords, not the function; the signing secret was "
        "already cached by the warm-up ticket, so no secretsmanager call)",
    ]
    raw = {
        name: {"dynamodb": dict(c.dynamodb), "idempotency": dict(c.idempotency), "services": dict(c.by_service)}
        for name, c in (
            ("intake", intake_calls),
            ("assign", assign_calls),
            ("assign_again", repeat_calls),
            ("stream_pass", stream_calls),
        )
    }
    return rows, notes, raw


# ---------------------------------------------------------------------------------------- latency
def intake_latency(
    stack: LocalStack, requests: int, progress: Progress
) -> tuple[list[Row], list[str], dict[str, Any]]:
    """POST /api/tickets against a bare PutItem, interleaved so drift hits both alike."""
    client = boto3.client("dynamodb", region_name=REGION)
    from pennydesk.platform.settings import get_settings

    table = get_settings().tickets_table

    def put_item(i: int) -> None:
        body = ticket_body(i)
        client.put_item(
            TableName=table,
            Item={
                "pk": {"S": f"BENCH#{uuid.uuid4().hex}"},
                "sk": {"S": "BENCH"},  # not a ticket, so the stream function ignores it
                **{key: {"S": value} for key, value in body.items()},
            },
        )

    progress(f"warm-up, then {requests} x POST /api/tickets interleaved with {requests} x PutItem")
    for i in range(5):
        post_ticket(stack, 100 + i)
        put_item(i)
    intake_s: list[float] = []
    inside_s: list[float] = []
    put_s: list[float] = []
    intake_requests = 0
    with count_calls(idempotency_table()) as calls:
        for i in range(requests):
            before, requests_before = calls.seconds, calls.dynamodb_total
            start = time.perf_counter()
            post_ticket(stack, 1000 + i)
            intake_s.append(time.perf_counter() - start)
            inside_s.append(calls.seconds - before)
            intake_requests += calls.dynamodb_total - requests_before
            start = time.perf_counter()
            put_item(i)
            put_s.append(time.perf_counter() - start)
    intake_ms = [ms(s) for s in intake_s]
    put_ms = [ms(s) for s in put_s]
    rows = [
        Row(
            "latency",
            f"Intake POST /api/tickets in-process, median of {requests}",
            statistics.median(intake_ms),
            "ms",
            "bare moto PutItem via boto3, median",
            statistics.median(put_ms),
            "ms",
        ),
        Row(
            "latency",
            f"Intake POST /api/tickets in-process, p95 of {requests}",
            p95(intake_ms),
            "ms",
            "bare moto PutItem via boto3, p95",
            p95(put_ms),
            "ms",
        ),
    ]
    inside = statistics.median(ms(s) for s in inside_s)
    outside = statistics.median(ms(total - within) for total, within in zip(intake_s, inside_s, strict=True))
    notes = [
        f"Intake time split (medians): {inside:.2f} ms inside AWS calls (botocore + moto, "
        f"{intake_requests / requests:g} DynamoDB requests each), {outside:.2f} ms outside them "
        "(event, Powertools routing and validation, idempotency, pynamodb)."
    ]
    raw = {"intake_ms": intake_ms, "put_item_ms": put_ms, "inside_calls_ms": [ms(s) for s in inside_s]}
    return rows, notes, raw


# ---------------------------------------------------------------------------------------- roster size
# The engine seeds agents one create_agent transaction at a time. moto copies every table a transaction
# touches, so seeding 1,000 agents that way takes minutes; the first few go through create_agent and the
# rest are copies of the items create_agent wrote, written in batches.
THROUGH_CREATE_AGENT = 10


def _substitute(value: Any, swaps: tuple[tuple[str, str], ...]) -> Any:
    if isinstance(value, str):
        for old, new in swaps:
            value = value.replace(old, new)
        return value
    if isinstance(value, list):
        return [_substitute(v, swaps) for v in value]
    if isinstance(value, dict):
        return {k: _substitute(v, swaps) for k, v in value.items()}
    return value


def clone_agents(roster: list[dict[str, Any]]) -> None:
    """Add `roster` by copying a seeded agent's items (profile, email link, slots), new id, email, name."""
    from pennydesk.platform.settings import get_settings

    client = boto3.client("dynamodb", region_name=REGION)
    table = get_settings().agents_table
    items = [i for page in client.get_paginator("scan").paginate(TableName=table) for i in page["Items"]]
    groups: dict[str, list[dict[str, Any]]] = {}
    for item in items:
        owner = item["agent_id"]["S"] if "agent_id" in item else item["pk"]["S"].split("#", 1)[1]
        groups.setdefault(owner, []).append(item)
    template_id, template = sorted(groups.items())[0]
    profile = next(i for i in template if "email" in i and "categories" in i)
    requests = []
    for entry in roster:
        if set(entry["categories"]) != set(profile["categories"]["SS"]):
            raise ValueError("clone_agents copies one agent's categories; the roster must share them")
        swaps = (
            (template_id, uuid.uuid4().hex),
            (profile["email"]["S"], entry["email"].lower()),
            (profile["name"]["S"], entry["name"]),
        )
        requests += [{"PutRequest": {"Item": _substitute(item, swaps)}} for item in template]
    for i in range(0, len(requests), 25):
        response = client.batch_write_item(RequestItems={table: requests[i : i + 25]})
        if response.get("UnprocessedItems"):
            raise RuntimeError("moto left items unprocessed while seeding agents")


def available_slots(category: str) -> int:
    from pennydesk.platform.settings import get_settings

    client = boto3.client("dynamodb", region_name=REGION)
    pages = client.get_paginator("query").paginate(
        TableName=get_settings().agents_table,
        IndexName="available_by_category",
        KeyConditionExpression="available_category = :c",
        ExpressionAttributeValues={":c": {"S": category}},
        Select="COUNT",
    )
    return sum(page["Count"] for page in pages)


def assignment_at(agents: int, tickets: int, folder: Path, progress: Progress) -> dict[str, Any]:
    from pennydesk.helpdesk.assignment import Assigned, assign

    roster = json.loads(write_seed(folder, agents).read_text(encoding="utf-8"))
    engine_seed = folder / f"seed-{agents}-engine-part.json"
    engine_seed.write_text(
        json.dumps({**roster, "agents": roster["agents"][:THROUGH_CREATE_AGENT]}), encoding="utf-8"
    )
    progress(f"starting a stack with {agents:,} agents")
    start = time.perf_counter()
    stack = LocalStack(seed=engine_seed, log_level="ERROR").start()
    try:
        clone_agents(roster["agents"][THROUGH_CREATE_AGENT:])
        seeded_s = time.perf_counter() - start
        if available_slots(CATEGORY) != agents:
            raise RuntimeError(f"expected {agents} agents available for {CATEGORY!r}")
        warm = 3
        batch = new_tickets(warm + tickets, offset=agents * 10_000)
        for ticket in batch[:warm]:
            assign(ticket)
        progress(f"timing assign() on {tickets} fresh tickets with {agents:,} agents")
        total_ms: list[float] = []
        outside_ms: list[float] = []
        with count_calls(idempotency_table()) as calls:
            for ticket in batch[warm:]:
                inside_before = calls.seconds
                start = time.perf_counter()
                result = assign(ticket)
                elapsed = time.perf_counter() - start
                total_ms.append(ms(elapsed))
                outside_ms.append(ms(elapsed - (calls.seconds - inside_before)))
                if not isinstance(result, Assigned):
                    raise RuntimeError(f"assignment with {agents} agents gave {result!r}")
    finally:
        stack.stop()
    return {
        "agents": agents,
        "seed_seconds": seeded_s,
        "requests_per_assignment": calls.dynamodb_total / tickets,
        "calls": calls,
        "assign_ms": total_ms,
        "outside_calls_ms": outside_ms,
        "op_ms": {op: [ms(s) for s in samples] for op, samples in calls.op_seconds.items()},
    }


def roster_growth(tickets: int, progress: Progress) -> tuple[list[Row], list[str], dict[str, Any]]:
    with tempfile.TemporaryDirectory(prefix="pennydesk-bench-") as tmp:
        small = assignment_at(10, tickets, Path(tmp), progress)
        large = assignment_at(1000, tickets, Path(tmp), progress)

    def op(run: dict[str, Any], name: str) -> float:
        return statistics.median(run["op_ms"].get(f"dynamodb.{name}", [0.0]))

    rows = [
        Row(
            "roster",
            "Assignment, 1,000 agents: DynamoDB requests per assign()",
            large["requests_per_assignment"],
            "req",
            "10 agents",
            small["requests_per_assignment"],
            "req",
            target=1.2,
        ),
        Row(
            "roster",
            f"Assignment, 1,000 agents: assign() median of {tickets}",
            statistics.median(large["assign_ms"]),
            "ms",
            "10 agents",
            statistics.median(small["assign_ms"]),
            "ms",
            target=1.2,
            note="includes moto (next rows)",
        ),
        Row(
            "roster",
            "  of which outside AWS calls (pennydesk + pynamodb)",
            statistics.median(large["outside_calls_ms"]),
            "ms",
            "10 agents",
            statistics.median(small["outside_calls_ms"]),
            "ms",
            target=1.2,
        ),
        Row(
            "roster",
            "  moto: Query on the GSI (Limit 3) inside assign()",
            op(large, "Query"),
            "ms",
            "10 agents",
            op(small, "Query"),
            "ms",
            note="moto reads every item to answer",
        ),
        Row(
            "roster",
            "  moto: TransactWriteItems inside assign()",
            op(large, "TransactWriteItems"),
            "ms",
            "10 agents",
            op(small, "TransactWriteItems"),
            "ms",
            note="backs up only the items it touches (engine.speed_up_moto)",
        ),
    ]
    calls_small: Calls = small["calls"]
    calls_large: Calls = large["calls"]
    notes = [
        f"Roster: {THROUGH_CREATE_AGENT} agents through create_agent, the rest copied from their items; "
        f"seeding took {small['seed_seconds']:.1f} s (10) and {large['seed_seconds']:.1f} s (1,000).",
        f"  {tickets} x assign() with 10 agents:    {calls_small.describe()}",
        f"  {tickets} x assign() with 1,000 agents: {calls_large.describe()}",
    ]
    raw = {
        key: {k: v for k, v in run.items() if k != "calls"} | {"dynamodb": dict(run["calls"].dynamodb)}
        for key, run in (("agents_10", small), ("agents_1000", large))
    }
    return rows, notes, raw


def run(requests: int, tickets: int, progress: Progress) -> tuple[list[Row], list[str], dict[str, Any]]:
    rows: list[Row] = []
    notes: list[str] = []
    raw: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="pennydesk-bench-") as tmp:
        seed = write_seed(Path(tmp), 3)
        progress("starting the local stack (3 agents)")
        stack = LocalStack(seed=seed, log_level="ERROR").start()
    try:
        progress("[2/10] AWS requests per intake, assignment and stream pass")
        count_rows, count_notes, raw["requests"] = requests_per_operation(stack, progress)
        progress("[3/10] intake latency")
        latency_rows, latency_notes, raw["latency"] = intake_latency(stack, requests, progress)
    finally:
        stack.stop()
    progress("[4/10] assignment as the roster grows (10 vs 1,000 agents)")
    roster_rows, roster_notes, raw["roster"] = roster_growth(tickets, progress)
    rows += latency_rows + count_rows + roster_rows
    notes += latency_notes + count_notes + roster_notes
    return rows, notes, raw
