"""The help center in a real browser: an admin writes and publishes an article about double charges; a
customer types "I was charged twice" into the ticket form's subject, sees the article suggested, opens it,
answers "yes" and raises no ticket; the desk dashboard counts that deflection. Another customer answers
"no" and raises a ticket that links the article.

The stack is shared by the module (and by both screen sizes), so figures are checked as what the API said
before the test plus what the test did, and each run writes an article of its own."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
from playwright.sync_api import Browser, Page, Route, expect

from tests.support.live import outbox, session_for, sign_in_page, wait_for_email, wait_for_subject
from tests.support.stack import ADMIN, RunningStack

HELP_REPORT = "/api/admin/reports/help"
DESK_REPORT = "/api/admin/reports/helpdesk"
FIGURES_WAIT_SECONDS = 10.0
BODY = (
    "Seeing **two charges** for one order? The second one is usually a *hold* your bank places while the "
    "payment is checked.\n\n- It disappears by itself within five working days.\n- You are only billed once."
)


def report(site: RunningStack, admin: dict[str, Any], path: str) -> dict[str, Any]:
    answer = requests.get(f"{site.base}{path}", headers={"Authorization": f"Bearer {admin['session']}"}, timeout=10)
    assert answer.status_code == 200, answer.text
    return answer.json()


def report_once(
    site: RunningStack, admin: dict[str, Any], ready: Callable[[dict[str, Any]], bool]
) -> dict[str, Any]:
    """The help figures once what the pages report in the background has arrived (the assertions after say
    what was missing)."""
    deadline = time.monotonic() + FIGURES_WAIT_SECONDS
    while True:
        current = report(site, admin, HELP_REPORT)
        if ready(current) or time.monotonic() > deadline:
            return current
        time.sleep(0.1)  # polling with a deadline, not waiting a fixed time


@pytest.fixture
def admin(site: RunningStack) -> dict[str, Any]:
    return session_for(site, ADMIN)


@pytest.fixture
def customer(browser: Browser, page: Page) -> Iterator[Page]:
    """A second person's browser (no session, storage of their own), failing the test on any script error."""
    context = browser.new_context(viewport=page.viewport_size, locale="en-GB", timezone_id="UTC")
    context.set_default_timeout(10_000)
    errors: list[str] = []
    context.on("weberror", lambda error: errors.append(str(error.error)))
    try:
        yield context.new_page()
    finally:
        context.close()
    assert not errors, errors


def write_article(page: Page, admin: dict[str, Any], site: RunningStack, title: str) -> None:
    """The admin writes the article in the editor, watches the preview, and publishes it."""
    sign_in_page(page, admin)
    page.goto(f"{site.base}/admin/articles.html")
    page.get_by_role("button", name="Write an article").click()
    page.get_by_label("Title").fill(title)
    page.get_by_label("Category").fill("billing")
    page.get_by_label("Body (Markdown)").fill(BODY)
    expect(page.locator("#preview strong")).to_have_text("two charges")  # rendered by the API as typed
    page.get_by_label("Published (anyone can read it)").check()
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#list-status")).to_have_text(f"Saved “{title}”, published.")
    expect(page.locator("#articles tr").filter(has_text=title)).to_contain_text("Published")


