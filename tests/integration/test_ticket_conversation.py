"""Agents and customers work a ticket through the links in their email, and each side hears once."""

from __future__ import annotations

import pytest
from markupsafe import escape

from infra.local.engine import LocalStack
from tests.support.helpdesk import act, open_ticket
from tests.support.identity import sign_in
from tests.support.outbox import link_to, outbox_for, query_of
from tests.support.records import agents_by_email, stored_ticket, stream_records


def subjects_to(stack: LocalStack, address: str) -> list[str]:
    return [m["subject"] for m in outbox_for(stack, address)]


def test_opening_the_agent_link_changes_nothing(stack: LocalStack) -> None:
    ticket = open_ticket(stack)
    before = stored_ticket(ticket.id)
    mails_before = len(stack.outbox())

    for _ in range(3):  # a mail scanner and a person both open it
        page = stack.http("GET", f"/api/agent/tickets/{ticket.id}", headers=ticket.agent)
        assert page.status == 200
    stack.drain()

    assert stored_ticket(ticket.id) == before
    assert len(stack.outbox()) == mails_before
    body = page.json()
    assert body["ticket"]["status"] == "assigned"
    assert body["ticket"]["customer_email"] == "maya@example.com"
    assert body["me"]["email"] == ticket.agent_email


def test_full_conversation_emails_each_side_once(stack: LocalStack) -> None:
    ticket = open_ticket(stack)
    customer, agent = "maya@example.com", ticket.agent_email

    assert act(stack, ticket, "acknowledge")[1]["ticket"]["status"] == "in_progress"
    assert act(stack, ticket, "note", body="Stripe shows one refund pending")[0] == 200
    status, body = act(stack, ticket, "reply", body="I've refunded the second charge.")
    assert status == 200 and body["ticket"]["status"] == "waiting_on_customer"

    reply = stack.http(
        "POST", f"/api/tickets/{ticket.id}/messages", headers=ticket.customer, json_body={"body": "Thanks, I see it!"}
    )
    assert reply.status == 201
    stack.drain()
    assert stored_ticket(ticket.id)["status"] == "in_progress"

    status, body = act(stack, ticket, "resolve", body="Glad it's sorted.")
    assert body["ticket"]["status"] == "resolved"

    n = ticket.number
    assert subjects_to(stack, customer) == [
        f"[#{n}] We received your request: Charged twice for March",
        f"[#{n}] Re: Charged twice for March",
        f"[#{n}] Resolved: Charged twice for March",
    ]
    assert subjects_to(stack, agent) == [
        f"[#{n}] Assigned to you (normal): Charged twice for March",
        f"[#{n}] Maya Okafor replied: Charged twice for March",
    ]
    resolved = outbox_for(stack, customer)[-1]
    assert "Glad it's sorted." in resolved["text"] and str(escape("Glad it's sorted.")) in resolved["html"]
    assert "token=" in resolved["text"]
    customer_reply_mail = outbox_for(stack, agent)[-1]
    assert "Thanks, I see it!" in customer_reply_mail["text"]
    assert link_to(customer_reply_mail["text"], "/agent/ticket.html")


def test_history_records_who_did_what_and_when(stack: LocalStack) -> None:
    ticket = open_ticket(stack)
    act(stack, ticket, "acknowledge")
    act(stack, ticket, "set_priority", priority="urgent")
    _, body = act(stack, ticket, "resolve")

    events = [e for e in body["entries"] if e["kind"] == "event"]
    assert [(e["action"], e["from_status"], e["to_status"]) for e in events] == [
        ("assign", "new", "assigned"),
        ("acknowledge", "assigned", "in_progress"),
        ("set_priority", "in_progress", "in_progress"),
        ("resolve", "in_progress", "resolved"),
    ]
    assert (events[0]["author"], events[0]["author_type"]) == ("Pennydesk", "system")
    agent_name = body["me"]["name"]
    assert all(e["author"] == agent_name and e["author_type"] == "agent" and e["created_at"] for e in events[1:])
    assert events[2]["detail"] == "priority urgent"
    assert body["ticket"]["priority"] == "urgent"


def test_customer_never_sees_internal_notes(stack: LocalStack) -> None:
    ticket = open_ticket(stack)
    act(stack, ticket, "note", body="Customer is on the legacy plan")
    act(stack, ticket, "reply", body="Looking into it")

    view = stack.http("GET", f"/api/tickets/{ticket.id}", headers=ticket.customer)
    assert view.status == 200
    assert [m["body"] for m in view.json()["messages"]] == ["Looking into it"]
    assert b"legacy plan" not in view.body
    assert all("legacy plan" not in m["text"] for m in outbox_for(stack, "maya@example.com"))


