"""Two tickets that arrive together must not both land on the same agent because both saw them idle."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from pennydesk.helpdesk import assignment
from pennydesk.helpdesk.agent_records import Agent
from pennydesk.helpdesk.ticket_records import Ticket

from infra.local.engine import LocalStack
from tests.support.helpdesk import submit_ticket
from tests.support.records import agents_by_email, stored_ticket

ROSTER = [
    {"name": "Ana", "email": "ana@pennydesk.local", "categories": ["billing"]},
    {"name": "Ben", "email": "ben@pennydesk.local", "categories": ["billing"]},
]


def test_two_tickets_arriving_together_go_to_two_agents(
    make_stack: Callable[..., LocalStack], monkeypatch: pytest.MonkeyPatch, atomic_aws_calls: None
) -> None:
    stack = make_stack(ROSTER)
    ids = [submit_ticket(stack, email=f"customer{n}@example.com").json()["id"] for n in range(2)]
    tickets = [Ticket.get_by_id(ticket_id, consistent=True) for ticket_id in ids]

    # Both assignments read the roster, then meet, then write: each acts on what it read before the
    # other's write, exactly as two stream batches processed in parallel would.
    meeting = threading.Barrier(2, timeout=10)
    seen_first: list[str] = []
    real_front_runners = assignment._front_runners
    local = threading.local()

    def read_then_meet(*args: object, **kwargs: object) -> list[Agent]:
        candidates = real_front_runners(*args, **kwargs)
        if not getattr(local, "met", False):
            local.met = True
            seen_first.append(candidates[0].agent_id)
            meeting.wait()
        return candidates

    monkeypatch.setattr(assignment, "_front_runners", read_then_meet)
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(assignment.assign, tickets))

    assert len(set(seen_first)) == 1, "both assignments should have seen the same idle agent first"
    assert all(isinstance(r, assignment.Assigned) for r in results), results
    assignees = {stored_ticket(ticket_id)["agent_id"] for ticket_id in ids}
    assert len(assignees) == 2
    assert {email: a["open_count"] for email, a in agents_by_email().items()} == {
        "ana@pennydesk.local": 1,
        "ben@pennydesk.local": 1,
    }
    assert {stored_ticket(ticket_id)["status"] for ticket_id in ids} == {"assigned"}


def test_the_same_ticket_assigned_twice_at_once_is_assigned_once(
    make_stack: Callable[..., LocalStack], monkeypatch: pytest.MonkeyPatch, atomic_aws_calls: None
) -> None:
    stack = make_stack(ROSTER)
    ticket_id = submit_ticket(stack).json()["id"]
    copies = [Ticket.get_by_id(ticket_id, consistent=True) for _ in range(2)]

    meeting = threading.Barrier(2, timeout=10)
    real_front_runners = assignment._front_runners
    local = threading.local()

    def read_then_meet(*args: object, **kwargs: object) -> list[Agent]:
        candidates = real_front_runners(*args, **kwargs)
        if not getattr(local, "met", False):
            local.met = True
            meeting.wait()
        return candidates

    monkeypatch.setattr(assignment, "_front_runners", read_then_meet)
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(assignment.assign, copies))

    assert sorted(type(r).__name__ for r in results) == ["AlreadyAssigned", "Assigned"]
    assert sum(a["open_count"] for a in agents_by_email().values()) == 1
    assert stored_ticket(ticket_id)["assignment_seq"] == "1"
