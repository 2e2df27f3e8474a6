"""Service levels: a missed target is escalated once, an unacknowledged urgent ticket changes hands, and
time spent waiting on the customer does not count."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from infra.local.engine import LocalStack
from tests.support.helpdesk import OpenTicket, act, open_ticket
from tests.support.outbox import link_to, outbox_for, query_of
from tests.support.records import agents_by_email, stored_ticket, timers_of
from tests.support.stack import ADMIN, moment


def breaches(stack: LocalStack, address: str) -> list[dict[str, Any]]:
    return [m for m in outbox_for(stack, address) if "] Missed " in m["subject"]]


def created_at(ticket: OpenTicket) -> datetime:
    return moment(stored_ticket(ticket.id)["created_at"])


def test_a_missed_first_response_target_emails_the_agent_and_the_admins_once(stack: LocalStack) -> None:
    ticket = open_ticket(stack)  # normal priority: 8 hours to a first reply
    start = created_at(ticket)

    stack.run_schedule(start + timedelta(hours=7, minutes=55))
    assert breaches(stack, ticket.agent_email) == [] and breaches(stack, ADMIN) == []

    stack.run_schedule(start + timedelta(hours=8, minutes=5))
    stack.run_schedule(start + timedelta(hours=8, minutes=5))
    stack.run_schedule(start + timedelta(hours=9))

    (to_agent,) = breaches(stack, ticket.agent_email)
    (to_admins,) = breaches(stack, ADMIN)
    assert to_agent["subject"] == f"[#{ticket.number}] Missed first response target (normal): Charged twice for March"
    assert "8 hours" in to_agent["text"]
    assert link_to(to_agent["text"], "/agent/ticket.html")  # the agent can act from it
    assert "token=" not in to_admins["text"]  # the agent's personal link is not the admins' to use
    assert stored_ticket(ticket.id)["agent_id"] and stored_ticket(ticket.id)["status"] == "assigned"
    assert "breached_at" in timers_of(ticket.id)["TIMER#sla_first"]


def test_an_unacknowledged_urgent_ticket_goes_back_to_the_queue_and_to_someone_else(stack: LocalStack) -> None:
    ticket = open_ticket(stack, priority="urgent", category="general")  # Ada and Bill cover "general"
    start = created_at(ticket)
    first_agent = stored_ticket(ticket.id)["agent_id"]

    stack.run_schedule(start + timedelta(minutes=55))
    assert stored_ticket(ticket.id)["agent_id"] == first_agent

    stack.run_schedule(start + timedelta(hours=1, minutes=5))

    after = stored_ticket(ticket.id)
    assert after["status"] == "assigned"
    assert after["agent_id"] != first_agent
    loads = {a["agent_id"]: a["open_count"] for a in agents_by_email().values()}
    assert loads[first_agent] == 0 and loads[after["agent_id"]] == 1
    (to_first,) = breaches(stack, ticket.agent_email)
    assert "back to the queue" in to_first["text"]
    new_email = next(e for e, a in agents_by_email().items() if a["agent_id"] == after["agent_id"])
    assert [m["subject"] for m in outbox_for(stack, new_email)] == [
        f"[#{ticket.number}] Assigned to you (urgent): Charged twice for March"
    ]
    assert len(breaches(stack, ADMIN)) == 1
    history = stack.http("GET", f"/api/agent/tickets/{ticket.id}",
                         headers=_agent_link(stack, new_email, ticket)).json()["entries"]
    handed = [e for e in history if e["kind"] == "event" and e["author_type"] == "system"]
    assert [(e["action"], e["from_status"], e["to_status"]) for e in handed] == [
        ("assign", "new", "assigned"), ("reassign", "assigned", "new"), ("assign", "new", "assigned"),
    ]  # the desk assigned it, handed it back, and assigned it again

    stack.run_schedule(start + timedelta(hours=3))  # nothing more: that breach is recorded
    assert len(breaches(stack, ADMIN)) == 1 and stored_ticket(ticket.id)["agent_id"] == after["agent_id"]


def _agent_link(stack: LocalStack, email: str, ticket: OpenTicket) -> dict[str, str]:
    mail = [m for m in outbox_for(stack, email) if f"[#{ticket.number}] Assigned to you" in m["subject"]][-1]
    return {"Authorization": f"Bearer {query_of(link_to(mail['text'], '/agent/ticket.html'))['token']}"}


def test_an_acknowledged_urgent_ticket_stays_with_its_agent(stack: LocalStack) -> None:
    ticket = open_ticket(stack, priority="urgent", category="general")
    start = created_at(ticket)
    agent = stored_ticket(ticket.id)["agent_id"]
    assert act(stack, ticket, "acknowledge")[0] == 200

    stack.run_schedule(start + timedelta(hours=1, minutes=5))

    assert stored_ticket(ticket.id)["agent_id"] == agent
    assert stored_ticket(ticket.id)["status"] == "in_progress"
    assert len(breaches(stack, ticket.agent_email)) == 1
    assert "back to the queue" not in breaches(stack, ticket.agent_email)[0]["text"]


def test_waiting_on_the_customer_pauses_the_resolution_target(stack: LocalStack) -> None:
    ticket = open_ticket(stack)  # normal: 72 hours to resolve
    start = created_at(ticket)
    stack.advance_clock(start + timedelta(hours=1))
    assert act(stack, ticket, "reply", body="Could you send the card statement?")[1]["ticket"]["status"] == (
        "waiting_on_customer"
    )

    # Waiting on the customer for 79 hours: well past 72 hours since creation, and no breach.
    stack.run_schedule(start + timedelta(hours=80))
    assert breaches(stack, ticket.agent_email) == []
    assert "due_shard" not in timers_of(ticket.id)["TIMER#sla_resolution"]  # paused: out of the due index

    reply = stack.http("POST", f"/api/tickets/{ticket.id}/messages", headers=ticket.customer,
                       json_body={"body": "Here it is."})
    assert reply.status == 201
    stack.drain()
    # 1 hour used before the pause; 71 left from the moment the customer answered (80 h after creation).
    stack.run_schedule(start + timedelta(hours=150))
    assert breaches(stack, ticket.agent_email) == []
    stack.run_schedule(start + timedelta(hours=151, minutes=5))
    (breach,) = breaches(stack, ticket.agent_email)
    assert "Missed resolution target" in breach["subject"] and "3 days" in breach["text"]


def test_a_met_first_response_target_sends_nothing(stack: LocalStack) -> None:
    ticket = open_ticket(stack)
    start = created_at(ticket)
    act(stack, ticket, "acknowledge")
    act(stack, ticket, "reply", body="On it.")
    act(stack, ticket, "resolve", body="Done.")

    stack.run_schedule(start + timedelta(days=4))

    assert breaches(stack, ticket.agent_email) == [] and breaches(stack, ADMIN) == []
    assert not any(k.startswith("TIMER#sla") for k in timers_of(ticket.id))


def test_raising_the_priority_brings_the_tighter_target(stack: LocalStack) -> None:
    ticket = open_ticket(stack, category="general")  # normal: 8 h
    start = created_at(ticket)
    stack.advance_clock(start + timedelta(minutes=20))
    assert act(stack, ticket, "set_priority", priority="high")[0] == 200  # high: 4 h, still from creation

    stack.run_schedule(start + timedelta(hours=3, minutes=55))
    assert breaches(stack, ticket.agent_email) == []
    stack.run_schedule(start + timedelta(hours=4, minutes=5))
    (breach,) = breaches(stack, ticket.agent_email)
    assert "(high)" in breach["subject"] and "4 hours" in breach["text"]
