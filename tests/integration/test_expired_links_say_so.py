"""A link that ran out says it expired, whoever it was for: "not valid" sends people hunting for a typo."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from infra.local.engine import LocalStack
from tests.support.helpdesk import open_ticket
from tests.support.identity import bearer


def test_an_expired_agent_link_says_it_expired(stack: LocalStack) -> None:
    ticket = open_ticket(stack)
    stack.advance_clock(datetime.now(UTC) + timedelta(days=15))  # agent links live 14 days

    answer = stack.http("GET", f"/api/agent/tickets/{ticket.id}", headers=bearer(ticket.agent_token))

    assert answer.status == 401
    assert "expired" in answer.json()["message"]


def test_an_expired_customer_link_says_it_expired(stack: LocalStack) -> None:
    ticket = open_ticket(stack)
    stack.advance_clock(datetime.now(UTC) + timedelta(days=61))  # customer links live 60 days

    answer = stack.http("GET", f"/api/tickets/{ticket.id}", headers=bearer(ticket.customer_token))

    assert answer.status == 401
    assert "expired" in answer.json()["message"]
