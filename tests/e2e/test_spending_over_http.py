"""Budgeting on `make dev`'s stack over real HTTP: sign in from the emailed link, spend past 80 % and 100 % of the
month's budget, hear about each once, and read a report that matches to the cent."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from tests.support.stack import RunningStack

pytestmark = pytest.mark.e2e
MAIL_DEADLINE = 5.0
MONTH = datetime.now(UTC).strftime("%Y-%m")  # a month's report shows the limit it had: the one set today
MONTH_NAME = datetime.strptime(MONTH, "%Y-%m").strftime("%B %Y")


def mail_to(base: str, address: str) -> list[dict[str, Any]]:
    messages = requests.get(f"{base}/_local/outbox", timeout=5).json()["messages"]
    return [m for m in messages if address in m["to"]]


def wait_for(base: str, address: str, wanted: Any, count: int) -> list[dict[str, Any]]:
    """The address's messages that `wanted` picks, once there are `count` (the stream runs in the background)."""
    deadline = time.monotonic() + MAIL_DEADLINE
    while True:
        picked = [m for m in mail_to(base, address) if wanted(m)]
        if len(picked) >= count or time.monotonic() > deadline:
            return picked
        time.sleep(0.05)  # polling the outbox, bounded by the deadline


def is_alert(message: dict[str, Any]) -> bool:
    return "budget" in message["subject"]


def link(message: dict[str, Any], page: str) -> str:
    urls = {u for u in re.findall(r"https?://[^\s\"'<>]+", message["text"]) if urlsplit(u).path == page}
    assert len(urls) == 1, (page, message["text"])
    return urls.pop()


def sign_in(base: str, email: str) -> dict[str, str]:
    asked = requests.post(f"{base}/api/auth/sign-in", json={"email": email}, timeout=5)
    assert asked.status_code == 202, asked.text
    [mail] = wait_for(base, email, lambda m: "sign-in" in m["subject"], 1)
    token = parse_qs(urlsplit(link(mail, "/signin.html")).fragment)["token"][0]
    granted = requests.post(f"{base}/api/auth/session", json={"token": token}, timeout=5)
    assert granted.status_code == 200, granted.text
    return {"Authorization": f"Bearer {granted.json()['session']}"}


def cents(amount: str) -> int:
    whole, _, fraction = amount.partition(".")
    return int(whole) * 100 + int(fraction.ljust(2, "0"))


def test_a_month_of_spending_against_a_budget(live: RunningStack) -> None:
    base, api = live.base, f"{live.base}/api"
    email = "priya@example.com"
    me = sign_in(base, email)

    budget = requests.put(f"{api}/me", headers=me, json={"monthly_limit": "100.00"}, timeout=5)
    assert budget.status_code == 200 and budget.json()["monthly_limit"] == "100.00"

    def spend(amount: str, category: str, day: int) -> dict[str, Any]:
        created = requests.post(
            f"{api}/expenses", headers=me, json={"amount": amount, "category": category, "date": f"{MONTH}-{day:02d}"},
            timeout=5,
        )
        assert created.status_code == 201, created.text
        return created.json()

    spend("50.00", "groceries", 2)
    spend("35.25", "dining", 9)  # 85.25 of 100.00
    [eighty] = wait_for(base, email, is_alert, 1)
    assert "80%" in eighty["subject"] and MONTH_NAME in eighty["subject"]  # the month by its name

    taxi = spend("20.00", "transport", 16)  # 105.25 of 100.00
    alerts = wait_for(base, email, is_alert, 2)
    assert [a["subject"] for a in alerts] == [eighty["subject"], f"You've reached your overall budget for {MONTH_NAME}"]
    assert "$105.25" in alerts[1]["text"] and "$5.25 over" in alerts[1]["text"]
    assert alerts[1]["html"] and alerts[1]["text"]

    fixed = requests.put(
        f"{api}/expenses/{taxi['id']}", headers=me,
        json={"amount": "4.75", "category": "transport", "date": f"{MONTH}-16"}, timeout=5,
    )
    assert fixed.status_code == 200 and fixed.json()["amount"] == "4.75"
    # The schedule endpoint drains every stream before it answers: whatever the edit would send is sent by now.
    later = (datetime.now(UTC) + timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert requests.post(f"{base}/_local/schedule", json={"now": later}, timeout=30).status_code == 200
    assert [m["id"] for m in mail_to(base, email) if is_alert(m)] == [a["id"] for a in alerts]

    listed = requests.get(f"{api}/expenses", headers=me, params={"month": MONTH}, timeout=5).json()["expenses"]
    report = requests.get(f"{api}/reports/monthly", headers=me, params={"month": MONTH}, timeout=5).json()
    assert sorted(e["amount"] for e in listed) == ["35.25", "4.75", "50.00"]
    spent = sum(cents(e["amount"]) for e in listed)
    assert report["total"] == f"{spent // 100}.{spent % 100:02d}" == "90.00"
    assert report["limit"] == "100.00"
    assert {c["category"]: c["total"] for c in report["categories"]} == {e["category"]: e["amount"] for e in listed}


def test_the_alerts_link_opens_the_spending_page(live: RunningStack) -> None:
    base, api = live.base, f"{live.base}/api"
    email = "omar@example.com"
    me = sign_in(base, email)
    requests.put(f"{api}/me", headers=me, json={"monthly_limit": "10.00"}, timeout=5)
    requests.post(f"{api}/expenses", headers=me, json={"amount": "12.00", "category": "dining", "date": f"{MONTH}-03"},
                  timeout=5)

    [alert] = wait_for(base, email, is_alert, 1)
    page = requests.get(link(alert, "/spending/"), timeout=5)

    assert page.status_code == 200
    assert "text/html" in page.headers["content-type"]
