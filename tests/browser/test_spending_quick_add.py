"""Quick add that is quick, and one locale per person, in a real browser (issue 15): ten expenses entered by
keyboard alone (amount, the category's first letter, Tab to the date, Enter on either; never a mouse), listed
in the order they happened; and a German profile on an English browser, whose every figure and month is
written in German, whose settings take "2.000,00" and name every refused field at once."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal

import requests
from playwright.sync_api import Browser, Page, expect

from tests.support.live import session_for, sign_in_page
from tests.support.stack import RunningStack

NBSP = "\u00a0"
# This month's name as a locale writes it, worked out by the browser's own Intl.
MONTH_NOW = "() => new Intl.DateTimeFormat('LOCALE', {month: 'long', year: 'numeric', timeZone: 'UTC'})" \
    ".format(new Date())"


def this_month() -> str:
    return datetime.now(UTC).strftime("%Y-%m")  # the browser context runs in UTC too


# (amount typed, first letter typed on the category, day of this month typed in the date or None to keep the
# date of the expense before, category the letter picks)
TEN = [
    ("12.50", "g", "05", "groceries"),
    ("4.20", "d", None, "dining"),  # Enter on the category adds (it never opens the list)
    ("30", "t", "03", "transport"),
    ("7.99", "g", None, "groceries"),
    ("100", "h", "07", "housing"),
    ("2.50", "d", None, "dining"),
    ("1,250.00", "u", "01", "utilities"),  # as en-GB writes a thousand: the API reads the profile's locale
    ("9.10", "e", None, "entertainment"),
    ("15", "s", "03", "shopping"),
    ("3.33", "o", None, "other"),
]


def days_of(ten: list[tuple[str, str, str | None, str]]) -> list[str]:
    days, last = [], ""
    for _, _, dd, _ in ten:
        last = dd or last
        days.append(last)
    return days


def type_date(page: Page, day, iso: str, order: list[str]) -> list[str]:
    """Type `iso` into the focused date input, segment by segment, in the order the browser lays them out
    (learned on first use: day first, else month first); returns that order."""
    year, month, dd = iso.split("-")
    parts = {"d": dd, "m": month, "y": year}
    for attempt in (order or ["dmy", "mdy"]):
        page.keyboard.type("".join(parts[k] for k in attempt))
        if day.input_value() == iso:
            return [attempt]
        for _ in range(2):  # back to the first segment, still by keyboard
            page.keyboard.press("Shift+Tab")
    raise AssertionError(f"could not type {iso} into the date: it reads {day.input_value()!r}")


def test_ten_expenses_by_keyboard_alone_list_in_the_order_they_happened(
    site: RunningStack, page: Page, shoot, viewport: str
) -> None:
    sign_in_page(page, session_for(site, f"quick-{viewport}@example.co.uk", accept_language="en-GB,en;q=0.8"))
    page.goto(f"{site.base}/spending/")
    add = page.get_by_role("region", name="Add an expense")
    amount, category = add.get_by_label(re.compile("^Amount")), add.get_by_label("Category")
    day = add.get_by_label("Date")
    expect(category).to_have_value("other")  # the profile has loaded
    expect(amount).to_be_focused()
    expect(day).to_have_value(datetime.now(UTC).date().isoformat())  # today, until changed
    month, order = this_month(), []

    for count, (typed, letter, dd, picked) in enumerate(TEN, start=1):
        expect(amount).to_be_focused()  # after each add, straight back to the amount
        page.keyboard.type(typed)
        page.keyboard.press("Tab")
        expect(category).to_be_focused()
        page.keyboard.type(letter)
        expect(category).to_have_value(picked)
        if dd:
            page.keyboard.press("Tab")  # the date is one tab stop from the category
            expect(day).to_be_focused()
            order = type_date(page, day, f"{month}-{dd}", order)
        page.keyboard.press("Enter")  # on the date, or on the category: either adds
        expect(page.locator("#add-status")).to_have_text(re.compile(rf"^Added £.* for {picked.capitalize()}"))
        expect(page.locator("#ledger-body tr")).to_have_count(count)
    expect(amount).to_be_focused()
    shoot(page, "spending-quick-add-ten")

    # Newest first: by date, then by the time entered (the later of two on one day above the earlier).
    entered = list(enumerate(days_of(TEN)))
    expected = [TEN[i] for i, _ in sorted(entered, key=lambda e: (e[1], e[0]), reverse=True)]
    shown = page.locator("#ledger-body tr td.amount").all_inner_texts()
    assert shown == [pounds(t) for t, *_ in expected]
    categories = page.locator("#ledger-body tr td.category").all_inner_texts()
    assert categories == [p.capitalize() for *_, p in expected]
    page.reload()  # the API's own order, not just the page's
    expect(page.locator("#ledger-body tr")).to_have_count(10)
    assert page.locator("#ledger-body tr td.amount").all_inner_texts() == shown

    total = sum(Decimal(t.replace(",", "")) for t, *_ in TEN)
    expect(page.locator("#summary-total")).to_have_text(pounds(str(total)))
    groceries = sum(Decimal(t) for t, _, _, p in TEN if p == "groceries")
    expect(page.locator("#category-table-body tr", has_text="Groceries")).to_contain_text(pounds(str(groceries)))


def pounds(text: str) -> str:
    value = Decimal(text.replace(",", "")).quantize(Decimal("0.01"))
    return f"£{value:,}"


def test_a_german_profile_writes_every_figure_in_german_and_settings_name_every_refusal(
    site: RunningStack, page: Page, shoot, viewport: str
) -> None:
    sign_in_page(page, session_for(site, f"lena-{viewport}@example.de", accept_language="de-DE,de;q=0.9"))
    page.goto(f"{site.base}/spending/settings.html")  # an English (en-GB) browser, a German profile
    expect(page.get_by_label("Language and region")).to_have_value("de-DE")
    expect(page.get_by_label("Currency")).to_have_value("EUR")

    page.get_by_label(re.compile("^Monthly limit")).fill("abc")
    page.get_by_label(re.compile("^Dining")).fill("1.50,00")
    page.get_by_label(re.compile("^Groceries")).fill("25,5")
    page.locator("#threshold-1").fill("0")
    page.get_by_role("button", name="Save settings").click()
    for label in (re.compile("^Monthly limit"), re.compile("^Dining")):
        expect(page.get_by_label(label)).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#monthly_limit-error")).not_to_be_empty()
    expect(page.locator("[data-error-for='category_limits.dining']")).not_to_be_empty()
    expect(page.locator("[data-error-for='alert_thresholds']")).not_to_be_empty()
    shoot(page, "spending-settings-every-error")

    page.get_by_label(re.compile("^Monthly limit")).fill("2.000,00")
    page.get_by_label(re.compile("^Dining")).fill("")
    page.locator("#threshold-1").fill("80")
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator("#settings-status")).to_have_text(re.compile("^Saved"))
    expect(page.get_by_label(re.compile("^Monthly limit"))).to_have_value("2000,00")
    expect(page.get_by_label(re.compile("^Groceries"))).to_have_value("25,50")

    for written in ("Kids & School", "Pet Food"):  # the person's own categories, shown as they wrote them
        page.get_by_label("New category").fill(written)
        page.get_by_label("New category").press("Enter")
        expect(page.locator("#categories-status")).to_have_text(f"Added {written}.")
    expect(page.locator("#custom-list")).to_contain_text("Kids & School")
    expect(page.locator("#custom-list")).to_contain_text("Pet Food")
    expect(page.get_by_label("Kids & School", exact=True)).to_be_visible()  # its limit's row

    page.goto(f"{site.base}/spending/")
    add = page.get_by_role("region", name="Add an expense")
    expect(add.get_by_label("Category")).to_have_value("other")  # the profile has loaded
    expect(add.get_by_label("Category").locator("option", has_text="Kids & School")).to_have_count(1)
    expect(add.get_by_label(re.compile("^Amount"))).to_be_focused()
    page.keyboard.type("1.234,50")
    page.keyboard.press("Tab")
    page.keyboard.type("h")
    page.keyboard.press("Enter")
    expect(page.locator("#add-status")).to_have_text(re.compile(rf"^Added 1\.234,50{NBSP}€ for Housing"))
    expect(add.get_by_label(re.compile("^Amount"))).to_be_focused()
    expect(page.locator("#ledger-body td.amount")).to_have_text(f"1.234,50{NBSP}€")
    expect(page.locator("#summary-total")).to_have_text(f"1.234,50{NBSP}€")
    expect(page.locator("#summary-limit")).to_have_text(f"of your 2.000,00{NBSP}€ budget · 61,7{NBSP}% used")
    title = page.locator("#list-title")
    german_month = page.evaluate(MONTH_NOW.replace("LOCALE", "de-DE"))
    expect(title).to_have_text(f"Expenses in {german_month}")
    expect(page.locator("#trend-table-body")).to_contain_text(f"1.234,50{NBSP}€")
    for text in page.locator("main").all_inner_texts():
        assert "EUR" not in text.replace("(EUR)", "") and "1234.50" not in text
    shoot(page, "spending-german-profile")


def test_an_english_profile_on_a_german_browser_reads_in_english_everywhere(
    site: RunningStack, browser: Browser, page: Page, viewport: str, shoot
) -> None:
    """The complaint as filed: "Expenses in Dezember 2026" and "19,3 % used" beside "1500.00 EUR" on an English
    page. The page writes what the profile says (en-GB), not what the browser's language happens to be."""
    # The fixture's page, at this viewport's size, is in an en-GB browser: this one's browser speaks German.
    context = browser.new_context(viewport=page.viewport_size, locale="de-DE", timezone_id="UTC")
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        session = session_for(site, f"emma-{viewport}@example.co.uk", accept_language="en-GB")
        requests.put(f"{site.base}/api/me", json={"monthly_limit": "1500"}, timeout=10,
                     headers={"Authorization": f"Bearer {session['session']}"}).raise_for_status()
        sign_in_page(page, session)
        page.goto(f"{site.base}/spending/")
        add = page.get_by_role("region", name="Add an expense")
        expect(add.get_by_label("Category")).to_have_value("other")
        page.keyboard.type("289.50")
        page.keyboard.press("Enter")
        expect(page.locator("#add-status")).to_have_text(re.compile(r"^Added £289\.50 for Other"))
        english_month = page.evaluate(MONTH_NOW.replace("LOCALE", "en-GB"))
        expect(page.locator("#list-title")).to_have_text(f"Expenses in {english_month}")
        expect(page.locator("#summary-total")).to_have_text("£289.50")
        expect(page.locator("#summary-limit")).to_have_text("of your £1,500.00 budget · 19.3% used")
        expect(page.locator("#summary-left")).to_have_text("£1,210.50 left")
        shoot(page, "spending-english-profile-german-browser")
    finally:
        context.close()
