"""Many things at once: fifty expense writes for one person, fifty tickets for three agents.

The local engine runs one Lambda invocation at a time, so the races are made where they happen on AWS:
between a function's read and its transaction. Threads call the domain directly (what fifty concurrent
invocations would run), meet at a barrier after reading, then write. Two things keep this true to DynamoDB:
each AWS call is atomic (moto is not thread-safe; one lock around its request handling), and a transaction
that touches an item another transaction is still writing is cancelled with TransactionConflict, as
DynamoDB does. Afterwards the totals equal the expenses to the cent, every ticket is assigned exactly once,
the agents' loads differ by at most one, and nobody gets an email twice.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import botocore.client
import pytest
from pennydesk.helpdesk import assignment
from pennydesk.helpdesk.ticket_records import Ticket
from pennydesk.platform.errors import PennydeskError
from pennydesk.spending import account, expenses
from pennydesk.spending.expenses import ExpenseInput

from infra.local.engine import LocalStack
from tests.support.actors import alerts, signed_in
from tests.support.faults import CHECKS, TALLY, Fault, assert_totals_match_expenses, sent_per_message
from tests.support.helpdesk import submit_ticket
from tests.support.records import agents_by_email, stored_items, stored_ticket

WRITERS = 50
IN_FLIGHT_SECONDS = 0.015  # about how long a DynamoDB transaction holds its items
LIMIT = 60000  # 600.00 a month: the writes cross 80 % and maybe 100 % while they interleave
TICKETS = 50


@pytest.fixture
def dynamodb_concurrency(monkeypatch: pytest.MonkeyPatch, atomic_aws_calls: None) -> Counter[str]:
    """Atomic AWS calls, and DynamoDB's TransactionConflict for transactions that overlap on an item.

    moto runs one call at a time, so "overlap" is measured as DynamoDB would see it: a transaction that
    reaches an item within IN_FLIGHT_SECONDS (how long a transaction holds its items) of another one on the
    same item is cancelled. Time spent queueing for moto's lock does not count, and a caller's own previous
    transaction never counts: one caller waits for each answer, and moto answers faster than DynamoDB holds
    items, so without that a sign-in followed at once by a settings change looked like a conflict.
    Returns the conflict count.
    """
    started: dict[tuple[str, str], tuple[float, int]] = {}  # item -> when, and by which thread, it was last written
    registry = threading.Lock()
    conflicts: Counter[str] = Counter()
    real = botocore.client.BaseClient._make_api_call

    def items_of(params: dict[str, Any]) -> list[tuple[str, str]]:
        keys = []
        for entry in params["TransactItems"]:
            action = next(iter(entry.values()))
            key = action.get("Key") or {k: action["Item"][k] for k in ("pk", "sk") if k in action["Item"]}
            keys.append((action["TableName"], repr(sorted((k, str(v)) for k, v in key.items()))))
        return keys

    def transactions_conflict(self: Any, operation: str, params: dict[str, Any]) -> Any:
        if operation != "TransactWriteItems" or self.meta.service_model.service_name != "dynamodb":
            return real(self, operation, params)
        items = items_of(params)
        with registry:
            now, caller = time.monotonic(), threading.get_ident()
            last = {item: started.get(item, (-IN_FLIGHT_SECONDS, caller)) for item in items}
            busy = [now - at < IN_FLIGHT_SECONDS and by != caller for at, by in last.values()]
            if any(busy):
                conflicts["TransactionConflict"] += 1
                TALLY["dynamodb.TransactionConflict (overlapping transactions)"] += 1
                cancelled = Fault(
                    "TransactionConflict", "dynamodb", operation, "TransactionCanceledException", 400, "",
                    reasons=lambda _: ["TransactionConflict" if b else None for b in busy],
                )
                raise self.exceptions.from_code(cancelled.code)(cancelled.response(params), operation)
            started.update(dict.fromkeys(items, (now, caller)))
        return real(self, operation, params)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", transactions_conflict)
    return conflicts


def cents(amount: str) -> int:
    whole, _, fraction = amount.partition(".")
    return int(whole) * 100 + int(fraction)


def money(minor: int) -> str:
    return f"{minor // 100}.{minor % 100:02d}"


@pytest.fixture
def meet_after_reading(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[int], None]]:
    """Edits and deletes read the expense, then wait for each other before writing: all read the same world."""
    state: dict[str, Any] = {}
    real_get = expenses.get
    local = threading.local()

    def get_then_meet(*args: Any, **kwargs: Any) -> Any:
        found = real_get(*args, **kwargs)
        if state.get("barrier") is not None and not getattr(local, "met", False):
            local.met = True
            state["barrier"].wait()
        return found

    def arm(parties: int) -> None:
        state["barrier"] = threading.Barrier(parties, timeout=30)

    monkeypatch.setattr(expenses, "get", get_then_meet)
    yield arm


def test_fifty_concurrent_expense_writes_for_one_person_leave_every_total_exact_to_the_cent(
    stack: LocalStack, dynamodb_concurrency: Counter[str], meet_after_reading: Callable[[int], None]
) -> None:
    maya = signed_in(stack, "maya@example.com")
    maya.settle(monthly_limit=money(LIMIT))
    rng = random.Random(50)  # noqa: S311 (seeded: a replayable story)
    categories = ("groceries", "dining", "transport", "health")
    existing = [maya.add(f"{rng.randint(1, 40)}.{rng.randint(0, 99):02d}", rng.choice(categories), "2026-10-05")
                for _ in range(20)]
    stack.drain()
    profile = account.get(account.find("maya@example.com").user_id)

    creates = [ExpenseInput(f"{rng.randint(1, 30)}.{rng.randint(0, 99):02d}", rng.choice(categories),
                            f"2026-10-{rng.randint(1, 28):02d}") for _ in range(30)]
    edits = [(e, ExpenseInput(f"{rng.randint(1, 30)}.{rng.randint(0, 99):02d}", rng.choice(categories),
                              rng.choice(("2026-10-20", "2026-11-02")))) for e in existing[:10]]
    deletes = existing[10:20]
    jobs: list[Callable[[], Any]] = [lambda c=c: expenses.create(profile, c) for c in creates]
    jobs += [lambda e=e, c=c: expenses.update(profile, e["id"], c) for e, c in edits]
    jobs += [lambda e=e: expenses.delete(profile, e["id"]) for e in deletes]
    assert len(jobs) == WRITERS
    start = threading.Barrier(WRITERS, timeout=30)
    meet_after_reading(len(edits) + len(deletes))

    def run(job: Callable[[], Any]) -> str:
        start.wait()
        job()
        return "ok"

    with ThreadPoolExecutor(max_workers=WRITERS) as pool:
        outcomes = list(pool.map(run, jobs))
    stack.drain()

    assert outcomes == ["ok"] * WRITERS
    october = sum(cents(c.amount) for c in creates) + sum(cents(c.amount) for _, c in edits if c.date < "2026-11")
    november = sum(cents(c.amount) for _, c in edits if c.date >= "2026-11")
    assert maya.report("2026-10")["total"] == money(october)
    assert maya.report("2026-11")["total"] == money(november)
    stored = [i for i in stored_items("SpendingTable") if i["sk"]["S"].startswith("EXP#")]
    assert len(stored) == len(creates) + len(edits)
    assert_totals_match_expenses()
    assert dynamodb_concurrency["TransactionConflict"] > 0, "the writes really overlapped"
    # The alerts follow the totals: never twice, and every threshold the month ends at or above was announced
    # (a total may pass a threshold mid-burst and fall back under it as deletes land: that alert stands too).
    sent_alerts = alerts(stack, maya)
    assert len(sent_alerts) == len(set(sent_alerts))
    due = {s for s, reached in (("80% of your overall budget used for October 2026", october * 100 >= LIMIT * 80),
                                ("You've reached your overall budget for October 2026", october >= LIMIT)) if reached}
    assert due, "the story should reach a threshold"
    assert due <= set(sent_alerts)
    assert all(n == 1 for n in sent_per_message(stack).values())
    CHECKS["concurrent expense writes, totals exact"] += WRITERS
    print(f"\n{WRITERS} concurrent expense writes: {dynamodb_concurrency['TransactionConflict']} transaction "
          f"conflicts retried; October {money(october)}, November {money(november)}")


ROSTER = [
    {"name": "Ana", "email": "ana@pennydesk.local", "categories": ["billing"], "capacity": TICKETS},
    {"name": "Ben", "email": "ben@pennydesk.local", "categories": ["billing"], "capacity": TICKETS},
    {"name": "Cy", "email": "cy@pennydesk.local", "categories": ["billing"], "capacity": TICKETS},
]


def test_fifty_tickets_arriving_together_for_three_agents_are_each_assigned_once_and_fairly(
    make_stack: Callable[..., LocalStack], monkeypatch: pytest.MonkeyPatch, dynamodb_concurrency: Counter[str]
) -> None:
    stack = make_stack(ROSTER)
    created = [submit_ticket(stack, email=f"customer{n}@example.com", subject=f"Arrival {n}").json()
               for n in range(TICKETS)]
    tickets = [Ticket.get_by_id(c["id"], consistent=True) for c in created]

    # Fifty assignments read the roster, meet, then write: each acts on what it read before the others.
    meeting = threading.Barrier(TICKETS, timeout=30)
    real_front_runners = assignment._front_runners
    local = threading.local()

    def read_then_meet(*args: Any, **kwargs: Any) -> Any:
        candidates = real_front_runners(*args, **kwargs)
        if not getattr(local, "met", False):
            local.met = True
            meeting.wait()
        return candidates

    monkeypatch.setattr(assignment, "_front_runners", read_then_meet)

    def assign(ticket: Ticket) -> str:
        try:
            return type(assignment.assign(ticket)).__name__
        except assignment.AssignmentContention:
            return "AssignmentContention"  # the stream retries the record; the drain below does

    with ThreadPoolExecutor(max_workers=TICKETS) as pool:
        outcomes = Counter(pool.map(assign, tickets))
    monkeypatch.setattr(assignment, "_front_runners", real_front_runners)
    stack.drain()  # the stream delivers every INSERT and assignment: retries, confirmations, agent emails

    assert set(outcomes) <= {"Assigned", "AssignmentContention"}, outcomes
    stored = [stored_ticket(c["id"]) for c in created]
    assert {t["status"] for t in stored} == {"assigned"}
    assert {t["assignment_seq"] for t in stored} == {"1"}
    loads = {email: agent["open_count"] for email, agent in agents_by_email().items()}
    by_id = {agent["agent_id"]: email for email, agent in agents_by_email().items()}
    assert Counter(by_id[t["agent_id"]] for t in stored) == Counter(loads)
    assert sum(loads.values()) == TICKETS
    assert max(loads.values()) - min(loads.values()) <= 1, loads
    sent = sent_per_message(stack)
    assert all(n == 1 for n in sent.values()), [k for k, n in sent.items() if n > 1]
    for n, ticket in enumerate(created):
        assert sent[(f"customer{n}@example.com", f"[#{ticket['number']}] We received your request: Arrival {n}")] == 1
    assigned_mail = Counter(to for to, subject in sent if "Assigned to you" in subject)
    assert assigned_mail == Counter(loads)
    CHECKS["concurrent tickets assigned once and fairly"] += TICKETS
    print(f"\n{TICKETS} tickets at once for 3 agents: {dict(outcomes)} in the burst, "
          f"{dynamodb_concurrency['TransactionConflict']} transaction conflicts; loads {loads}")


def test_recurring_expenses_created_at_once_at_the_cap_keep_to_it(
    stack: LocalStack, dynamodb_concurrency: Counter[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Six creates that all read the same world (two series, room for one more) before writing: one is kept,
    five are told the cap; a count by query let all six through."""
    from pennydesk.spending import recurring

    monkeypatch.setattr(recurring, "MAX_SERIES", 3)
    signed_in(stack, "maya@example.com")
    profile = account.get(account.find("maya@example.com").user_id)
    rent = recurring.SeriesInput(amount="950.00", category="groceries", every="month",
                                 start=recurring.today_for(profile, recurring.utcnow()).isoformat())
    recurring.create(profile, rent)
    recurring.create(profile, rent)
    writers = 6
    meeting, local, real = threading.Barrier(writers, timeout=30), threading.local(), recurring.transaction

    def meet_then_write() -> Any:
        if not getattr(local, "met", False):
            local.met = True
            meeting.wait()
        return real()

    monkeypatch.setattr(recurring, "transaction", meet_then_write)

    def create(_: int) -> str:
        try:
            recurring.create(profile, rent)
        except PennydeskError as refused:
            return refused.message
        return "created"

    with ThreadPoolExecutor(max_workers=writers) as pool:
        outcomes = list(pool.map(create, range(writers)))

    assert sorted(outcomes) == ["Keep to 3 recurring expenses."] * 5 + ["created"]
    assert len(recurring.list_series(profile)) == 3