@pytest.mark.parametrize(
    ("steps", "refused", "reason"),
    [
        ([], "reopen", "Only a resolved or closed ticket can be reopened"),
        (["acknowledge"], "acknowledge", "Only a newly assigned ticket can be acknowledged"),
        (["resolve"], "reply", "Reopen the ticket before replying"),
        (["resolve"], "resolve", "Only an open ticket can be resolved"),
        (["resolve"], "reassign", "reopen it first"),
    ],
)
def test_an_action_that_does_not_fit_the_state_is_a_409_with_the_reason(
    stack: LocalStack, steps: list[str], refused: str, reason: str
) -> None:
    ticket = open_ticket(stack)
    for step in steps:
        assert act(stack, ticket, step)[0] == 200
    before = stored_ticket(ticket.id)

    status, body = act(stack, ticket, refused, body="text", to="queue")

    assert status == 409
    assert reason in body["message"]
    assert stored_ticket(ticket.id) == before


def test_customer_reply_reopens_a_resolved_ticket_with_its_agent(stack: LocalStack) -> None:
    ticket = open_ticket(stack)
    act(stack, ticket, "resolve")
    agent_before = agents_by_email()[ticket.agent_email]["open_count"]

    reply = stack.http(
        "POST", f"/api/tickets/{ticket.id}/messages", headers=ticket.customer, json_body={"body": "Still broken"}
    )
    stack.drain()

    assert reply.status == 201
    assert stored_ticket(ticket.id)["status"] == "in_progress"
    assert agents_by_email()[ticket.agent_email]["open_count"] == agent_before + 1
    mail = outbox_for(stack, ticket.agent_email)[-1]
    assert "Still broken" in mail["text"] and "open again" in mail["text"]


def test_agent_reopen_tells_the_customer(stack: LocalStack) -> None:
    ticket = open_ticket(stack)
    act(stack, ticket, "resolve")
    status, body = act(stack, ticket, "reopen")
    assert status == 200 and body["ticket"]["status"] == "in_progress"
    assert subjects_to(stack, "maya@example.com")[-1].startswith(f"[#{ticket.number}] Reopened:")


def test_open_counts_follow_the_ticket(stack: LocalStack) -> None:
    ticket = open_ticket(stack)
    assert agents_by_email()[ticket.agent_email]["open_count"] == 1
    act(stack, ticket, "resolve")
    assert agents_by_email()[ticket.agent_email]["open_count"] == 0
    act(stack, ticket, "reopen")
    assert agents_by_email()[ticket.agent_email]["open_count"] == 1


def test_reassign_to_a_colleague_moves_the_ticket_and_the_load(stack: LocalStack) -> None:
    ticket = open_ticket(stack)
    roster = agents_by_email()
    colleague_email = next(e for e, a in roster.items() if e != ticket.agent_email and "billing" in a["categories"])
    colleague = roster[colleague_email]

    status, body = act(stack, ticket, "reassign", to=colleague["agent_id"])

    assert status == 200 and body["ticket"]["agent_id"] == colleague["agent_id"]
    after = agents_by_email()
    assert after[ticket.agent_email]["open_count"] == 0
    assert after[colleague_email]["open_count"] == 1
    assert stored_ticket(ticket.id)["agent_id"] == colleague["agent_id"]
    new_mail = outbox_for(stack, colleague_email)[-1]
    assert new_mail["subject"].startswith(f"[#{ticket.number}] Assigned to you")
    assert stack.http("GET", f"/api/agent/tickets/{ticket.id}", headers=ticket.agent).status == 403


def test_back_to_the_queue_goes_to_someone_else(stack: LocalStack) -> None:
    ticket = open_ticket(stack)

    act(stack, ticket, "reassign", to="queue")

    stored = stored_ticket(ticket.id)
    assert stored["status"] == "assigned"
    new_owner = next(e for e, a in agents_by_email().items() if a["agent_id"] == stored["agent_id"])
    assert new_owner != ticket.agent_email
    assert outbox_for(stack, new_owner)[-1]["subject"].startswith(f"[#{ticket.number}] Assigned to you")


def test_redelivered_records_send_no_second_email(stack: LocalStack) -> None:
    ticket = open_ticket(stack)
    act(stack, ticket, "reply", body="One reply")
    act(stack, ticket, "resolve")
    sent = len(stack.outbox())
    records = stream_records(stack)
    assert len(records) >= 6

    for start in range(0, len(records), 10):
        result = stack.invoke("TicketStreamFunction", {"Records": records[start : start + 10]})
        assert result == {"batchItemFailures": []}
    stack.drain()

    assert len(stack.outbox()) == sent
    assert stored_ticket(ticket.id)["status"] == "resolved"


