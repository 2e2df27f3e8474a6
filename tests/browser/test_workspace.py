"""The desk in a real browser: an agent works the views, finds a ticket by the customer's email and opens it
with the keyboard; an admin opens a colleague's ticket from the same page; a customer whose link broke asks
for a fresh one, signs in and sees every request they sent."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import requests
from playwright.sync_api import Page, expect

from tests.support.live import link_in, open_ticket, outbox, session_for, sign_in_page, wait_for_email, wait_for_subject
from tests.support.stack import ADMIN, RunningStack

AGENTS = ("ada@pennydesk.local", "grace@pennydesk.local", "bill@pennydesk.local")


def assigned_agent(site: RunningStack, number: int) -> str:
    return wait_for_subject(site, f"[#{number}] Assigned to you", to_any=AGENTS)["to"][0]


def test_an_agent_finds_a_ticket_by_the_customers_email_and_opens_it_with_the_keyboard(
    site: RunningStack, page: Page, shoot, viewport: str
) -> None:
    mine = open_ticket(site, email=f"rosa.{viewport}@example.com", subject=f"Invoice address wrong ({viewport})")
    agent = assigned_agent(site, mine["number"])
    other = open_ticket(site, email=f"kim.{viewport}@example.com", subject=f"Card declined twice ({viewport})",
                        category="technical" if agent != "ada@pennydesk.local" else "billing")
    assigned_agent(site, other["number"])
    sign_in_page(page, session_for(site, agent))

    page.goto(f"{site.base}/agent/")
    expect(page.get_by_role("tab", name=re.compile("^Mine"))).to_have_attribute("aria-selected", "true")
    row = page.locator(".queue-item", has_text=mine["subject"])
    expect(row).to_contain_text(f"#{mine['number']}")
    expect(row).to_contain_text("On track (first response)")
    shoot(page, "desk-mine")

    page.get_by_role("tab", name=re.compile("^All open")).click()
    page.get_by_label("Find a ticket").fill(f"KIM.{viewport}@example.com")
    page.get_by_role("button", name="Search").click()
    expect(page.locator(".queue-item")).to_have_count(1)
    expect(page.locator(".queue-item")).to_contain_text(other["subject"])
    shoot(page, "desk-search")

    page.locator("body").click(position={"x": 1, "y": 1})
    page.keyboard.press("j")
    expect(page.locator(".queue-item.is-current")).to_contain_text(other["subject"])
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name=other["subject"])).to_be_visible()
    expect(page.locator("#not-mine")).to_be_visible()
    kims = open_ticket(site, email=f"kim.{viewport}@example.com", subject=f"And a second thing ({viewport})")
    page.reload()
    beside = page.locator("#customer-tickets")
    expect(beside).to_contain_text(kims["subject"])
    expect(beside).not_to_contain_text(other["subject"])
    shoot(page, "desk-ticket-with-customer-tickets")


def test_the_desk_filters_by_agent(site: RunningStack, page: Page, shoot, viewport: str) -> None:
    first = open_ticket(site, email=f"ines.{viewport}@example.com", subject=f"Refund not arrived ({viewport})")
    owner = assigned_agent(site, first["number"])
    second = open_ticket(site, email=f"omar.{viewport}@example.com", subject=f"Sync stalls ({viewport})",
                         category="technical" if owner != "ada@pennydesk.local" else "billing")
    assert assigned_agent(site, second["number"]) != owner
    # An agent sees the whole desk; the admin's sign-ins (five per address a quarter hour) are the other tests'.
    viewer = session_for(site, "grace@pennydesk.local")
    found = requests.get(f"{site.base}/api/agent/tickets", params={"view": "all", "q": f"#{first['number']}"},
                         headers={"Authorization": f"Bearer {viewer['session']}"}, timeout=10).json()
    name = found["tickets"][0]["agent"]["name"]
    sign_in_page(page, viewer)

    page.goto(f"{site.base}/agent/?view=open")
    expect(page.locator(".queue-item", has_text=second["subject"])).to_be_visible()
    page.get_by_label("Agent", exact=True).select_option(label=name)
    page.get_by_role("button", name="Search").click()
    expect(page.locator(".queue-item", has_text=first["subject"])).to_be_visible()
    expect(page.locator(".queue-item", has_text=second["subject"])).to_have_count(0)
    for text in page.locator(".queue-item .queue-meta").all_inner_texts():
        assert f"· {name}" in text
    shoot(page, "desk-agent-filter")

    page.get_by_role("button", name="Clear").click()
    expect(page.locator(".queue-item", has_text=second["subject"])).to_be_visible()


@contextmanager
def nobody_covers(site: RunningStack, category: str) -> Iterator[None]:
    """While inside, no agent covers `category`, so a new ticket in it waits in the unassigned view."""
    admin = {"Authorization": f"Bearer {session_for(site, ADMIN)['session']}"}
    agents = requests.get(f"{site.base}/api/admin/agents", headers=admin, timeout=10).json()["agents"]
    changed = [a for a in agents if category in a["categories"]]

    def patch(agent: dict, categories: list[str]) -> None:
        answer = requests.patch(f"{site.base}/api/admin/agents/{agent['id']}", json={"categories": categories},
                                headers=admin, timeout=10)
        assert answer.status_code == 200, answer.text

    for agent in changed:
        patch(agent, [c for c in agent["categories"] if c != category])
    try:
        yield
    finally:
        for agent in changed:
            patch(agent, agent["categories"])


def test_an_agent_takes_a_ticket_from_the_unassigned_view_answers_and_resolves_it(
    site: RunningStack, page: Page, shoot, viewport: str
) -> None:
    with nobody_covers(site, "technical"):
        ticket = open_ticket(site, email=f"ola.{viewport}@example.com", subject=f"App crashes on start ({viewport})",
                             category="technical")
        wait_for_subject(site, f"#{ticket['number']}")  # the admins hear nobody could take it
    sign_in_page(page, session_for(site, "ada@pennydesk.local"))

    page.goto(f"{site.base}/agent/")
    page.get_by_role("link", name="Saved replies").click()
    page.get_by_label("Title").fill(f"Which device ({viewport})")
    page.get_by_label("Reply", exact=True).fill("Hi {{customer.first_name}}, which phone is it? #{{ticket.number}}")
    page.get_by_role("button", name="Save reply").click()
    expect(page.locator("#replies-done")).to_have_text(f"Saved “Which device ({viewport})”.")
    shoot(page, "saved-replies")

    page.goto(f"{site.base}/agent/?view=unassigned")
    row = page.locator(".queue-item", has_text=ticket["subject"])
    expect(row).to_contain_text("in the queue")
    shoot(page, "desk-unassigned")
    row.get_by_role("link").click()
    page.get_by_role("button", name="Take this ticket").click()
    expect(page.locator("#action-done")).to_have_text("It's yours now: it is in your queue.")
    expect(page.locator("#owner")).to_contain_text("You")
    page.get_by_label("Insert a saved reply").select_option(label=f"Which device ({viewport})")
    box = page.get_by_label("Reply to the customer")
    expect(box).to_have_value(f"Hi Kim, which phone is it? #{ticket['number']}")
    box.press("End")
    box.type(" Thanks!")
    page.get_by_role("button", name="Send reply").click()
    expect(page.locator("#action-done")).to_have_text("Reply sent. The customer has been emailed.")
    page.get_by_role("button", name="Resolve ticket").click()
    expect(page.locator("#status")).to_have_text("Resolved")
    expect(page.locator("#history")).to_contain_text("taken from the queue")


def test_an_admin_opens_a_colleagues_ticket_from_the_desk_and_reassigns_it_with_a_reason(
    site: RunningStack, page: Page, shoot, viewport: str
) -> None:
    ticket = open_ticket(site, email=f"lee.{viewport}@example.com", subject=f"Export is empty ({viewport})")
    assigned_agent(site, ticket["number"])
    sign_in_page(page, session_for(site, ADMIN))

    page.goto(f"{site.base}/agent/")
    expect(page.get_by_role("tab", name=re.compile("^All open"))).to_have_attribute("aria-selected", "true")
    page.get_by_label("Find a ticket").fill(f"#{ticket['number']}")
    page.get_by_role("button", name="Search").click()
    page.locator(".queue-item", has_text=ticket["subject"]).get_by_role("link").click()

    expect(page.get_by_role("heading", name=ticket["subject"])).to_be_visible()
    expect(page.locator("#not-mine")).to_contain_text("as an admin")
    expect(page.locator("#problem")).to_be_hidden()
    expect(page.locator("#history")).to_contain_text("Pennydesk assigned it to")
    shoot(page, "desk-admin-ticket")
    page.get_by_label("Reassign to").select_option(index=0)  # the first colleague (the owner isn't listed)
    page.get_by_label("Why").fill("Covering while the owner is out")
    page.get_by_role("button", name="Reassign as admin").click()
    expect(page.locator("#action-done")).to_contain_text("Reassigned to")
    expect(page.locator("#history")).to_contain_text("Covering while the owner is out")
    expect(page.locator("#history")).to_contain_text("(customer) sent the request")
    # The desk's own first assignment stays in the story after a person reassigns.
    expect(page.locator("#history")).to_contain_text("Pennydesk assigned it to")
    expect(page.locator("#history")).to_contain_text("the least-loaded agent covering")


def test_a_customer_gets_a_fresh_link_then_signs_in_and_sees_both_requests(
    site: RunningStack, page: Page, shoot, viewport: str
) -> None:
    email = f"noor.portal.{viewport}@example.com"
    first = open_ticket(site, email=email, subject=f"Where is my refund ({viewport})")
    second = open_ticket(site, email=email, subject=f"Change my plan ({viewport})")

    page.goto(f"{site.base}/ticket.html?id={first['id']}#token=not-a-real-token")
    expect(page.get_by_role("heading", name="This link has expired or isn't valid")).to_be_visible()
    mail_before = len(outbox(site))
    page.get_by_role("button", name="Email me a fresh link").click()
    expect(page.get_by_role("status")).to_contain_text("a fresh link is on its way")
    shoot(page, "ticket-fresh-link")
    fresh = wait_for_email(site, email, "Your link to the ticket", after=mail_before)
    page.goto(link_in(fresh, "/ticket.html"))
    expect(page.get_by_role("heading", name=first["subject"])).to_be_visible()

    page.get_by_role("link", name="My requests").click()
    page.locator("#problem").get_by_role("link", name="Sign in").click()
    mail_before = len(outbox(site))
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Email", exact=True).press("Enter")
    page.goto(link_in(wait_for_email(site, email, "sign-in link", after=mail_before), "/signin.html"))
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_url(re.compile(r"/my-requests\.html$"))
    rows = page.locator(".queue-item")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text(f"#{second['number']}")
    expect(rows.nth(1)).to_contain_text(f"#{first['number']}")
    shoot(page, "my-requests")
    rows.nth(0).get_by_role("link").click()
    expect(page.get_by_role("heading", name=second["subject"])).to_be_visible()
