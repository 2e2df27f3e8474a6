"""People who use Pennydesk, acting through its HTTP API as they would through the site and their email.

A Customer raises a ticket and follows the links the desk emails; an Agent opens the link in their
"Assigned to you" email and works the ticket; an Admin signs in and looks after the roster; a Spender signs
in and records expenses. Each is built on the helpers in tests.support.helpdesk and tests.support.identity.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from infra.local.engine import HttpResult, LocalStack
from tests.support.helpdesk import VALID_TICKET, submit_ticket
from tests.support.identity import bearer, sign_in
from tests.support.outbox import link_to, outbox_for, query_of
from tests.support.stack import ADMIN


@dataclass
class Customer:
    """Someone with one ticket: they raise it on the form, then read it through the link the desk emails."""

    stack: LocalStack
    email: str = VALID_TICKET["email"]
    name: str = VALID_TICKET["name"]
    ticket_id: str = ""
    number: int = 0
    token: str = ""

    def raise_ticket(self, subject: str, description: str, category: str = "billing") -> int:
        """Submit the form; the desk stores, assigns and confirms it by email. Returns the ticket's number."""
        fields = {"name": self.name, "email": self.email, "subject": subject, "description": description}
        created = submit_ticket(self.stack, **fields, category=category)
        assert created.status == 201, created.body
        self.stack.drain()
        self.ticket_id, self.number = created.json()["id"], created.json()["number"]
        return self.number

    def mail(self) -> list[dict[str, Any]]:
        """Everything the desk has emailed this customer about their ticket, oldest first."""
        return [m for m in outbox_for(self.stack, self.email) if m["subject"].startswith(f"[#{self.number}] ")]

    def subjects(self) -> list[str]:
        return [m["subject"] for m in self.mail()]

    def follow_latest_link(self) -> dict[str, Any]:
        """Open the ticket page from the newest email about the ticket: what the page shows."""
        self.token = query_of(link_to(self.mail()[-1]["text"], "/ticket.html"))["token"]
        return self.ticket()

    def ticket(self) -> dict[str, Any]:
        """The ticket and its public thread, as the ticket page reads them."""
        page = self.stack.http("GET", f"/api/tickets/{self.ticket_id}", headers=bearer(self.token))
        assert page.status == 200, page.body
        return page.json()

    def reply(self, body: str) -> None:
        sent = self.stack.http(
            "POST", f"/api/tickets/{self.ticket_id}/messages", headers=bearer(self.token), json_body={"body": body}
        )
        assert sent.status == 201, sent.body
        self.stack.drain()


@dataclass
class Agent:
    """The agent a ticket went to, working it through the link in their email."""

    stack: LocalStack
    email: str
    ticket_id: str
    token: str

    @classmethod
    def assigned_to(cls, stack: LocalStack, number: int) -> Agent:
        """Whoever the desk assigned ticket `number` to, having opened the link in their "Assigned to you" email."""
        mail = [m for m in stack.outbox() if m["subject"].startswith(f"[#{number}] Assigned to you")][-1]
        query = query_of(link_to(mail["text"], "/agent/ticket.html"))
        return cls(stack, mail["to"][0], query["id"], query["token"])

    def ticket(self) -> dict[str, Any]:
        """The ticket with its notes and history, as the agent's ticket page reads them."""
        page = self.stack.http("GET", f"/api/agent/tickets/{self.ticket_id}", headers=bearer(self.token))
        assert page.status == 200, page.body
        return page.json()

    def act(self, action: str, **fields: str) -> dict[str, Any]:
        """Take `action` (acknowledge, reply, note, resolve...); the streams run; the agent's view after it."""
        done = self.stack.http(
            "POST", f"/api/agent/tickets/{self.ticket_id}/actions", headers=bearer(self.token),
            json_body={"action": action, **fields},
        )
        assert done.status == 200, done.body
        self.stack.drain()
        return done.json()

    def reply(self, body: str) -> dict[str, Any]:
        return self.act("reply", body=body)


@dataclass
class Admin:
    """An admin, signed in through the emailed link, looking after the roster of agents."""

    stack: LocalStack
    session: str
    email: str = ADMIN

    @classmethod
    def signed_in(cls, stack: LocalStack, email: str = ADMIN) -> Admin:
        return cls(stack, sign_in(stack, email), email)

    def agents(self) -> list[dict[str, Any]]:
        """The roster as the agents page lists it."""
        roster = self.stack.http("GET", "/api/admin/agents", headers=bearer(self.session))
        assert roster.status == 200, roster.body
        return roster.json()["agents"]


@dataclass
class Spender:
    """A signed-in person using the spending API with their session, as the site does."""

    stack: LocalStack
    email: str
    session: str

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.session}"}

    def call(self, method: str, path: str, *, query: str = "", body: Any = None) -> HttpResult:
        return self.stack.http(method, path, query=query, headers=self.auth, json_body=body)

    def me(self) -> dict[str, Any]:
        result = self.call("GET", "/api/me")
        assert result.status == 200, result.body
        return result.json()

    def change(self, **changes: Any) -> HttpResult:
        return self.call("PUT", "/api/me", body=changes)

    def settle(self, **changes: Any) -> dict[str, Any]:
        result = self.change(**changes)
        assert result.status == 200, result.body
        return result.json()

    def add(self, amount: str, category: str = "groceries", date: str = "2026-10-15", **extra: Any) -> dict[str, Any]:
        body = {"amount": amount, "category": category, "date": date, **extra}
        result = self.call("POST", "/api/expenses", body=body)
        assert result.status == 201, result.body
        return result.json()

    def edit(self, expense: dict[str, Any], **changes: Any) -> dict[str, Any]:
        fields = {k: expense[k] for k in ("amount", "category", "date", "payee", "note", "tags")}
        result = self.call("PUT", f"/api/expenses/{expense['id']}", body={**fields, **changes})
        assert result.status == 200, result.body
        return result.json()

    def remove(self, expense: dict[str, Any]) -> None:
        result = self.call("DELETE", f"/api/expenses/{expense['id']}")
        assert result.status == 204, result.body

    def report(self, month: str) -> dict[str, Any]:
        result = self.call("GET", "/api/reports/monthly", query=f"month={month}")
        assert result.status == 200, result.body
        return result.json()

    def pages(self, month: str, *, limit: int | None = None, category: str | None = None) -> list[list[dict]]:
        """Every page of a month's listing, following next_cursor until it is null."""
        pages: list[list[dict]] = []
        cursor: str | None = None
        while True:
            query = f"month={month}"
            query += f"&limit={limit}" if limit else ""
            query += f"&category={category}" if category else ""
            query += f"&cursor={cursor}" if cursor else ""
            result = self.call("GET", "/api/expenses", query=query)
            assert result.status == 200, result.body
            page = result.json()
            pages.append(page["expenses"])
            cursor = page["next_cursor"]
            if cursor is None:
                return pages
            assert len(pages) < 500, "next_cursor never ran out"

    def listing(self, month: str, **kwargs: Any) -> list[dict[str, Any]]:
        return [expense for page in self.pages(month, **kwargs) for expense in page]


def signed_in(stack: LocalStack, email: str, *, accept_language: str | None = None) -> Spender:
    """A Spender who has just signed in through the emailed link (a first sign-in opens the account, in the
    browser's locale when it says one)."""
    return Spender(stack, email, sign_in(stack, email, accept_language=accept_language))


def alerts(stack: LocalStack, spender: Spender) -> list[str]:
    """The subjects of the budget alerts the spender was sent."""
    return [m["subject"] for m in outbox_for(stack, spender.email) if "budget" in m["subject"]]
