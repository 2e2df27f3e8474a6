"""Mail that comes back, in a real browser on `make dev`: the agent's ticket page warns when the customer's mail
bounced (SES's event posted to /_local/ses-events, through the template's rule), and a budget alert's
"stop budget alerts" link opens a page whose button turns them off."""

from __future__ import annotations

import json
from pathlib import Path

import requests
from playwright.sync_api import Page, expect

from tests.support.live import link_in, open_ticket, session_for, sign_in_page, wait_for_email, wait_for_subject
from tests.support.stack import RunningStack

SES = Path(__file__).resolve().parents[1] / "fixtures" / "ses"
AGENTS = ("ada@pennydesk.local", "grace@pennydesk.local", "bill@pennydesk.local")


def test_the_agent_sees_that_the_customers_mail_bounced(site: RunningStack, page: Page, shoot, viewport: str) -> None:
    customer = f"gone.{viewport}@example.com"
    ticket = open_ticket(site, email=customer, subject=f"Where is my refund ({viewport})")
    assigned = wait_for_subject(site, f"[#{ticket['number']}] Assigned to you", to_any=AGENTS)
    bounce = (SES / "bounce_event.json").read_text().replace("recipient@example.com", customer)
    answer = requests.post(f"{site.base}/_local/ses-events", timeout=10,
                           data=bounce.replace('"ConfigSet"', '"MailConfigurationSet"'))
    assert answer.status_code == 202 and answer.json() == {"invoked": ["InboundFunction"]}

    page.goto(link_in(assigned, "/agent/ticket.html"))
    warning = page.locator("#mail-problem")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text(f"Mail to {customer} bounced: mailbox does not exist")
    expect(warning).to_contain_text("no longer reach this customer")
    expect(page.get_by_text(f"Mail to {customer} bounced: mailbox does not exist").last).to_be_visible()
    shoot(page, "agent-ticket-mail-bounced")


def test_a_budget_alerts_unsubscribe_link_opens_a_page_whose_button_stops_them(
    site: RunningStack, page: Page, shoot, viewport: str
) -> None:
    email = f"spender.{viewport}@example.com"
    session = session_for(site, email)
    auth = {"Authorization": f"Bearer {session['session']}"}
    assert requests.put(f"{site.base}/api/me", json={"monthly_limit": "100.00"}, headers=auth, timeout=10).ok
    spent = requests.post(f"{site.base}/api/expenses", headers=auth, timeout=10,
                          json={"amount": "85.00", "category": "groceries", "date": "2026-11-03"})
    assert spent.status_code == 201, spent.text
    alert = wait_for_email(site, email, "budget")
    assert alert["headers"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    page.goto(link_in(alert, "/unsubscribe.html"))
    expect(page.get_by_role("heading", name="Stop budget alerts?")).to_be_visible()
    me = requests.get(f"{site.base}/api/me", headers=auth, timeout=10).json()
    assert me["budget_alerts"] is True  # opening the page changed nothing
    page.get_by_role("button", name="Unsubscribe").click()
    expect(page.locator("#unsubscribe-done")).to_contain_text("no more budget alerts")
    shoot(page, "unsubscribed")
    me = requests.get(f"{site.base}/api/me", headers=auth, timeout=10).json()
    assert me["budget_alerts"] is False and json.dumps(me["digest"]) == '"monthly"'


def test_settings_show_and_change_whether_budget_alerts_are_emailed(
    site: RunningStack, page: Page, shoot, viewport: str
) -> None:
    session = session_for(site, f"settings.{viewport}@example.com")
    auth = {"Authorization": f"Bearer {session['session']}"}
    sign_in_page(page, session)
    page.goto(f"{site.base}/spending/settings.html")
    alerts = page.get_by_label("Email me these alerts")
    expect(alerts).to_be_checked()

    alerts.uncheck()
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator("#settings-status")).to_contain_text("alert emails")
    shoot(page, "settings-alerts-off")
    assert requests.get(f"{site.base}/api/me", headers=auth, timeout=10).json()["budget_alerts"] is False
    page.reload()
    expect(page.get_by_label("Email me these alerts")).not_to_be_checked()
