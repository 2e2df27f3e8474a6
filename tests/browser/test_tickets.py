"""The help desk in a real browser: a customer's form, their ticket page, the agent's page and queue, and
the survey, each step opened from the link in the local outbox as a person would open it from their mail.
The survey, which needs the clock moved forward, is in test_survey.py with a stack of its own."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.support.live import link_in, open_ticket, outbox, wait_for_email, wait_for_subject
from tests.support.stack import RunningStack

AGENTS = ("ada@pennydesk.local", "grace@pennydesk.local", "bill@pennydesk.local")


def customer(viewport: str, who: str) -> str:
    return f"{who}-{viewport}@example.com"


def fill_ticket_form(page: Page, *, name: str, email: str, subject: str, description: str) -> None:
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Topic").select_option("billing")
    page.get_by_label("Urgency").select_option("high")
    page.get_by_label("Subject").fill(subject)
    page.get_by_label("What happened?").fill(description)


def test_a_customer_sends_the_form_and_sees_the_ticket_number_and_what_happens_next(
    site: RunningStack, page: Page, shoot, viewport: str
) -> None:
    email = customer(viewport, "maya")
    page.goto(f"{site.base}/")
    expect(page.get_by_role("heading", name="How can we help?")).to_be_visible()
    fill_ticket_form(
        page, name="Maya Patel", email=email, subject="Charged twice", description="Two charges on the 3rd."
    )
    shoot(page, "ticket-form")

    page.get_by_role("button", name="Send request").click()

    done = page.locator("#done-section")
    expect(done).to_be_visible()
    expect(done).to_be_focused()
    number = done.locator("#ticket-number").inner_text()
    assert re.fullmatch(r"#\d{4,}", number), number
    expect(done).to_contain_text(f"We've emailed {email} a confirmation")
    expect(done.locator(".next-steps li")).to_have_count(3)
    shoot(page, "ticket-confirmation")
    confirmation = wait_for_email(site, email, "We received your request")
    assert confirmation["subject"].startswith(f"[{number}]")


def test_bad_input_shows_each_error_beside_its_field_and_focus_moves_to_the_first(
    site: RunningStack, page: Page, shoot, viewport: str
) -> None:
    page.goto(f"{site.base}/")
    page.get_by_role("button", name="Send request").click()

    for field in ("name", "email", "subject", "description"):
        expect(page.locator(f"#{field}-error")).to_have_text("This field is required.")
        expect(page.locator(f"#{field}")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Your name")).to_be_focused()
    shoot(page, "ticket-form-required")

    # Past the page's own checks, so the API judges it: its field errors land beside the same fields.
    fill_ticket_form(
        page, name="Eve\x07", email="eve@exa,mple.com", subject="Refund", description="Please refund my order."
    )
    with page.expect_response(lambda r: r.url.endswith("/api/tickets") and r.request.method == "POST") as answer:
        page.get_by_role("button", name="Send request").click()
    assert answer.value.status == 422
    api_errors = {e["field"]: e["message"] for e in answer.value.json()["errors"]}
    assert set(api_errors) == {"name", "email"}

    for field, message in api_errors.items():
        expect(page.locator(f"#{field}-error")).to_have_text(message)
        expect(page.locator(f"#{field}")).to_have_attribute("aria-invalid", "true")
        assert f"{field}-error" in (page.locator(f"#{field}").get_attribute("aria-describedby") or "")
    expect(page.locator("#email-error")).to_contain_text("name@example.com")
    expect(page.locator("#subject-error")).to_be_hidden()
    expect(page.get_by_label("Your name")).to_be_focused()
    expect(page.get_by_role("button", name="Send request")).to_be_enabled()
    shoot(page, "ticket-form-api-errors")


def test_the_honeypot_stops_a_bot_without_telling_it(site: RunningStack, page: Page, shoot, viewport: str) -> None:
    page.goto(f"{site.base}/")
    trap = page.locator("#website")
    # People never meet it: off screen, hidden from screen readers, skipped by Tab, never autofilled.
    box = trap.bounding_box()
    assert box is not None and box["x"] + box["width"] <= 0, box
    assert trap.locator("xpath=..").get_attribute("aria-hidden") == "true"
    assert trap.get_attribute("tabindex") == "-1"
    assert trap.get_attribute("autocomplete") == "off"
    page.get_by_label("What happened?").focus()
    page.keyboard.press("Tab")
    expect(page.get_by_label("Files")).to_be_focused()  # the optional files, then straight to the button
    page.keyboard.press("Tab")
    send = page.get_by_role("button", name="Send request")
    expect(send).to_be_focused()
    expect(send).to_have_css("outline-style", "solid")  # a keyboard user sees where they are
    shoot(page, "ticket-form-keyboard-focus")

    bot = customer(viewport, "bot")
    fill_ticket_form(page, name="Best Offers", email=bot, subject="Cheap pills", description="Visit my site")
    trap.fill("https://cheap-pills.example")
    page.get_by_role("button", name="Send request").click()

    expect(page.locator("#done-section")).to_be_visible()  # the bot sees what a person would
    expect(page.locator("#ticket-number")).to_have_text(re.compile(r"#\d{4,}"))
    # A real ticket sent after it is mailed; the bot's never is.
    person = open_ticket(site, email=customer(viewport, "after-bot"))
    wait_for_email(site, person["email"], f"[#{person['number']}] We received your request")
    assert [m for m in outbox(site) if bot in m["to"]] == []


def test_a_customer_opens_their_ticket_from_the_email_and_replies(
    site: RunningStack, page: Page, shoot, viewport: str
) -> None:
    ticket = open_ticket(site, email=customer(viewport, "kim"), subject=f"Card declined ({viewport})")
    confirmation = wait_for_email(site, ticket["email"], f"[#{ticket['number']}] We received your request")

    page.goto(link_in(confirmation, "/ticket.html"))

    expect(page.get_by_role("heading", name=ticket["subject"])).to_be_visible()
    assert "token=" not in page.url, "the token must leave the address bar"
    expect(page.locator("#number")).to_have_text(f"#{ticket['number']}")
    expect(page.locator("#thread .entry")).to_have_count(1)
    expect(page.locator("#thread")).to_contain_text(ticket["description"])
    shoot(page, "customer-ticket")

    mail_before = len(outbox(site))
    page.get_by_label("Your message").fill("It happened again today, at 10:14.")
    page.get_by_role("button", name="Send reply").click()

    expect(page.locator("#reply-done")).to_have_text(re.compile("Your reply was sent"))
    expect(page.locator("#thread .entry")).to_have_count(2)
    expect(page.locator("#thread .entry").last).to_contain_text("It happened again today, at 10:14.")
    expect(page.get_by_label("Your message")).to_have_value("")
    shoot(page, "customer-ticket-replied")
    wait_for_subject(site, f"[#{ticket['number']}] Kim Lee replied", to_any=AGENTS)
    assert len(outbox(site)) > mail_before


def sign_in_through_the_page(site: RunningStack, page: Page, email: str, shoot=None) -> None:
    """The passwordless sign-in as a person does it: ask for a link, open it from the outbox, press Sign in."""
    mail_before = len(outbox(site))
    page.goto(f"{site.base}/signin.html")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Email", exact=True).press("Enter")
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    if shoot:
        shoot(page, "signin-sent")
    page.goto(link_in(wait_for_email(site, email, "sign-in link", after=mail_before), "/signin.html"))
    expect(page.get_by_role("heading", name="Finish signing in")).to_be_visible()
    if shoot:
        shoot(page, "signin-finish")
    page.get_by_role("button", name="Sign in").click()


def test_the_assigned_agent_works_the_ticket_from_the_emailed_link_and_the_queue(
    site: RunningStack, page: Page, shoot, viewport: str
) -> None:
    ticket = open_ticket(site, email=customer(viewport, "noor"), subject=f"Refund not received ({viewport})")
    assigned = wait_for_subject(site, f"[#{ticket['number']}] Assigned to you", to_any=AGENTS)
    agent = assigned["to"][0]

    page.goto(link_in(assigned, "/agent/ticket.html"))

    expect(page.get_by_role("heading", name=ticket["subject"])).to_be_visible()
    expect(page.locator("#status")).to_have_text("Assigned")
    expect(page.locator("#thread")).to_contain_text(ticket["description"])
    expect(page.locator("#history li")).not_to_have_count(0)
    shoot(page, "agent-ticket")

    page.get_by_label("Internal note").fill("Checked the ledger: the refund left us on the 5th.")
    page.get_by_role("button", name="Add note").click()
    expect(page.locator("#action-done")).to_have_text("Note added. Only agents can see it.")
    note = page.locator("#thread .entry-note")
    expect(note).to_have_count(1)
    expect(note).to_contain_text("Internal note — not visible to the customer")
    expect(note).to_contain_text("Checked the ledger")
    expect(page.locator("#history")).to_contain_text("added an internal note")
    shoot(page, "agent-ticket-note")

    # The same agent's queue (signed in with an emailed link) lists the ticket and opens it.
    sign_in_through_the_page(site, page, agent, shoot)
    expect(page.get_by_role("heading", name="You're signed in")).to_be_focused()
    shoot(page, "signin-done")
    page.get_by_role("link", name="Go to my queue").click()
    expect(page).to_have_url(re.compile(r"/agent/$"))
    row = page.locator(".queue-item", has_text=ticket["subject"])
    expect(row).to_be_visible()
    expect(row).to_contain_text(f"#{ticket['number']}")
    shoot(page, "agent-queue")
    row.get_by_role("link").click()

    expect(page.get_by_role("heading", name=ticket["subject"])).to_be_visible()
    expect(page.locator("#thread .entry-note")).to_have_count(1)
    page.get_by_label("Closing message (optional)").fill("The refund is on its way; allow 3 working days.")
    page.get_by_role("button", name="Resolve ticket").click()
    expect(page.locator("#action-done")).to_have_text("Resolved. The customer has been emailed.")
    expect(page.locator("#status")).to_have_text("Resolved")
    expect(page.locator("#history")).to_contain_text("resolved the ticket")
    expect(page.get_by_role("button", name="Resolve ticket")).to_be_hidden()
    shoot(page, "agent-ticket-resolved")
    resolved = wait_for_email(site, ticket["email"], f"[#{ticket['number']}] Resolved")
    assert "allow 3 working days" in resolved["text"]
    assert "Checked the ledger" not in resolved["text"], "an internal note reached the customer"

    page.get_by_role("link", name="My queue").click()
    expect(page.locator("#queue-view")).to_be_visible()
    expect(page.locator(".queue-item", has_text=ticket["subject"])).to_have_count(0)
