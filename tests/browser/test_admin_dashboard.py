"""The desk dashboard in a real browser: an admin signs in from the emailed link, opens the dashboard from
the agents page and reads the figures of tickets this test opened, resolved and had rated.

The stack is shared by the module (and by both screen sizes), so the figures are checked as what the API
said before the test plus what the test did, and the page must show exactly what the API answers. The
survey needs the stack's clock moved 49 hours on (it never goes back)."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests
from playwright.sync_api import Page, expect

from tests.support.live import link_in, outbox, wait_for_email
from tests.support.stack import RunningStack

ADMIN = "admin@pennydesk.local"
REPORT = "/api/admin/reports/helpdesk"
STREAM_WAIT_SECONDS = 10.0


def token_of(link: str) -> str:
    [token] = parse_qs(urlsplit(link).fragment)["token"]
    return token


def api_session(site: RunningStack, email: str) -> dict[str, str]:
    """Sign in over HTTP (link from the outbox) for the test's own look at the API."""
    after = len(outbox(site))
    assert requests.post(f"{site.base}/api/auth/sign-in", json={"email": email}, timeout=10).status_code == 202
    link = link_in(wait_for_email(site, email, "sign-in link", after=after), "/signin.html")
    granted = requests.post(f"{site.base}/api/auth/session", json={"token": token_of(link)}, timeout=10)
    assert granted.status_code == 200, granted.text
    return {"Authorization": f"Bearer {granted.json()['session']}"}


def figures(site: RunningStack, admin: dict[str, str], query: str = "") -> dict[str, Any]:
    answer = requests.get(f"{site.base}{REPORT}{query}", headers=admin, timeout=10)
    assert answer.status_code == 200, answer.text
    return answer.json()


