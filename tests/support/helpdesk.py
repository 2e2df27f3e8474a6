"""The help desk through its API: submit a ticket, take both emailed links, act as the agent, resolve."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from infra.local.engine import HttpResult, LocalStack
from tests.support.outbox import link_to, links_in, outbox_for, query_of
from tests.support.stack import moment

VALID_TICKET: dict[str, Any] = {
    "name": "Maya Okafor",
    "email": "maya@example.com",
    "subject": "Charged twice for March",
    "description": "My card shows two charges of 12.00 on 3 March. Please refund one.",
    "category": "billing",
}


def submit_ticket(stack: LocalStack, *, headers: dict[str, str] | None = None, **overrides: Any) -> HttpResult:
    """POST a valid ticket (with any field replaced) to /api/tickets, as the hosted form would."""
    return stack.http("POST", "/api/tickets", json_body={**VALID_TICKET, **overrides}, headers=headers)


@dataclass
class OpenTicket:
    id: str
    number: int
    customer_token: str
    agent_token: str
    agent_email: str

    @property
    def customer(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.customer_token}"}

    @property
    def agent(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.agent_token}"}


def open_ticket(stack: LocalStack, **overrides: str) -> OpenTicket:
    """A customer submits; the stream assigns it; both links come out of the outbox."""
    created = submit_ticket(stack, **overrides).json()
    stack.drain()
    customer_mail = [m for m in stack.outbox() if f"[#{created['number']}] We received" in m["subject"]][-1]
    agent_mail = [m for m in stack.outbox() if f"[#{created['number']}] Assigned to you" in m["subject"]][-1]
    return OpenTicket(
        id=created["id"],
        number=created["number"],
        customer_token=query_of(link_to(customer_mail["text"], "/ticket.html"))["token"],
        agent_token=query_of(link_to(agent_mail["text"], "/agent/ticket.html"))["token"],
        agent_email=agent_mail["to"][0],
    )


def act(stack: LocalStack, ticket: OpenTicket, action: str, **fields: str) -> tuple[int, dict]:
    """The assigned agent takes `action` through their link; the streams run; (status, the agent's view)."""
    result = stack.http(
        "POST", f"/api/agent/tickets/{ticket.id}/actions", headers=ticket.agent, json_body={"action": action, **fields}
    )
    stack.drain()
    return result.status, result.json()


def resolve(stack: LocalStack, ticket: OpenTicket, body: str = "Refunded; sorry for the trouble.") -> datetime:
    """The agent resolves the ticket; returns when (as the ticket records it)."""
    status, view = act(stack, ticket, "resolve", body=body)
    assert status == 200, view
    assert view["ticket"]["status"] == "resolved"
    return moment(view["ticket"]["resolved_at"])


def resolved_ticket(stack: LocalStack, **overrides: str) -> tuple[OpenTicket, datetime]:
    ticket = open_ticket(stack, **overrides)
    return ticket, resolve(stack, ticket)


def surveys(stack: LocalStack, address: str = VALID_TICKET["email"]) -> list[dict[str, Any]]:
    """The satisfaction surveys mailed to `address` (the valid ticket's customer unless named)."""
    return [m for m in outbox_for(stack, address) if "How did we do?" in m["subject"]]


def survey_links(message: dict[str, Any]) -> dict[int, str]:
    """rating -> the survey page link for it, from the email's text."""
    found = {}
    for url in links_in(message["text"]):
        query = query_of(url)
        if "/survey.html" in url and "rating" in query:
            found[int(query["rating"])] = url
    return found
