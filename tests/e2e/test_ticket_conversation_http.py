"""The whole conversation over HTTP on `make dev`'s stack: each step from a link in the outbox."""

from __future__ import annotations

import re
import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from tests.support.stack import RunningStack

pytestmark = pytest.mark.e2e
MAIL_DEADLINE = 5.0


def wait_for_mail(base: str, count: int) -> list[dict[str, Any]]:
    """The outbox once it holds `count` messages (the stream works in the background)."""
    deadline = time.monotonic() + MAIL_DEADLINE
    while True:
        messages = requests.get(f"{base}/_local/outbox", timeout=5).json()["messages"]
        if len(messages) >= count or time.monotonic() > deadline:
            return messages
        time.sleep(0.05)  # polling the outbox, bounded by the deadline


def link(message: dict[str, Any], page: str) -> tuple[str, str]:
    """(ticket id, token) from the one link in `message` that opens `page`."""
    urls = {u for u in re.findall(r"https?://\S+", message["text"]) if urlsplit(u).path == page}
    assert len(urls) == 1, (page, message["text"])
    url = urlsplit(urls.pop())
    return parse_qs(url.query)["id"][0], parse_qs(url.fragment)["token"][0]


def test_customer_and_agent_talk_it_through_by_email_links(live: RunningStack) -> None:
    base, api = live.base, f"{live.base}/api"
    created = requests.post(
        f"{api}/tickets",
        json={
            "name": "Noor",
            "email": "noor@example.com",
            "subject": "Export fails",
            "description": "The CSV export button does nothing.",
            "category": "technical",
        },
        timeout=5,
    )
    assert created.status_code == 201
    number = created.json()["number"]

    mail = wait_for_mail(base, 2)
    confirmation = next(m for m in mail if m["to"] == ["noor@example.com"])
    assignment = next(m for m in mail if m is not confirmation)
    ticket_id, customer_token = link(confirmation, "/ticket.html")
    agent_ticket_id, agent_token = link(assignment, "/agent/ticket.html")
    assert ticket_id == agent_ticket_id == created.json()["id"]
    agent_email = assignment["to"][0]
    as_agent = {"Authorization": f"Bearer {agent_token}"}
    as_customer = {"Authorization": f"Bearer {customer_token}"}

    # The agent opens the link: a page, and the API behind it, show the ticket and change nothing.
    assert requests.get(f"{base}/agent/ticket.html", params={"id": ticket_id, "token": agent_token}, timeout=5).ok
    opened = requests.get(f"{api}/agent/tickets/{ticket_id}", headers=as_agent, timeout=5)
    assert opened.status_code == 200 and opened.json()["ticket"]["status"] == "assigned"

    replied = requests.post(
        f"{api}/agent/tickets/{ticket_id}/actions",
        headers=as_agent,
        json={"action": "reply", "body": "Which browser are you using?"},
        timeout=5,
    )
    assert replied.status_code == 200 and replied.json()["ticket"]["status"] == "waiting_on_customer"
    agent_reply_mail = wait_for_mail(base, 3)[-1]
    assert agent_reply_mail["to"] == ["noor@example.com"]
    assert "Which browser are you using?" in agent_reply_mail["text"]
    assert link(agent_reply_mail, "/ticket.html")[0] == ticket_id

    answered = requests.post(
        f"{api}/tickets/{ticket_id}/messages", headers=as_customer, json={"body": "Firefox 140."}, timeout=5
    )
    assert answered.status_code == 201
    customer_reply_mail = wait_for_mail(base, 4)[-1]
    assert customer_reply_mail["to"] == [agent_email]
    assert "Firefox 140." in customer_reply_mail["text"]
    assert link(customer_reply_mail, "/agent/ticket.html")[0] == ticket_id

    resolved = requests.post(
        f"{api}/agent/tickets/{ticket_id}/actions",
        headers=as_agent,
        json={"action": "resolve", "body": "Fixed in today's release."},
        timeout=5,
    )
    assert resolved.status_code == 200 and resolved.json()["ticket"]["status"] == "resolved"
    mail = wait_for_mail(base, 5)

    assert [(m["to"], m["subject"]) for m in mail] == [
        (["noor@example.com"], f"[#{number}] We received your request: Export fails"),
        ([agent_email], f"[#{number}] Assigned to you (normal): Export fails"),
        (["noor@example.com"], f"[#{number}] Re: Export fails"),
        ([agent_email], f"[#{number}] Noor replied: Export fails"),
        (["noor@example.com"], f"[#{number}] Resolved: Export fails"),
    ]
    assert "Fixed in today's release." in mail[-1]["text"]
    assert link(mail[-1], "/ticket.html")[0] == ticket_id
    for message in mail:
        assert message["html"] and message["text"]

    # The customer's page shows the public thread, in order, and never a note.
    thread = requests.get(f"{api}/tickets/{ticket_id}", headers=as_customer, timeout=5).json()["messages"]
    assert [m["body"] for m in thread] == [
        "Which browser are you using?",
        "Firefox 140.",
        "Fixed in today's release.",
    ]