def figures_once(site: RunningStack, admin: dict[str, str], ready: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
    """The figures once the stream has caught up with what the test did (it runs a moment behind the API)."""
    deadline = time.monotonic() + STREAM_WAIT_SECONDS
    while True:
        current = figures(site, admin)
        if ready(current) or time.monotonic() > deadline:
            return current
        time.sleep(0.1)  # polling with a deadline; the assertions after say what was missing


def open_ticket(site: RunningStack, email: str, category: str, subject: str) -> dict[str, Any]:
    after = len(outbox(site))
    body = {"name": "Kim Lee", "email": email, "subject": subject, "description": "Details inside.",
            "category": category}
    created = requests.post(f"{site.base}/api/tickets", json=body, timeout=10)
    assert created.status_code == 201, created.text
    ticket = created.json()
    wait_for_email(site, email, f"[#{ticket['number']}] We received", after=after)
    return ticket


def agent_link_token(site: RunningStack, ticket: dict[str, Any]) -> str:
    wanted = f"[#{ticket['number']}] Assigned to you"
    for message in outbox(site):
        if wanted in message["subject"]:
            return token_of(link_in(message, "/agent/ticket.html"))
    raise AssertionError(f"no assignment email for ticket #{ticket['number']}")


def resolve_and_rate(site: RunningStack, ticket: dict[str, Any], email: str, rating: int) -> None:
    """The agent resolves from their emailed link; 49 hours on the survey comes and the customer rates."""
    agent = {"Authorization": f"Bearer {agent_link_token(site, ticket)}"}
    resolved = requests.post(
        f"{site.base}/api/agent/tickets/{ticket['id']}/actions", headers=agent,
        json={"action": "resolve", "body": "Refunded the second charge."}, timeout=10,
    )
    assert resolved.status_code == 200, resolved.text
    resolved_at = datetime.fromisoformat(resolved.json()["ticket"]["resolved_at"].replace("Z", "+00:00"))
    after = len(outbox(site))
    later = (resolved_at + timedelta(hours=49)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert requests.post(f"{site.base}/_local/schedule", json={"now": later}, timeout=60).status_code == 200
    survey = wait_for_email(site, email, "How did we do?", after=after)
    rated = requests.post(
        f"{site.base}/api/tickets/{ticket['id']}/feedback",
        headers={"Authorization": f"Bearer {token_of(link_in(survey, '/survey.html'))}"},
        json={"rating": rating}, timeout=10,
    )
    assert rated.status_code == 201, rated.text


def sign_in_through_the_page(site: RunningStack, page: Page, email: str) -> None:
    after = len(outbox(site))
    page.goto(f"{site.base}/signin.html")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Email", exact=True).press("Enter")
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    page.goto(link_in(wait_for_email(site, email, "sign-in link", after=after), "/signin.html"))
    page.get_by_role("button", name="Sign in").click()


def tile(page: Page, name: str) -> str:
    return page.locator(f'[data-figure="{name}"]').inner_text()


def duration(seconds: int | None) -> str:
    """What the page shows for a median (the page's own rule, restated for the check)."""
    if seconds is None:
        return "\N{EN DASH}"
    if seconds < 60:
        return f"{seconds} s"
    minutes = int(seconds / 60 + 0.5)  # half up, as JavaScript rounds
    if minutes < 60:
        return f"{minutes} min"
    hours, rest = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {rest} min" if rest else f"{hours} h"
    days, rest_hours = divmod(hours, 24)
    return f"{days} d {rest_hours} h" if rest_hours else f"{days} d"


def test_an_admin_signs_in_and_sees_the_desk_figures_of_the_tickets_just_worked(
    site: RunningStack, page: Page, shoot, viewport: str
) -> None:
    admin = api_session(site, ADMIN)
    before = figures(site, admin)
    rated = open_ticket(site, f"maya-{viewport}@example.com", "billing", "Charged twice")
    open_ticket(site, f"sam-{viewport}@example.com", "technical", "App crashes on start")
    open_ticket(site, f"lee-{viewport}@example.com", "general", "Change my address")
    resolve_and_rate(site, rated, f"maya-{viewport}@example.com", 5)
    now = figures_once(site, admin, lambda f: f["satisfaction"]["count"] > before["satisfaction"]["count"])
    assert now["tickets"]["opened"] == before["tickets"]["opened"] + 3
    assert now["tickets"]["resolved"] == before["tickets"]["resolved"] + 1
    assert now["backlog"]["total"] == before["backlog"]["total"] + 2
    assert now["satisfaction"]["count"] == before["satisfaction"]["count"] + 1
    fives = {d["rating"]: d["count"] for d in now["satisfaction"]["distribution"]}[5]
    assert fives == {d["rating"]: d["count"] for d in before["satisfaction"]["distribution"]}[5] + 1

    sign_in_through_the_page(site, page, ADMIN)
    page.get_by_role("link", name="Manage agents").click()
    expect(page.get_by_role("heading", name="Agents", exact=True)).to_be_visible()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Dashboard").click()

    expect(page).to_have_url(re.compile(r"/admin/dashboard\.html\?from=\d{4}-\d{2}-\d{2}&to=\d{4}-\d{2}-\d{2}$"))
    expect(page.get_by_role("heading", name="Desk dashboard")).to_be_visible()
    expect(page.locator("#loading")).to_be_hidden()
    expect(page.get_by_label("From", exact=True)).to_have_value(now["from"])
    expect(page.get_by_label("To (included)")).to_have_value(now["to"])
    expect(page.locator('[data-figure="opened"]')).to_have_text(str(now["tickets"]["opened"]))
    expect(page.locator('[data-figure="resolved"]')).to_have_text(str(now["tickets"]["resolved"]))
    assert tile(page, "first_response") == duration(now["first_response"]["median_seconds"])
    assert tile(page, "resolution") == duration(now["resolution"]["median_seconds"])
    assert tile(page, "breaches") == str(now["sla_breaches"]["total"])
    assert tile(page, "satisfaction") == f"{now['satisfaction']['average']:.2f} / 5"
    expect(page.locator("#backlog-summary")).to_contain_text(f"{now['backlog']['total']} tickets open right now")
    by_category = {row["category"]: row["open"] for row in now["backlog"]["by_category"]}
    categories = page.locator("#backlog-categories tr")
    expect(categories).to_have_count(len(by_category))
    for label, key in (("Billing", "billing"), ("Technical", "technical"), ("General", "general")):
        expect(categories.filter(has_text=label).locator("td")).to_have_text(str(by_category[key]))
    expect(page.locator("#backlog-agents tr").filter(has_text="Ada Lovelace")).to_be_visible()
    five = page.locator("#ratings-rows tr").filter(has_text="5 \N{EN DASH} Excellent").locator("td").first
    expect(five).to_have_text(str(fives))
    assert page.evaluate("() => Boolean(window.Chart.getChart(document.getElementById('ratings-chart')))")
    assert page.evaluate(
        "() => window.Chart.getChart(document.getElementById('ratings-chart')).data.datasets[0].data"
    ) == [d["count"] for d in now["satisfaction"]["distribution"]]
    if viewport == "phone":
        assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    shoot(page, "admin-dashboard")

    # A quiet range: the same page says so in words, and the backlog stays "now".
    page.get_by_label("From", exact=True).fill("2025-01-01")
    page.get_by_label("To (included)").fill("2025-01-31")
    page.get_by_role("button", name="Show figures").click()
    expect(page.locator("#range-status")).to_have_text("Figures for 1 Jan 2025 to 31 Jan 2025 (31 days).")
    expect(page.locator('[data-figure="opened"]')).to_have_text("0")
    expect(page.locator("#ratings-summary")).to_have_text("No customer has rated a resolution in this range yet.")
    expect(page).to_have_url(re.compile(r"\?from=2025-01-01&to=2025-01-31$"))

    # A reversed range, the long way round (from the address): the API's reason, beside "From".
    page.goto(f"{site.base}/admin/dashboard.html?from=2026-11-20&to=2026-11-01")
    error = page.locator("#range-from-error")
    expect(error).to_have_text(re.compile("starts after it ends"))
    expect(page.get_by_label("From", exact=True)).to_have_attribute("aria-invalid", "true")
    shoot(page, "admin-dashboard-bad-range")


def test_someone_who_is_not_an_admin_is_told_the_page_is_for_admins(
    site: RunningStack, page: Page, viewport: str
) -> None:
    sign_in_through_the_page(site, page, "grace@pennydesk.local")
    expect(page.get_by_role("link", name="Go to my queue")).to_be_visible()

    page.goto(f"{site.base}/admin/dashboard.html")

    expect(page.get_by_role("heading", name="This page is for admins")).to_be_visible()
    expect(page.locator("#dashboard-view")).to_be_hidden()
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Dashboard")).to_be_hidden()
