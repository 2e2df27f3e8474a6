"""Scheduled work over HTTP on `make dev`'s stack: the survey, the rating, the quiet close and the digest,
each moment replayed with `POST /_local/schedule {"now": ...}` and every step taken from a link in the outbox."""

from __future__ import annotations

import re
import time
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
import requests

from tests.support.stack import RunningStack

pytestmark = pytest.mark.e2e
MAIL_DEADLINE = 5.0
CUSTOMER = "rosa@example.com"
SPENDER = "ines@example.com"


def mail(base: str, address: str | None, pattern: str, count: int = 1, about: str = "") -> list[dict[str, Any]]:
    """The messages to `address` (anyone if None) whose subject matches `pattern` and whose text mentions
    `about`, once there are `count` of them (or the deadline passed): for what the stream sends."""
    deadline = time.monotonic() + MAIL_DEADLINE
    while True:
        messages = requests.get(f"{base}/_local/outbox", timeout=5).json()["messages"]
        found = [
            m for m in messages
            if (address is None or address in m["to"]) and re.search(pattern, m["subject"]) and about in m["text"]
        ]
        if len(found) >= count or time.monotonic() > deadline:
            return found
        time.sleep(0.05)  # the stream works in the background; polling with a deadline


def sent(base: str, address: str, pattern: str) -> list[dict[str, Any]]:
    """What the outbox holds now. A schedule POST answers only once its work is done (it drains the queue
    and the streams), so what it sent is already here: no waiting."""
    messages = requests.get(f"{base}/_local/outbox", timeout=5).json()["messages"]
    return [m for m in messages if address in m["to"] and re.search(pattern, m["subject"])]


def links(message: dict[str, Any], page: str) -> list[str]:
    return [u for u in re.findall(r"https?://\S+", message["text"]) if urlsplit(u).path == page]


def query(url: str) -> dict[str, str]:
    """A link's parameters: its query's and its fragment's (where emailed links carry `token`)."""
    split = urlsplit(url)
    return {k: v[0] for k, v in (parse_qs(split.query) | parse_qs(split.fragment)).items()}


def schedule(base: str, moment: datetime) -> dict[str, Any]:
    response = requests.post(
        f"{base}/_local/schedule", json={"now": moment.strftime("%Y-%m-%dT%H:%M:%SZ")}, timeout=60
    )
    assert response.status_code == 200, response.text
    return response.json()


def parse(iso: str) -> datetime:
    return datetime.fromisoformat(iso.replace("Z", "+00:00"))


