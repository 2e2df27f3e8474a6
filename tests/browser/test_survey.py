"""The satisfaction survey in a real browser: the ticket is resolved, the local clock jumps past the survey
delay (POST /_local/schedule), and the customer rates the help from the link in the survey email.

The clock only moves forward, so this module has a stack of its own and each run jumps past the last."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests
from playwright.sync_api import Page, expect

from tests.support.live import link_in, open_ticket, wait_for_email, wait_for_subject
from tests.support.stack import RunningStack

DASH = "\N{EN DASH}"  # the survey labels each rating "<n> <en dash> <word>"
AGENTS = ("ada@pennydesk.local", "grace@pennydesk.local", "bill@pennydesk.local")


# Where this module last moved the clock: the next run jumps three days past it.
CLOCK: dict[str, datetime] = {}


def move_clock_past_the_survey_delay(site: RunningStack) -> None:
    now = max(datetime.now(UTC), CLOCK.get("now", datetime.now(UTC))) + timedelta(days=3)
    CLOCK["now"] = now
    response = requests.post(
        f"{site.base}/_local/schedule", json={"now": now.strftime("%Y-%m-%dT%H:%M:%SZ")}, timeout=60
    )
    assert response.status_code == 200, response.text


def resolve_over_http(site: RunningStack, ticket: dict[str, Any]) -> None:
    assigned = wait_for_subject(site, f"[#{ticket['number']}] Assigned to you", to_any=AGENTS)
    token = parse_token(link_in(assigned, "/agent/ticket.html"))
    response = requests.post(
        f"{site.base}/api/agent/tickets/{ticket['id']}/actions",
        json={"action": "resolve", "body": "Sorted: the duplicate charge is refunded."},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert response.status_code == 200, response.text


def parse_token(link: str) -> str:
    return parse_qs(urlsplit(link).fragment)["token"][0]


def test_the_survey_from_the_email_records_a_rating(site: RunningStack, page: Page, shoot, viewport: str) -> None:
    ticket = open_ticket(site, email=f"ola-{viewport}@example.com", subject=f"Double charge ({viewport})")
    resolve_over_http(site, ticket)
    move_clock_past_the_survey_delay(site)
    survey = wait_for_email(site, ticket["email"], f"[#{ticket['number']}] How did we do?")

    page.goto(link_in(survey, "/survey.html"))

    expect(page.get_by_role("heading", name="How did we do?")).to_be_visible()
    expect(page.locator("#number")).to_have_text(f"#{ticket['number']}")
    expect(page.get_by_role("radio")).to_have_count(5)
    shoot(page, "survey")
    page.get_by_label(f"4 {DASH} Good").check()
    page.get_by_label("Anything you'd like to tell us? (optional)").fill("Quick and kind.")
    with page.expect_response(lambda r: "/feedback" in r.url and r.request.method == "POST") as answer:
        page.get_by_role("button", name="Send").click()
    assert answer.value.status in (200, 201)
    expect(page.locator("#survey-done")).to_have_text(re.compile(f"We recorded 4 {DASH} Good"))
    shoot(page, "survey-recorded")

    # What the API now holds, read with the same link: the rating and comment, as sent.
    token = parse_token(link_in(survey, "/survey.html"))
    stored = requests.get(
        f"{site.base}/api/tickets/{ticket['id']}/feedback", headers={"Authorization": f"Bearer {token}"}, timeout=10
    ).json()
    assert (stored["rating"], stored["comment"]) == (4, "Quick and kind.")
