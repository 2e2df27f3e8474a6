"""The admin's agents page in a real browser: the admin signs in from the emailed link, sees the roster,
edits an agent (with a field error first), and adds one."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.support.live import link_in, outbox, wait_for_email
from tests.support.stack import RunningStack

ADMIN = "admin@pennydesk.local"
CAPACITY = {"desktop": "7", "phone": "8"}


def test_the_admin_signs_in_lists_edits_and_adds_agents(site: RunningStack, page: Page, shoot, viewport: str) -> None:
    mail_before = len(outbox(site))
    page.goto(f"{site.base}/signin.html")
    page.get_by_label("Email", exact=True).fill(ADMIN)
    page.get_by_role("button", name="Email me a link").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    page.goto(link_in(wait_for_email(site, ADMIN, "sign-in link", after=mail_before), "/signin.html"))
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Manage agents").click()  # an admin can track spending too: they choose

    expect(page).to_have_url(re.compile(r"/admin/agents\.html$"))
    roster = page.locator("#roster tr")
    expect(roster.filter(has_text="Ada Lovelace")).to_contain_text("ada@pennydesk.local")
    expect(roster.filter(has_text="Grace Hopper")).to_contain_text("Billing, Technical")
    expect(roster.filter(has_text="Bill Mollison")).to_contain_text("Active")
    shoot(page, "admin-agents")

    roster.filter(has_text="Bill Mollison").get_by_role("button", name="Edit Bill Mollison").click()
    editor = page.get_by_role("region", name="Edit Bill Mollison")
    expect(editor.get_by_role("heading", name="Edit Bill Mollison")).to_be_focused()
    capacity = editor.get_by_label("Capacity (open tickets at most)")
    capacity.fill("0")
    editor.get_by_role("button", name="Save changes").click()
    expect(editor.locator("#edit-capacity-error")).not_to_be_empty()
    expect(capacity).to_have_attribute("aria-invalid", "true")
    expect(capacity).to_be_focused()
    shoot(page, "admin-agents-edit-error")

    capacity.fill(CAPACITY[viewport])
    editor.get_by_label("Technical").check()
    editor.get_by_role("button", name="Save changes").click()
    expect(page.locator("#roster-status")).to_have_text("Saved the changes to Bill Mollison.")
    bill = roster.filter(has_text="Bill Mollison")
    expect(bill).to_contain_text(f"/ {CAPACITY[viewport]}")
    expect(bill).to_contain_text("Technical")
    shoot(page, "admin-agents-saved")

    adding = page.get_by_role("region", name="Add an agent")
    email = f"lin-{viewport}@pennydesk.local"
    adding.get_by_label("Name").fill(f"Lin Wei ({viewport})")
    adding.get_by_label("Email").fill(email)
    adding.get_by_label("General").check()
    adding.get_by_role("button", name="Add agent").click()
    expect(page.locator("#add-status")).to_have_text(re.compile(f"Lin Wei \\({viewport}\\) was added"))
    expect(roster.filter(has_text=email)).to_contain_text("General")

    # The same email again is refused beside the email field, and nothing is added.
    adding.get_by_label("Name").fill("Someone Else")
    adding.get_by_label("Email").fill(email)
    adding.get_by_label("Billing").check()
    adding.get_by_role("button", name="Add agent").click()
    expect(page.locator("#add-email-error")).not_to_be_empty()
    expect(roster.filter(has_text=email)).to_have_count(1)
    shoot(page, "admin-agents-added")
