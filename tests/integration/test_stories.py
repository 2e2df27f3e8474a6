"""The products as their users tell it: each test is one person's story, told through tests/support/actors.py."""

from __future__ import annotations

from infra.local.engine import LocalStack
from tests.support.actors import Admin, Agent, Customer, signed_in


def test_a_customer_raises_a_ticket_the_assigned_agent_replies_and_the_customer_sees_the_reply(
    stack: LocalStack,
) -> None:
    maya = Customer(stack)
    number = maya.raise_ticket("Charged twice for March", "My card shows two charges of 12.00 on 3 March.")
    assert maya.follow_latest_link()["ticket"]["status"] == "assigned"

    agent = Agent.assigned_to(stack, number)
    assert agent.ticket()["me"]["email"] == agent.email
    agent.reply("I've refunded the second charge.")

    assert maya.subjects()[-1] == f"[#{number}] Re: Charged twice for March"
    page = maya.follow_latest_link()
    assert [m["body"] for m in page["messages"]] == ["I've refunded the second charge."]
    assert page["ticket"]["status"] == "waiting_on_customer"
    roster = {a["email"]: a["open_count"] for a in Admin.signed_in(stack).agents()}
    assert roster[agent.email] == 1


def test_a_spender_adds_expenses_and_sees_the_months_total(stack: LocalStack) -> None:
    ines = signed_in(stack, "ines@example.com")

    ines.add("12.40", "groceries", date="2026-10-03")
    ines.add("30.00", "transport", date="2026-10-17")
    ines.add("7.60", "groceries", date="2026-10-28")
    ines.add("99.00", "groceries", date="2026-11-01")  # next month: not in October's total

    october = ines.report("2026-10")
    assert october["total"] == "50.00"
    by_category = {c["category"]: c["total"] for c in october["categories"]}
    assert (by_category["groceries"], by_category["transport"]) == ("20.00", "30.00")
