"""The help center for the desk, in a real browser: an admin lets agents write articles with one switch and
the agent's desk then offers "Write articles"; on a ticket's page the agent sees the articles that answer it
and puts a link to one into the reply with one click.

The stack is shared by the module (and both screen sizes): each test sets the switch it needs and writes
articles with a word of their own."""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

import pytest
import requests
from playwright.sync_api import Browser, Page, expect

from tests.support.live import link_in, open_ticket, session_for, sign_in_page, wait_for_subject
from tests.support.stack import ADMIN, RunningStack

AGENT = "ada@pennydesk.local"  # an active agent of the default seed


def api(site: RunningStack, who: dict[str, Any], method: str, path: str, body: Any = None) -> dict[str, Any]:
    answer = requests.request(method, f"{site.base}{path}", json=body, timeout=10,
                              headers={"Authorization": f"Bearer {who['session']}"})
    assert answer.ok, answer.text
    return answer.json()


@pytest.fixture(scope="module")
def admin(site: RunningStack) -> dict[str, Any]:
    """One sign-in for the module: sign-in links are rate-limited per address."""
    return session_for(site, ADMIN)


@pytest.fixture(scope="module")
def agent(site: RunningStack) -> dict[str, Any]:
    return session_for(site, AGENT)


@pytest.fixture
def agent_page(browser: Browser, page: Page, agent: dict[str, Any]) -> Page:
    """The agent's own browser (storage of their own, signed in), failing the test on any script error."""
    context = browser.new_context(viewport=page.viewport_size, locale="en-GB", timezone_id="UTC")
    context.set_default_timeout(10_000)
    errors: list[str] = []
    context.on("weberror", lambda error: errors.append(str(error.error)))
    opened = context.new_page()
    sign_in_page(opened, agent)
    yield opened
    context.close()
    assert not errors, errors


def test_an_admin_lets_agents_write_and_the_desk_shows_them_the_way(
    site: RunningStack, page: Page, agent_page: Page, admin: dict[str, Any], shoot
) -> None:
    api(site, admin, "PUT", "/api/admin/help/settings", {"agents_may_write": False})
    agent_page.goto(f"{site.base}/agent/")
    expect(agent_page.get_by_role("heading", name="The desk")).to_be_visible()
    expect(agent_page.get_by_role("link", name="Write articles")).to_be_hidden()

    sign_in_page(page, admin)
    page.goto(f"{site.base}/admin/articles.html")
    switch = page.get_by_label("Agents may write articles")
    expect(switch).not_to_be_checked()
    switch.check()
    expect(page.locator("#settings-status")).to_have_text("Agents may now write articles.")
    shoot(page, "help-agents-may-write")
    assert api(site, admin, "GET", "/api/admin/help/settings") == {"agents_may_write": True}

    agent_page.reload()
    agent_page.get_by_role("link", name="Write articles").click()
    expect(agent_page.get_by_role("heading", name="Help center articles")).to_be_visible()
    expect(agent_page.get_by_label("Agents may write articles")).to_be_hidden()  # the switch is the admins'

    switch.uncheck()
    expect(page.locator("#settings-status")).to_have_text("Only admins write articles now.")
    agent_page.goto(f"{site.base}/agent/")
    expect(agent_page.get_by_role("heading", name="The desk")).to_be_visible()
    expect(agent_page.get_by_role("link", name="Write articles")).to_be_hidden()


def test_the_agent_links_an_article_into_the_reply_in_one_click(
    site: RunningStack, page: Page, admin: dict[str, Any], shoot
) -> None:
    code = f"plan{uuid.uuid4().hex[:8]}"  # a word only this run's article and ticket use
    title = f"Refunds for the {code} order"
    api(site, admin, "POST", "/api/admin/articles",
        {"title": title, "body": f"A refund for a {code} order reaches your card in five days.", "published": True})
    ticket = open_ticket(site, subject=f"Refund for my {code} order", description="Where is my refund?")
    assigned = wait_for_subject(site, f"[#{ticket['number']}] Assigned to you")
    page.goto(link_in(assigned, "/agent/ticket.html"))

    offered = page.locator("#help-articles")
    expect(offered.get_by_role("link", name=title)).to_be_visible()
    box = page.get_by_label("Reply to the customer")
    box.fill("Hello,\nthis explains it:")
    offered.get_by_role("button", name=f"Insert link to {title}").click()
    expect(box).to_have_value(
        f"Hello,\nthis explains it:\n{title}: {site.base}/help/article.html?slug="
        + page.locator("#help-articles a").first.get_attribute("href").split("slug=", 1)[1]
    )
    expect(box).to_be_focused()
    shoot(page, "help-agent-insert-link")


def test_an_admin_attaches_an_image_and_readers_see_it_once_published(
    site: RunningStack, page: Page, browser: Browser, admin: dict[str, Any], shoot
) -> None:
    png = Path(__file__).resolve().parents[1] / "fixtures" / "attachments" / "console.png"
    title = f"Where the console shows it {uuid.uuid4().hex[:6]}"
    sign_in_page(page, admin)
    page.goto(f"{site.base}/admin/articles.html")
    page.get_by_role("button", name="Write an article").click()
    page.get_by_label("Title").fill(title)
    page.get_by_label("Body (Markdown)").fill("Open the console:")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#list-status")).to_have_text(f"Saved “{title}” as a draft.")

    page.get_by_label("Insert an image").set_input_files(str(png))
    expect(page.get_by_label("Body (Markdown)")).to_have_value(
        re.compile(r"Open the console:\n\n!\[console\]\(/api/help/images/[0-9a-f]{32}\)\n"))
    preview_image = page.locator("#preview img")
    expect(preview_image).to_have_attribute("alt", "console")
    page.wait_for_function("() => document.querySelector('#preview img')?.naturalWidth > 0")  # a draft: staff see it
    page.get_by_label("Published (anyone can read it)").check()
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#list-status")).to_have_text(f"Saved “{title}”, published.")
    shoot(page, "help-article-image-editor")

    reader = browser.new_context(viewport=page.viewport_size).new_page()
    try:
        reader.goto(f"{site.base}/help/")
        reader.get_by_role("link", name=title).click()
        expect(reader.get_by_role("heading", name=title)).to_be_visible()
        reader.wait_for_function("() => document.querySelector('#article-body img')?.naturalWidth > 0")
    finally:
        reader.context.close()
