"""From the stream: each new ticket goes to the least-loaded agent who covers it, and both sides hear of it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import time_machine
from pennydesk.helpdesk import roster as roster
from pennydesk.identity import tokens

from infra.local.engine import LocalStack
from tests.support.helpdesk import VALID_TICKET, submit_ticket
from tests.support.outbox import link_to, outbox_for, query_of
from tests.support.records import agents_by_email, stored_ticket
from tests.support.stack import ADMIN

SITE = "http://127.0.0.1:3000"
CUSTOMER = VALID_TICKET["email"]


def agent(name: str, *categories: str, capacity: int | None = None) -> dict[str, object]:
    spec: dict[str, object] = {"name": name, "email": f"{name.lower()}@pennydesk.local", "categories": list(categories)}
    if capacity is not None:
        spec["capacity"] = capacity
    return spec


def open_ticket(stack: LocalStack, **overrides: object) -> str:
    response = submit_ticket(stack, **overrides)
    assert response.status == 201, response.body
    stack.drain()
    return response.json()["id"]


def assignee_of(ticket_id: str) -> str:
    """The email of the agent a ticket is assigned to."""
    agent_id = stored_ticket(ticket_id)["agent_id"]
    return next(email for email, a in agents_by_email().items() if a["agent_id"] == agent_id)


# ---------------------------------------------------------------- the happy path


def test_new_ticket_is_assigned_to_an_agent_who_covers_its_category(stack: LocalStack) -> None:
    for category in ("billing", "technical", "general"):
        ticket_id = open_ticket(stack, category=category)

        ticket = stored_ticket(ticket_id)
        assert ticket["status"] == "assigned"
        assert category in agents_by_email()[assignee_of(ticket_id)]["categories"]
        assert ticket["assigned_at"]


def test_customer_gets_confirmation_with_status_link(stack: LocalStack) -> None:
    ticket_id = open_ticket(stack)

    [confirmation] = outbox_for(stack, CUSTOMER)
    assert "[#1001]" in confirmation["subject"]
    assert VALID_TICKET["subject"] in confirmation["subject"]
    links = [link_to(confirmation[part], "/ticket.html") for part in ("text", "html")]
    assert links[0] == links[1]
    assert links[0].startswith(f"{SITE}/ticket.html?")
    assert query_of(links[0])["id"] == ticket_id
    grant = tokens.verify("customer", query_of(links[0])["token"])
    assert grant.subject == ticket_id


def test_agent_gets_the_ticket_with_an_action_link(stack: LocalStack) -> None:
    ticket_id = open_ticket(stack, description="The charge of 12.00 appears twice.")
    assignee = assignee_of(ticket_id)

    [assigned] = outbox_for(stack, assignee)
    assert "[#1001]" in assigned["subject"]
    assert "The charge of 12.00 appears twice." in assigned["text"]
    links = [link_to(assigned[part], "/agent/ticket.html") for part in ("text", "html")]
    assert links[0] == links[1]
    assert links[0].startswith(f"{SITE}/agent/ticket.html?")
    assert query_of(links[0])["id"] == ticket_id
    grant = tokens.verify("agent", query_of(links[0])["token"])
    assert grant.purpose == "agent"
    assert grant.subject == agents_by_email()[assignee]["agent_id"]
    assert grant.claims["ticket"] == ticket_id


def test_only_the_customer_and_the_assignee_are_emailed(stack: LocalStack) -> None:
    ticket_id = open_ticket(stack)

    recipients = sorted(address for message in stack.outbox() for address in message["to"])
    assert recipients == sorted([CUSTOMER, assignee_of(ticket_id)])
    assert outbox_for(stack, ADMIN) == []


# ---------------------------------------------------------------- who gets the next ticket


def test_tickets_spread_evenly_across_agents(make_stack: Callable[..., LocalStack]) -> None:
    stack = make_stack([agent("Ana", "billing"), agent("Ben", "billing"), agent("Cleo", "billing")])

    for n in range(8):
        open_ticket(stack, email=f"customer{n}@example.com")

    loads = [a["open_count"] for a in agents_by_email().values()]
    assert sum(loads) == 8
    assert max(loads) - min(loads) <= 1


def test_tickets_submitted_in_a_burst_also_spread_evenly(make_stack: Callable[..., LocalStack]) -> None:
    stack = make_stack([agent("Ana", "billing"), agent("Ben", "billing"), agent("Cleo", "billing")])

    for n in range(7):
        assert submit_ticket(stack, email=f"customer{n}@example.com").status == 201
    stack.drain()

    loads = sorted(a["open_count"] for a in agents_by_email().values())
    assert loads == [2, 2, 3]


def test_agents_with_equal_loads_take_turns(make_stack: Callable[..., LocalStack]) -> None:
    stack = make_stack([agent("Ana", "billing"), agent("Ben", "billing"), agent("Cleo", "billing")])

    order = [assignee_of(open_ticket(stack, email=f"customer{n}@example.com")) for n in range(6)]

    assert len(set(order[:3])) == 3
    assert order[3:] == order[:3]


def test_next_ticket_goes_to_the_agent_idle_longest_when_loads_tie(make_stack: Callable[..., LocalStack]) -> None:
    """Pat and Quinn both cover billing; each also has a category of their own.

    Whoever gets the first ticket (through their own category) has waited longest once the other has
    one too, so the billing ticket that follows is theirs. The agent whose id sorts last goes first, so
    a tie broken by id instead of by waiting time shows. The tickets arrive 100 ms apart, within one
    clock second, as a burst does.
    """
    stack = make_stack([agent("Pat", "general", "billing"), agent("Quinn", "technical", "billing")])
    roster_now = agents_by_email()
    own_category = {"pat@pennydesk.local": "general", "quinn@pennydesk.local": "technical"}
    first, second = sorted(roster_now, key=lambda email: roster_now[email]["agent_id"], reverse=True)

    start_of_a_second = datetime.now(UTC).replace(microsecond=0) + timedelta(days=1)
    with time_machine.travel(start_of_a_second, tick=False) as clock:
        clock.shift(timedelta(milliseconds=100))
        assert assignee_of(open_ticket(stack, category=own_category[first], email="a@example.com")) == first
        clock.shift(timedelta(milliseconds=100))
        assert assignee_of(open_ticket(stack, category=own_category[second], email="b@example.com")) == second
        clock.shift(timedelta(milliseconds=100))
        billing = open_ticket(stack, category="billing", email="c@example.com")

    assert assignee_of(billing) == first


def test_agent_at_capacity_gets_no_more_tickets(make_stack: Callable[..., LocalStack]) -> None:
    stack = make_stack([agent("Ana", "billing", capacity=1), agent("Ben", "billing", capacity=10)])

    assignees = [assignee_of(open_ticket(stack, email=f"customer{n}@example.com")) for n in range(5)]

    assert assignees.count("ana@pennydesk.local") == 1
    assert assignees.count("ben@pennydesk.local") == 4
    assert agents_by_email()["ana@pennydesk.local"]["open_count"] == 1


def test_when_every_agent_is_full_the_ticket_waits_and_admins_are_told(make_stack: Callable[..., LocalStack]) -> None:
    stack = make_stack([agent("Ana", "billing", capacity=1)])
    open_ticket(stack, email="first@example.com")

    waiting = open_ticket(stack, email="second@example.com")

    assert stored_ticket(waiting)["status"] == "new"
    assert "agent_id" not in stored_ticket(waiting)
    assert agents_by_email()["ana@pennydesk.local"]["open_count"] == 1
    [alert] = outbox_for(stack, ADMIN)
    assert "[#1002]" in alert["subject"] and "Needs an agent" in alert["subject"]
    assert len(outbox_for(stack, "second@example.com")) == 1


def test_inactive_agent_gets_nothing(make_stack: Callable[..., LocalStack]) -> None:
    stack = make_stack([agent("Ana", "billing")])
    roster.create_agent(email="ivy@pennydesk.local", name="Ivy", categories=["billing"], active=False)

    assignees = {assignee_of(open_ticket(stack, email=f"customer{n}@example.com")) for n in range(3)}

    assert assignees == {"ana@pennydesk.local"}
    assert agents_by_email()["ivy@pennydesk.local"]["open_count"] == 0
    assert outbox_for(stack, "ivy@pennydesk.local") == []


def test_nobody_covers_the_category_so_admins_hear_once_and_customer_still_hears(
    make_stack: Callable[..., LocalStack],
) -> None:
    stack = make_stack([agent("Ana", "billing", "general"), agent("Ben", "general")])

    ticket_id = open_ticket(stack, category="technical")

    assert stored_ticket(ticket_id)["status"] == "new"
    alerts = outbox_for(stack, ADMIN)
    assert len(alerts) == 1
    assert "Needs an agent" in alerts[0]["subject"]
    assert "technical" in alerts[0]["text"]
    assert alerts[0]["html"].strip()
    [confirmation] = outbox_for(stack, CUSTOMER)
    assert "[#1001]" in confirmation["subject"]
    assert outbox_for(stack, "ana@pennydesk.local") == outbox_for(stack, "ben@pennydesk.local") == []


def test_with_no_agents_at_all_every_ticket_waits_for_an_admin(make_stack: Callable[..., LocalStack]) -> None:
    stack = make_stack([])

    ids = [open_ticket(stack, email=f"customer{n}@example.com") for n in range(2)]

    assert [stored_ticket(i)["status"] for i in ids] == ["new", "new"]
    assert [m["subject"][:7] for m in outbox_for(stack, ADMIN)] == ["[#1001]", "[#1002]"]
