"""GET /api/agent/tickets: the desk's views, search, cursors and bad input, as agents and admins use them."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pytest

from infra.local.engine import HttpResult, LocalStack
from tests.support.helpdesk import act, open_ticket, submit_ticket
from tests.support.identity import bearer, sign_in
from tests.support.outbox import outbox_for
from tests.support.stack import ADMIN

ADA = "ada@pennydesk.local"


def desk(stack: LocalStack, session: str, **query: Any) -> HttpResult:
    return stack.http("GET", "/api/agent/tickets", query=urlencode(query), headers=bearer(session))


def numbers(answer: HttpResult) -> list[int]:
    assert answer.status == 200, answer.body
    return [t["number"] for t in answer.json()["tickets"]]


def test_a_new_ticket_waits_in_unassigned_and_moves_to_its_agent_when_assigned(stack: LocalStack) -> None:
    admin = sign_in(stack, ADMIN)
    created = submit_ticket(stack, subject="Printer on fire", category="technical", priority="urgent").json()

    assert numbers(desk(stack, admin, view="unassigned")) == [created["number"]]
    stack.drain()  # the stream assigns it
    assert numbers(desk(stack, admin, view="unassigned")) == []
    listed = desk(stack, admin, view="open").json()["tickets"]
    assert [t["number"] for t in listed] == [created["number"]]
    row = listed[0]
    assert row["status"] == "assigned" and row["agent"]["name"]
    assert row["customer"] == {"name": "Maya Okafor", "email": "maya@example.com"}
    assert row["sla"]["state"] in ("on_track", "due_soon") and row["sla"]["target"] == "first response"


def test_each_view_lists_the_tickets_in_that_state(stack: LocalStack) -> None:
    waiting = open_ticket(stack, subject="Waiting one", category="general")
    resolved = open_ticket(stack, subject="Resolved one", category="general")
    working = open_ticket(stack, subject="Working one", category="general")
    act(stack, resolved, "resolve", body="Done.")
    act(stack, waiting, "reply", body="Which card was it?")
    agent = sign_in(stack, ADA)

    assert numbers(desk(stack, agent, view="waiting")) == [waiting.number]
    assert numbers(desk(stack, agent, view="resolved")) == [resolved.number]
    assert set(numbers(desk(stack, agent, view="open"))) == {waiting.number, working.number}
    assert set(numbers(desk(stack, agent, view="all"))) == {waiting.number, resolved.number, working.number}
    mine = set(numbers(desk(stack, agent, view="mine")))
    assert mine <= {waiting.number, working.number}


def test_search_finds_by_number_email_and_subject_words(stack: LocalStack) -> None:
    kim = open_ticket(stack, subject="Refund for the March invoice", email="Kim@Example.com")
    other = open_ticket(stack, subject="Password reset never arrives", email="lee@example.com")
    agent = sign_in(stack, ADA)

    assert numbers(desk(stack, agent, view="all", q=str(kim.number))) == [kim.number]
    assert numbers(desk(stack, agent, view="all", q=f"#{other.number}")) == [other.number]
    assert numbers(desk(stack, agent, view="all", q="kim@example.COM")) == [kim.number]
    assert numbers(desk(stack, agent, view="all", q="march REFUND")) == [kim.number]
    assert numbers(desk(stack, agent, view="all", q="password")) == [other.number]
    assert numbers(desk(stack, agent, view="all", q="march password")) == []
    assert numbers(desk(stack, agent, view="resolved", q=str(kim.number))) == []


def test_pages_follow_their_cursor_and_a_cursor_works_only_for_its_own_list_and_person(stack: LocalStack) -> None:
    agent = sign_in(stack, ADA)
    admin = sign_in(stack, ADMIN)
    for n in range(27):
        submit_ticket(stack, subject=f"Question {n}", email=f"c{n}@example.com")
    first = desk(stack, agent, view="unassigned").json()
    assert len(first["tickets"]) == 25 and first["next_cursor"]
    second = desk(stack, agent, view="unassigned", cursor=first["next_cursor"]).json()
    seen = [t["number"] for t in first["tickets"] + second["tickets"]]
    assert sorted(seen) == list(range(1001, 1028))

    other_view = desk(stack, agent, view="all", cursor=first["next_cursor"])
    other_person = desk(stack, admin, view="unassigned", cursor=first["next_cursor"])
    forged = desk(stack, agent, view="unassigned", cursor=first["next_cursor"][:-3] + "abc")
    for refused in (other_view, other_person, forged):
        assert refused.status == 422, refused.body
        assert "cursor" in refused.json()["message"]


@pytest.mark.parametrize(
    "q", ['"refund"', "re*und%", "x" * 5_000, "refund\x00", "line\nbreak", "' OR 1=1 --", "@", "a@b", "#", "   "]
)
def test_any_search_string_is_a_clear_422_or_a_page_never_a_5xx(stack: LocalStack, q: str) -> None:
    open_ticket(stack, subject="Refund please")
    answer = desk(stack, sign_in(stack, ADA), view="all", q=q)
    assert answer.status in (200, 422), answer.body
    if answer.status == 422:
        assert answer.json()["message"]


def test_control_characters_and_long_searches_say_what_is_wrong(stack: LocalStack) -> None:
    agent = sign_in(stack, ADA)
    assert "control characters" in desk(stack, agent, q="refund\x07").json()["message"]
    assert "at most 200 characters" in desk(stack, agent, q="x" * 5_000).json()["message"]


def test_a_customer_or_spender_session_never_reaches_the_desk(stack: LocalStack) -> None:
    ticket = open_ticket(stack)
    customer = sign_in(stack, "maya@example.com")
    assert desk(stack, customer, view="all").status == 403
    assert stack.http("GET", "/api/agent/tickets", headers=bearer(ticket.customer_token)).status == 401
    assert stack.http("GET", "/api/agent/tickets").status == 401


def test_an_admin_opens_any_ticket_and_a_refusal_says_it_is_about_permission(stack: LocalStack) -> None:
    ticket = open_ticket(stack, subject="Colleague's ticket")
    admin = stack.http("GET", f"/api/agent/tickets/{ticket.id}", headers=bearer(sign_in(stack, ADMIN)))
    assert admin.status == 200, admin.body
    assert admin.json()["ticket"]["subject"] == "Colleague's ticket" and admin.json()["me"] is None

    customer = stack.http("GET", f"/api/agent/tickets/{ticket.id}", headers=bearer(sign_in(stack, "x@example.com")))
    assert customer.status == 403
    assert "expired" not in customer.json()["message"]


def test_an_agent_takes_an_unassigned_ticket_and_it_leaves_the_unassigned_view(stack: LocalStack) -> None:
    agent = sign_in(stack, ADA)
    ada_id = stack.http("GET", "/api/agent/queue", headers=bearer(agent)).json()["me"]["id"]
    created = submit_ticket(stack, subject="Nobody has me yet", category="general").json()

    taken = stack.http("POST", f"/api/agent/tickets/{created['id']}/actions", headers=bearer(agent),
                       json_body={"action": "reassign", "to": ada_id})
    assert taken.status == 200, taken.body
    assert taken.json()["ticket"]["agent_id"] == ada_id and taken.json()["ticket"]["status"] == "assigned"
    stack.drain()  # the stream finds it assigned already and leaves it
    assert numbers(desk(stack, agent, view="unassigned")) == []
    assert numbers(desk(stack, agent, view="mine")) == [created["number"]]
    history = [e["detail"] for e in taken.json()["entries"] if e["kind"] == "event"]
    assert history == ["to Ada Lovelace, taken from the queue"]


def test_an_agent_cannot_take_a_colleagues_ticket(stack: LocalStack) -> None:
    ticket = open_ticket(stack, category="billing")
    other = next(a for a in ("ada@pennydesk.local", "grace@pennydesk.local", "bill@pennydesk.local")
                 if a != ticket.agent_email)
    session = sign_in(stack, other)
    other_id = stack.http("GET", "/api/agent/queue", headers=bearer(session)).json()["me"]["id"]
    refused = stack.http("POST", f"/api/agent/tickets/{ticket.id}/actions", headers=bearer(session),
                         json_body={"action": "reassign", "to": other_id})
    assert refused.status == 403 and refused.json()["message"] == "This ticket is not assigned to you."


def test_an_admin_reassigns_a_colleagues_ticket_with_a_reason(stack: LocalStack) -> None:
    ticket = open_ticket(stack, category="billing")
    admin = sign_in(stack, ADMIN)
    agents = stack.http("GET", "/api/admin/agents", headers=bearer(admin)).json()["agents"]
    target = next(a for a in agents if a["email"] != ticket.agent_email and "billing" in a["categories"])

    moved = stack.http("POST", f"/api/agent/tickets/{ticket.id}/reassign", headers=bearer(admin),
                       json_body={"to": target["id"], "reason": "Grace knows this customer's account"})
    assert moved.status == 200, moved.body
    assert moved.json()["ticket"]["agent_id"] == target["id"]
    events = [e for e in moved.json()["entries"] if e["kind"] == "event"]
    assert events[-1]["detail"] == f"to {target['name']}: Grace knows this customer's account"
    assert events[-1]["author_type"] == "admin"

    empty = stack.http("POST", f"/api/agent/tickets/{ticket.id}/reassign", headers=bearer(admin),
                       json_body={"to": "queue", "reason": "  "})
    assert empty.status == 422 and "Say why" in empty.json()["message"]
    agent = stack.http("POST", f"/api/agent/tickets/{ticket.id}/reassign", headers=bearer(sign_in(stack, ADA)),
                       json_body={"to": "queue", "reason": "mine now"})
    assert agent.status == 403


def test_the_agents_hear_who_moved_the_ticket_and_why(stack: LocalStack) -> None:
    ticket = open_ticket(stack, category="billing", subject="Moved along")
    admin = sign_in(stack, ADMIN)
    agents = stack.http("GET", "/api/admin/agents", headers=bearer(admin)).json()["agents"]
    target = next(a for a in agents if a["email"] != ticket.agent_email and "billing" in a["categories"])

    stack.http("POST", f"/api/agent/tickets/{ticket.id}/reassign", headers=bearer(admin),
               json_body={"to": target["id"], "reason": "Knows the account"})
    stack.drain()

    (given,) = [m for m in outbox_for(stack, target["email"]) if f"[#{ticket.number}] Assigned to you" in m["subject"]]
    assert f"{ADMIN} handed it to you. Why: Knows the account" in given["text"]
    (lost,) = [m for m in outbox_for(stack, ticket.agent_email) if "Reassigned to" in m["subject"]]
    assert lost["subject"] == f"[#{ticket.number}] Reassigned to {target['name']}: Moved along"
    assert "Why: Knows the account" in lost["text"]


def test_a_new_agent_is_welcomed_with_where_to_sign_in(stack: LocalStack) -> None:
    admin = sign_in(stack, ADMIN)
    added = stack.http("POST", "/api/admin/agents", headers=bearer(admin),
                       json_body={"email": "noor@pennydesk.local", "name": "Noor Haddad", "categories": ["billing"]})
    assert added.status == 201, added.body
    stack.drain()

    (welcome,) = outbox_for(stack, "noor@pennydesk.local")
    assert welcome["subject"] == "Welcome to the Pennydesk help desk, Noor Haddad"
    assert f"{ADMIN} added you" in welcome["text"] and "covering: billing" in welcome["text"]
    assert "/signin.html" in welcome["text"] and "token" not in welcome["text"]


def test_a_rating_with_a_comment_reaches_the_agent_and_the_ticket_page(stack: LocalStack) -> None:
    from pennydesk.identity import tokens

    ticket = open_ticket(stack, subject="Rate me")
    agent_id = tokens.verify("agent", ticket.agent_token).subject
    survey = tokens.issue("survey", ticket.id, resolution=1, agent=agent_id)
    for rating, comment in ((2, "Slow at first"), (4, "Slow at first, then great")):
        sent = stack.http("POST", f"/api/tickets/{ticket.id}/feedback", headers=bearer(survey),
                          json_body={"rating": rating, "comment": comment})
        assert sent.status in (200, 201), sent.body
        stack.drain()

    rated = [m for m in outbox_for(stack, ticket.agent_email) if "Rated" in m["subject"]]
    assert [m["subject"] for m in rated] == [f"[#{ticket.number}] Rated 2 of 5: Rate me",
                                             f"[#{ticket.number}] Rated 4 of 5: Rate me"]
    assert "Slow at first, then great" in rated[-1]["text"]
    page = stack.http("GET", f"/api/agent/tickets/{ticket.id}", headers=ticket.agent).json()
    assert [(r["rating"], r["comment"]) for r in page["ratings"]] == [(4, "Slow at first, then great")]


def test_the_desk_report_gives_per_agent_medians_weekly_counts_and_rating_comments(stack: LocalStack) -> None:
    from pennydesk.identity import tokens

    ticket = open_ticket(stack, subject="Report me")
    act(stack, ticket, "resolve", body="Done.")
    agent_id = tokens.verify("agent", ticket.agent_token).subject
    survey = tokens.issue("survey", ticket.id, resolution=1, agent=agent_id)
    stack.http("POST", f"/api/tickets/{ticket.id}/feedback", headers=bearer(survey),
               json_body={"rating": 5, "comment": "Lovely"})
    stack.drain()

    report = stack.http("GET", "/api/admin/reports/helpdesk", headers=bearer(sign_in(stack, ADMIN))).json()
    (mine,) = [a for a in report["by_agent"] if a["agent_id"] == agent_id]
    assert mine["first_response"]["count"] == 1 and mine["resolution"]["count"] == 1
    assert sum(w["opened"] for w in report["weekly"]) == 1 and sum(w["resolved"] for w in report["weekly"]) == 1
    assert [(c["ticket_id"], c["rating"], c["comment"]) for c in report["comments"]] == [(ticket.id, 5, "Lovely")]


def test_a_missed_target_shows_in_the_desks_sla_state_and_the_tickets_history(stack: LocalStack) -> None:
    from datetime import timedelta

    from tests.support.records import stored_ticket
    from tests.support.stack import moment

    ticket = open_ticket(stack, subject="Slow one")  # normal priority: 8 hours to a first reply
    stack.run_schedule(moment(stored_ticket(ticket.id)["created_at"]) + timedelta(hours=8, minutes=5))

    page = stack.http("GET", f"/api/agent/tickets/{ticket.id}", headers=ticket.agent).json()
    assert [b["target"] for b in page["sla_breaches"]] == ["first response"]
    (row,) = desk(stack, sign_in(stack, ADMIN), view="open").json()["tickets"]
    assert row["sla"]["state"] == "breached" and row["sla"]["target"] == "first response"
    overdue = desk(stack, sign_in(stack, ADMIN), view="open", sla="breached").json()["tickets"]
    assert [t["number"] for t in overdue] == [ticket.number]
