"""The browser harness itself: Debian's chromium loads the site from the local stack."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.support.stack import RunningStack


def test_the_ticket_form_loads_in_chromium(site: RunningStack, page: Page, shoot) -> None:
    page.goto(f"{site.base}/")
    expect(page.locator("form")).to_be_visible()
    shoot(page, "smoke-home")
