"""The ticket's history tells the whole story: the desk's own assignment (and by what rule) stays in it after a
person reassigns the ticket, and the satisfaction survey going out is in it too, once."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from infra.local.engine import LocalStack
from tests.support.helpdesk import open_ticket, resolve, surveys
from tests.support.identity import bearer, sign_in
from tests.support.stack import ADMIN


def events(stack: LocalStack, ticket_id: str, headers: dict[str, str]) -> list[dict[str, Any]]:
    page = stack.http("GET", f"/api/agent/tickets/{ticket_id}", headers=headers)
    assert page.status == 200, page.body
    return [e for e in page.json()["entries"] if e["kind"] == "event"]


def test_the_desks_own_assignment_stays_in_the_history_after_an_admin_reassigns(stack: LocalStack) -> None:
    ticket = open_ticket(stack, category="billing")
    admin = bearer(sign_in(stack, ADMIN))
    agents = stack.http("GET", "/api/admin/agents", headers=admin).json()["agents"]
    first = next(a for a in agents if a["email"] == ticket.agent_email)
    target = next(a for a in agents if a["email"] != ticket.agent_email and "billing" in a["categories"])

    (assigned,) = events(stack, ticket.id, admin)
    assert (assigned["action"], assigned["from_status"], assigned["to_status"]) == ("assign", "new", "assigned")
    assert (assigned["author"], assigned["author_type"]) == ("Pennydesk", "system")
    assert assigned["detail"] == f"to {first['name']}, the least-loaded agent covering billing"

    moved = stack.http("POST", f"/api/agent/tickets/{ticket.id}/reassign", headers=admin,
                       json_body={"to": target["id"], "reason": "Covering while the owner is out"})
    assert moved.status == 200, moved.body
    stack.drain()
    stack.drain()  # a redelivered stream changes nothing

    history = events(stack, ticket.id, admin)
    assert [(e["action"], e["author_type"]) for e in history] == [("assign", "system"), ("reassign", "admin")]
    assert history[0] == assigned  # the original assignment, untouched
    assert history[1]["detail"] == f"to {target['name']}: Covering while the owner is out"


def test_a_ticket_back_in_the_queue_shows_each_automatic_assignment(stack: LocalStack) -> None:
    ticket = open_ticket(stack, category="billing")
    moved = stack.http("POST", f"/api/agent/tickets/{ticket.id}/actions", headers=ticket.agent,
                       json_body={"action": "reassign", "to": "queue"})
    assert moved.status == 200, moved.body
    stack.drain()

    history = [(e["action"], e["from_status"], e["to_status"], e["author_type"])
               for e in events(stack, ticket.id, bearer(sign_in(stack, ADMIN)))]
    assert history == [
        ("assign", "new", "assigned", "system"),
        ("reassign", "assigned", "new", "agent"),
        ("assign", "new", "assigned", "system"),
    ]


def test_the_survey_going_out_is_in_the_history_once(stack: LocalStack) -> None:
    ticket = open_ticket(stack)
    resolved_at = resolve(stack, ticket)

    stack.run_schedule(resolved_at + timedelta(hours=47))
    assert "survey_sent" not in [e["action"] for e in events(stack, ticket.id, ticket.agent)]

    stack.run_schedule(resolved_at + timedelta(hours=49))
    stack.run_schedule(resolved_at + timedelta(hours=49))  # EventBridge redelivers the same moment
    assert len(surveys(stack)) == 1

    history = events(stack, ticket.id, ticket.agent)
    assert [e["action"] for e in history] == ["assign", "resolve", "survey_sent"]
    sent = history[-1]
    assert (sent["author"], sent["author_type"]) == ("Pennydesk", "system")
    assert sent["detail"] == "to maya@example.com"
    assert sent["created_at"] >= (resolved_at + timedelta(hours=49)).strftime("%Y-%m-%dT%H:%M")
