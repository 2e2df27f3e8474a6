"""`make dev` as a person uses it: the local stack in its own process, driven over real HTTP."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests

from tests.support.helpdesk import VALID_TICKET
from tests.support.stack import RunningStack, stop_with_ctrl_c

pytestmark = pytest.mark.e2e


def outbox(live: RunningStack) -> list[dict[str, Any]]:
    response = requests.get(f"{live.base}/_local/outbox", timeout=5)
    assert response.status_code == 200
    return response.json()["messages"]


def test_ticket_emails_arrive_within_two_seconds_with_links(live: RunningStack) -> None:
    before = len(outbox(live))
    posted = time.monotonic()
    response = requests.post(f"{live.base}/api/tickets", json={**VALID_TICKET, "email": "e2e@example.com"}, timeout=5)
    assert response.status_code == 201, response.text
    ticket = response.json()

    arrived: list[dict[str, Any]] = []
    while time.monotonic() - posted < 10:
        arrived = outbox(live)[before:]
        if len(arrived) >= 2:
            break
        time.sleep(0.05)  # polling the outbox with a deadline
    elapsed = time.monotonic() - posted

    assert len(arrived) == 2, f"{len(arrived)} emails after {elapsed:.1f}s:\n{live.output()[-3000:]}"
    assert elapsed <= 2.0, f"the emails took {elapsed:.2f}s"
    assert any(m["to"] == ["e2e@example.com"] and f"[#{ticket['number']}]" in m["subject"] for m in arrived)
    for message in arrived:
        assert f"{live.base}/" in message["text"]
        assert "token=" in message["text"] and "token=" in message["html"]
        assert ticket["id"] in message["text"]


def test_the_form_is_served_at_the_root(live: RunningStack) -> None:
    response = requests.get(f"{live.base}/", timeout=5)

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert 'id="ticket-form"' in response.text


@pytest.mark.parametrize("path", ["/", "/api/tickets", "/_local/outbox", "/_local/schedule"])
@pytest.mark.parametrize("method", ["BREW", "DELETE"])
def test_an_unknown_method_is_405_never_501(live: RunningStack, path: str, method: str) -> None:
    response = requests.request(method, f"{live.base}{path}", timeout=5)

    assert response.status_code == 405
    assert response.headers.get("Allow")


def test_unknown_page_is_404(live: RunningStack) -> None:
    assert requests.get(f"{live.base}/no-such-page.html", timeout=5).status_code == 404


def test_outbox_page_shows_mail_with_customer_text_escaped(live: RunningStack) -> None:
    response = requests.post(
        f"{live.base}/api/tickets",
        json={**VALID_TICKET, "email": "xss@example.com", "subject": "<script>alert('outbox')</script> hi"},
        timeout=5,
    )
    assert response.status_code == 201
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not any(m["to"] == ["xss@example.com"] for m in outbox(live)):
        time.sleep(0.05)  # polling the outbox with a deadline

    page = requests.get(f"{live.base}/_local/outbox.html", timeout=5)

    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "xss@example.com" in page.text
    assert "<script>alert('outbox')</script>" not in page.text
    assert "&lt;script&gt;alert(" in page.text
    assert '<a href="http' in page.text


def test_schedule_refuses_the_past_and_accepts_the_future(live: RunningStack) -> None:
    past = (datetime.now(UTC) - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    future = (datetime.now(UTC) + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")

    refused = requests.post(f"{live.base}/_local/schedule", json={"now": past}, timeout=10)
    moved = requests.post(f"{live.base}/_local/schedule", json={"now": future}, timeout=30)

    assert refused.status_code == 409
    assert refused.json()["message"]
    assert moved.status_code == 200
    assert datetime.fromisoformat(moved.json()["now"]) >= datetime.fromisoformat(future.replace("Z", "+00:00"))
    garbled = requests.post(f"{live.base}/_local/schedule", json={"when": "soon"}, timeout=10)
    assert garbled.status_code == 400


def test_ctrl_c_stops_the_local_stack_cleanly(live: RunningStack) -> None:
    """Last in this module on purpose: after a session of real use, Ctrl-C ends it with exit code 0."""
    assert stop_with_ctrl_c(live) == 0, live.output()
    assert "stopped" in live.output()