def test_agent_queue_lists_open_tickets_most_urgent_then_oldest(make_stack) -> None:
    stack = make_stack([{"name": "Solo", "email": "solo@pennydesk.local", "categories": ["billing"]}])
    low = open_ticket(stack, subject="Low one", priority="low")
    open_ticket(stack, subject="Urgent one", priority="urgent")
    open_ticket(stack, subject="Normal one")
    done = open_ticket(stack, subject="Finished one", priority="urgent")
    act(stack, done, "resolve")
    session = sign_in(stack, low.agent_email)

    queue = stack.http("GET", "/api/agent/queue", headers={"Authorization": f"Bearer {session}"})

    assert queue.status == 200
    assert [t["subject"] for t in queue.json()["tickets"]] == ["Urgent one", "Normal one", "Low one"]


def test_sign_in_link_works_once(stack: LocalStack) -> None:
    stack.http("POST", "/api/auth/sign-in", json_body={"email": "ada@pennydesk.local"})
    stack.drain()
    token = query_of(link_to(outbox_for(stack, "ada@pennydesk.local")[-1]["text"], "/signin.html"))["token"]

    first = stack.http("POST", "/api/auth/session", json_body={"token": token})
    second = stack.http("POST", "/api/auth/session", json_body={"token": token})

    assert first.status == 200 and first.json()["roles"] == ["customer", "agent"]
    assert second.status == 401
    assert "already used" in second.json()["message"]


def test_sign_in_never_tells_whether_an_address_exists(stack: LocalStack) -> None:
    known = stack.http("POST", "/api/auth/sign-in", json_body={"email": "ada@pennydesk.local"})
    unknown = stack.http("POST", "/api/auth/sign-in", json_body={"email": "stranger@example.com"})
    stack.drain()
    assert (known.status, known.body) == (unknown.status, unknown.body) == (known.status, known.body)
    assert known.status == 202
    # Everyone gets a link (a first sign-in creates the account), so the mail doesn't tell either.
    assert len(outbox_for(stack, "stranger@example.com")) == len(outbox_for(stack, "ada@pennydesk.local")) == 1


def test_admin_manages_agents_and_deactivation_hands_tickets_back(stack: LocalStack) -> None:
    admin = {"Authorization": f"Bearer {sign_in(stack, 'admin@pennydesk.local')}"}
    created = stack.http(
        "POST",
        "/api/admin/agents",
        headers=admin,
        json_body={"email": "lin@pennydesk.local", "name": "Lin", "categories": ["billing"], "capacity": 5},
    )
    assert created.status == 201
    duplicate = stack.http(
        "POST",
        "/api/admin/agents",
        headers=admin,
        json_body={"email": "lin@pennydesk.local", "name": "Lin again", "categories": ["billing"]},
    )
    assert duplicate.status == 409

    ticket = open_ticket(stack)
    owner_id = stored_ticket(ticket.id)["agent_id"]
    changed = stack.http("PATCH", f"/api/admin/agents/{owner_id}", headers=admin, json_body={"active": False})
    stack.drain()

    assert changed.status == 200 and changed.json()["active"] is False and changed.json()["open_count"] == 0
    stored = stored_ticket(ticket.id)
    assert stored["status"] == "assigned" and stored["agent_id"] != owner_id
    roster = stack.http("GET", "/api/admin/agents", headers=admin).json()["agents"]
    assert {a["email"] for a in roster} >= {"lin@pennydesk.local", "ada@pennydesk.local"}
    assert sum(a["open_count"] for a in roster) == 1


def test_admin_routes_refuse_agents_and_customers(stack: LocalStack) -> None:
    ticket = open_ticket(stack)
    agent_session = {"Authorization": f"Bearer {sign_in(stack, ticket.agent_email)}"}
    for headers in (agent_session, ticket.customer, ticket.agent, {}):
        assert stack.http("GET", "/api/admin/agents", headers=headers).status in (401, 403)


def test_thread_keeps_the_order_things_happened_in_even_within_one_second(stack: LocalStack) -> None:
    import time_machine

    ticket = open_ticket(stack)
    with time_machine.travel(stack.now(), tick=False):
        for i in range(4):
            act(stack, ticket, "reply", body=f"agent {i}")
            path = f"/api/tickets/{ticket.id}/messages"
            stack.http("POST", path, headers=ticket.customer, json_body={"body": f"customer {i}"})
        thread = stack.http("GET", f"/api/tickets/{ticket.id}", headers=ticket.customer).json()["messages"]

    assert [m["body"] for m in thread] == [f"{who} {i}" for i in range(4) for who in ("agent", "customer")]