def test_survey_rating_and_quiet_close_then_a_weekly_digest(live: RunningStack) -> None:
    base, api = live.base, f"{live.base}/api"

    # A ticket, assigned, resolved by its agent from the emailed link.
    created = requests.post(f"{api}/tickets", json={
        "name": "Rosa", "email": CUSTOMER, "subject": "Invoice shows the wrong address",
        "description": "The March invoice has my old address.", "category": "billing",
    }, timeout=5)
    assert created.status_code == 201, created.text
    ticket_id = created.json()["id"]
    (assigned,) = mail(base, None, r"Assigned to you", about=ticket_id)
    as_agent = {"Authorization": f"Bearer {query(links(assigned, '/agent/ticket.html')[0])['token']}"}
    resolved = requests.post(f"{api}/agent/tickets/{ticket_id}/actions", headers=as_agent,
                             json={"action": "resolve", "body": "Fixed: the next invoice has the new address."},
                             timeout=5)
    assert resolved.status_code == 200, resolved.text
    resolved_at = parse(resolved.json()["ticket"]["resolved_at"])

    # 47 hours on: nothing. 49 hours on: exactly one survey. The same moment again: nothing more.
    schedule(base, resolved_at + timedelta(hours=47))
    assert sent(base, CUSTOMER, r"How did we do\?") == []
    schedule(base, resolved_at + timedelta(hours=49))
    assert len(sent(base, CUSTOMER, r"How did we do\?")) == 1
    schedule(base, resolved_at + timedelta(hours=49))
    (survey,) = sent(base, CUSTOMER, r"How did we do\?")

    # The link for "4" opens the rating page; opening it (page and API) records nothing.
    four = next(u for u in links(survey, "/survey.html") if query(u).get("rating") == "4")
    as_survey = {"Authorization": f"Bearer {query(four)['token']}"}
    page = requests.get(four, timeout=5)
    assert page.status_code == 200 and 'id="survey-form"' in page.text
    before = requests.get(f"{api}/tickets/{ticket_id}/feedback", headers=as_survey, timeout=5)
    assert before.status_code == 200 and before.json()["rating"] is None
    assert requests.get(f"{base}/js/survey.js", timeout=5).status_code == 200

    # Only the page's submit records it, once.
    rated = requests.post(f"{api}/tickets/{ticket_id}/feedback", headers=as_survey,
                          json={"rating": 4, "comment": "Quick, thanks."}, timeout=5)
    assert rated.status_code == 201, rated.text
    after = requests.get(f"{api}/tickets/{ticket_id}/feedback", headers=as_survey, timeout=5).json()
    assert (after["rating"], after["comment"]) == (4, "Quick, thanks.")

    # After the quiet period the ticket closes, and the closing email links back to it.
    schedule(base, resolved_at + timedelta(days=5, minutes=5))
    (closing,) = sent(base, CUSTOMER, r"\] Closed: ")
    as_customer = {"Authorization": f"Bearer {query(links(closing, '/ticket.html')[0])['token']}"}
    ticket = requests.get(f"{api}/tickets/{ticket_id}", headers=as_customer, timeout=5).json()["ticket"]
    assert ticket["status"] == "closed"

    # A spender over budget gets one weekly digest on Monday morning, and none on Tuesday.
    clock = parse(schedule(base, resolved_at + timedelta(days=5, minutes=6))["now"])
    assert requests.post(f"{api}/auth/sign-in", json={"email": SPENDER}, timeout=5).status_code == 202
    (sign_in_mail,) = mail(base, SPENDER, r"sign-in link")  # the worker sends it, off the request's path
    sign_in_token = query(links(sign_in_mail, "/signin.html")[0])["token"]
    session = requests.post(f"{api}/auth/session", json={"token": sign_in_token}, timeout=5).json()["session"]
    me = {"Authorization": f"Bearer {session}"}
    zone = ZoneInfo("America/New_York")
    settled = requests.put(f"{api}/me", headers=me, timeout=5,
                           json={"digest": "weekly", "timezone": "America/New_York", "monthly_limit": "50.00"})
    assert settled.status_code == 200, settled.text
    today = clock.astimezone(zone).date()
    monday = today + timedelta(days=7 - today.weekday())  # the next Monday after today
    monday_8am = datetime.combine(monday, datetime.min.time().replace(hour=8), tzinfo=zone).astimezone(UTC)
    for amount, day in (("40.00", monday - timedelta(days=3)), ("35.00", monday - timedelta(days=1))):
        added = requests.post(f"{api}/expenses", headers=me, timeout=5,
                              json={"amount": amount, "category": "dining", "date": day.isoformat()})
        assert added.status_code == 201, added.text

    schedule(base, monday_8am - timedelta(minutes=5))
    assert sent(base, SPENDER, r"^Your week: ") == []
    schedule(base, monday_8am + timedelta(minutes=5))
    schedule(base, monday_8am + timedelta(minutes=5))
    schedule(base, monday_8am + timedelta(days=1))
    (digest,) = sent(base, SPENDER, r"^Your week: ")
    assert digest["subject"].startswith("Your week: $75.00 spent")
    assert _week_label(monday) in digest["subject"]
    assert "over budget" in digest["text"]
    assert "<script" not in digest["html"].lower() and "<img" not in digest["html"].lower()


def _week_label(monday: date) -> str:
    """The week as the digest names it for an en-US account ("Mar 3 - 9, 2031", an en dash; plain spaces)."""
    from babel.dates import format_interval

    first, last = monday - timedelta(days=7), monday - timedelta(days=1)
    return f"({' '.join(format_interval(first, last, 'yMMMd', locale='en_US').split())})"