def test_a_customer_finds_the_answer_while_typing_and_raises_no_ticket(
    site: RunningStack, page: Page, customer: Page, admin: dict[str, Any], shoot, viewport: str
) -> None:
    title = f"Charged twice for one order ({viewport})"
    write_article(page, admin, site, title)
    shoot(page, "help-article-editor")
    before, desk_before = report(site, admin, HELP_REPORT), report(site, admin, DESK_REPORT)
    mail_before = len(outbox(site))

    customer.goto(f"{site.base}/")
    customer.get_by_label("Subject").press_sequentially("I was charged twice", delay=20)
    suggestion = customer.locator("#suggestions").get_by_role("link", name=re.compile(re.escape(title)))
    expect(suggestion).to_be_visible()
    shoot(customer, "help-ticket-form-suggestions")
    with customer.context.expect_page() as opened:
        suggestion.click()
    article = opened.value
    expect(article.get_by_role("heading", name=title)).to_be_visible()
    expect(article.locator("#article-body li").first).to_have_text("It disappears by itself within five working days.")
    article.get_by_role("button", name="Yes").click()
    expect(article.locator("#vote-thanks")).to_have_text("Thanks! Glad it helped.")
    expect(article.get_by_role("link", name="Send us a request")).to_be_hidden()
    shoot(article, "help-article-answered")

    after = report_once(site, admin, lambda f: f["opened_from_form"] > before["opened_from_form"])
    assert after["opened_from_form"] == before["opened_from_form"] + 1
    assert after["helpful_votes"] == before["helpful_votes"] + 1
    assert after["suggestions_shown"] > before["suggestions_shown"]
    assert after["tickets_after_article"] == before["tickets_after_article"]
    assert report(site, admin, DESK_REPORT)["tickets"]["opened"] == desk_before["tickets"]["opened"]
    assert not [m for m in outbox(site)[mail_before:] if "We received" in m["subject"]], "a ticket was raised"

    page.goto(f"{site.base}/admin/dashboard.html")
    figures = page.locator("#help-figures")
    expect(figures.locator('[data-help-figure="helpful_votes"]')).to_have_text(str(after["helpful_votes"]))
    expect(figures.locator('[data-help-figure="opened_from_form"]')).to_have_text(str(after["opened_from_form"]))
    expect(figures.locator('[data-help-figure="tickets_after_article"]')).to_have_text(
        str(after["tickets_after_article"])
    )
    shoot(page, "help-dashboard-figures")


def test_a_customer_it_did_not_help_raises_a_ticket_that_links_the_article(
    site: RunningStack, page: Page, customer: Page, admin: dict[str, Any], shoot, viewport: str
) -> None:
    title = f"Why your card shows a pending charge ({viewport})"
    write_article(page, admin, site, title)
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
    before = report(site, admin, HELP_REPORT)

    customer.goto(f"{site.base}/help/")
    customer.get_by_label("Search the help center").fill("pending charge")
    customer.get_by_role("button", name="Search").click()
    # The first list ("Most helpful articles") has the link too; click it in the search's own results.
    expect(customer.locator("#results-title")).to_have_text("Results for \u201cpending charge\u201d")
    customer.get_by_role("link", name=title).click()
    customer.get_by_role("button", name="No").click()
    expect(customer.locator("#vote-thanks")).to_have_text("Thanks for telling us.")
    customer.get_by_role("link", name="Send us a request").click()

    expect(customer.locator("#linked-article")).to_contain_text(f"About the article {title}")
    expect(customer.get_by_label("What happened?")).to_have_value(re.compile(re.escape(f"slug={slug}")))
    email = f"noah-{viewport}@example.com"
    customer.get_by_label("Your name").fill("Noah Berg")
    customer.get_by_label("Email").fill(email)
    customer.get_by_label("Topic").select_option("billing")
    customer.get_by_label("Subject").fill("Still charged twice")
    shoot(customer, "help-ticket-with-article")
    customer.get_by_role("button", name="Send request").click()
    expect(customer.get_by_role("heading", name="Thanks, we've got it")).to_be_visible()

    number = customer.locator("#ticket-number").inner_text()
    wait_for_email(site, email, f"[{number}] We received")
    assigned = wait_for_subject(site, f"[{number}] Assigned to you")
    assert f"/help/article.html?slug={slug}" in assigned["text"]
    after = report_once(site, admin, lambda f: f["tickets_after_article"] > before["tickets_after_article"])
    assert after["unhelpful_votes"] == before["unhelpful_votes"] + 1
    assert after["tickets_after_article"] == before["tickets_after_article"] + 1


def test_a_list_answered_late_never_replaces_the_search_made_after_it(site: RunningStack, customer: Page) -> None:
    """The page asks for the whole list as it opens; a search made before that answer arrives keeps its own
    results when the older answer comes in."""
    held: list[Route] = []
    customer.route(re.compile(r".*/api/help/articles\?q=$"), lambda route: held.append(route))
    customer.goto(f"{site.base}/help/")
    customer.get_by_label("Search the help center").fill("pending charge")
    customer.get_by_role("button", name="Search").click()
    heading = customer.locator("#results-title")
    expect(heading).to_have_text("Results for \u201cpending charge\u201d")

    (first_list,) = held
    with customer.expect_response(re.compile(r".*/api/help/articles\?q=$")) as late:
        first_list.continue_()
    late.value.finished()
    customer.evaluate("() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))")
    expect(heading).to_have_text("Results for \u201cpending charge\u201d")
