"""Categories that fill themselves, in a real browser: a person imports their ING file, moves an Albert Heijn
expense from Other to Groceries, says yes to "Always put Albert in Groceries?", finds the rule in settings,
and the next month's file lands in Groceries by itself."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import requests
from playwright.sync_api import Page, expect

from tests.support.live import session_for, sign_in_page
from tests.support.stack import RunningStack

NBSP = "\u00a0"
ING = (Path(__file__).resolve().parents[1] / "fixtures" / "banks" / "nl-ing.csv").read_bytes()
# The same bank's layout, the next month (written after the file above): two shops, one Albert Heijn.
NEXT_MONTH = (
    b'"Datum","Naam / Omschrijving","Rekening","Tegenrekening","Code","Af Bij","Bedrag (EUR)","MutatieSoort",'
    b'"Mededelingen"\n'
    b'"20191203","ALBERT HEIJN 1081 AMSTERDAM","uk35345345232","","BA","Af","12,40","Betaalautomaat","Pasvolgnr: 001"\n'
    b'"20191204","Kiosk Centraal","uk35345345232","","BA","Af","3,10","Betaalautomaat","Pasvolgnr: 001"\n'
)


def imported(site: RunningStack, session: dict[str, Any], body: bytes) -> dict[str, Any]:
    response = requests.post(f"{site.base}/api/expenses/import", data=body, timeout=30, headers={
        "Authorization": f"Bearer {session['session']}", "Content-Type": "text/csv"})
    assert response.status_code == 200, response.text
    return response.json()


def test_a_recategorisation_becomes_a_rule_that_the_next_import_follows(
    site: RunningStack, page: Page, shoot, viewport: str
) -> None:
    session = session_for(site, f"joost-{viewport}@example.com")
    assert requests.put(f"{site.base}/api/me", json={"currency": "EUR"}, timeout=10,
                        headers={"Authorization": f"Bearer {session['session']}"}).status_code == 200
    assert imported(site, session, ING)["imported"] == 7
    sign_in_page(page, session)

    page.goto(f"{site.base}/spending/?month=2019-11")
    row = page.locator("#ledger-body tr", has_text="18.85")
    expect(row).to_contain_text("Albert Heijn")
    expect(row).to_contain_text("Other")
    row.get_by_role("button", name=re.compile("^Edit")).click()
    dialog = page.get_by_role("dialog", name="Edit expense")
    dialog.get_by_label("Category").select_option("groceries")
    dialog.get_by_role("button", name="Save changes").click()
    expect(dialog).to_be_hidden()

    offer = page.get_by_role("group", name="Always put Albert in Groceries?")
    expect(offer).to_be_visible()
    shoot(page, "spending-rule-offer")
    offer.get_by_role("button", name="Yes, always").click()
    expect(page.locator("#rule-offer")).to_contain_text("payees containing “Albert” go to Groceries from now on")
    saved = page.get_by_role("group", name="Rule saved")
    expect(saved).to_contain_text("3 other expenses this month from “Albert” are in another category.")
    saved.get_by_role("button", name="Move all 3").click()
    expect(page.locator("#rule-offer")).to_contain_text("Moved 3 expenses to Groceries.")
    for amount in ("7.91", "38.23", "18.00"):
        expect(page.locator("#ledger-body tr", has_text=amount)).to_contain_text("Groceries")
    expect(page.locator("#ledger-body tr", has_text="23.95")).to_contain_text("Other")

    quick_add = page.locator("#add-category")  # quick add asks the rule once the payee is typed
    expect(quick_add).not_to_have_value("groceries")
    page.locator("#add-payee").fill("Albert Heijn Zuid")
    page.locator("#add-payee").press("Tab")
    expect(page.locator("#add-payee-suggestion")).to_have_text("Groceries, from your rule for this payee.")
    expect(quick_add).to_have_value("groceries")

    page.goto(f"{site.base}/spending/settings.html")
    expect(page.locator("#rules-list li")).to_have_count(1)
    expect(page.locator("#rules-list")).to_contain_text("Payee contains Albert → Groceries")
    shoot(page, "spending-rules-settings")

    report = imported(site, session, NEXT_MONTH)
    assert (report["imported"], report["categorised_by_rules"]) == (2, 1)
    page.goto(f"{site.base}/spending/?month=2019-12")
    expect(page.locator("#ledger-body tr", has_text="12.40")).to_contain_text("Groceries")
    expect(page.locator("#ledger-body tr", has_text="3.10")).to_contain_text("Other")


def test_a_recurring_expense_added_in_settings_is_recorded_on_its_day_and_marked_in_the_list(
    site: RunningStack, page: Page, shoot, viewport: str
) -> None:
    yesterday = (datetime.now(UTC) - timedelta(days=1)).date()
    session = session_for(site, f"rita-{viewport}@example.com")
    sign_in_page(page, session)
    page.goto(f"{site.base}/spending/settings.html")
    section = page.locator("section", has=page.get_by_role("heading", name="Recurring expenses"))
    section.get_by_label("Amount").fill("9.99")
    section.get_by_label("Category").select_option("entertainment")
    section.get_by_label("Payee").fill("Streamflix")
    section.get_by_label("Repeats").select_option("month")
    section.get_by_label("First date").fill(yesterday.isoformat())
    section.get_by_role("button", name="Add recurring expense").click()
    expect(page.locator("#recurring-status")).to_have_text("Added. Each occurrence is recorded on its day.")
    expect(page.locator("#recurring-list li")).to_have_count(1)
    expect(page.locator("#recurring-list")).to_contain_text("$9.99 · Entertainment · Streamflix — every month")
    shoot(page, "spending-recurring-settings")

    # The scheduler's next run records yesterday's occurrence (its day's 06:00 has passed).
    now = datetime.now(UTC) + timedelta(minutes=2)
    ran = requests.post(f"{site.base}/_local/schedule", json={"now": now.strftime("%Y-%m-%dT%H:%M:%SZ")}, timeout=60)
    assert ran.status_code == 200, ran.text
    page.goto(f"{site.base}/spending/?month={yesterday.isoformat()[:7]}")
    row = page.locator("#ledger-body tr", has_text="Streamflix")
    expect(row).to_contain_text("9.99")
    expect(row.locator(".recurring-badge")).to_have_attribute("title", "Recorded by a recurring expense (settings)")

    page.goto(f"{site.base}/spending/settings.html")
    section.get_by_role("button", name=re.compile("^Edit recurring expense Streamflix")).click()
    expect(section.get_by_label("Amount")).to_have_value("9.99")
    section.get_by_label("Amount").fill("10.99")
    section.get_by_role("button", name="Save changes").click()
    expect(page.locator("#recurring-status")).to_have_text("Saved. The change applies from the next occurrence on.")
    expect(page.locator("#recurring-list")).to_contain_text("$10.99 · Entertainment")
    section.get_by_role("button", name=re.compile("^Stop recurring expense Streamflix")).click()
    expect(page.locator("#recurring-status")).to_contain_text("The expenses it already created stay")
    expect(page.locator("#recurring-list li")).to_have_count(0)
    page.goto(f"{site.base}/spending/?month={yesterday.isoformat()[:7]}")
    expect(page.locator("#ledger-body tr", has_text="Streamflix")).to_contain_text("9.99")


def test_a_german_profile_reads_and_writes_recurring_amounts_as_germans_do(
    site: RunningStack, page: Page, viewport: str
) -> None:
    """Settings' recurring section formats with the profile's locale (spending-common's Intl helpers), like
    the month page: "1.234,50 €", not "1234.50 EUR"; the edit field holds "1234,50" and "99,90" is saved."""
    session = session_for(site, f"jonas-{viewport}@example.de", accept_language="de-DE,de;q=0.9")
    auth = {"Authorization": f"Bearer {session['session']}"}
    start = datetime.now(UTC).date().isoformat()
    made = requests.post(f"{site.base}/api/recurring", headers=auth, timeout=10, json={
        "amount": "1234.50", "category": "housing", "payee": "Miete", "every": "month", "start": start})
    assert made.status_code == 201, made.text
    sign_in_page(page, session)
    page.goto(f"{site.base}/spending/settings.html")
    section = page.locator("section", has=page.get_by_role("heading", name="Recurring expenses"))
    listed = page.locator("#recurring-list li")

    expect(listed).to_have_count(1)
    expect(listed).to_contain_text(f"1.234,50{NBSP}€ · Housing · Miete — every month")
    german_start = page.evaluate(f"new Intl.DateTimeFormat('de-DE', {{dateStyle: 'long', timeZone: 'UTC'}})"
                                 f".format(new Date('{start}T00:00:00Z'))")
    expect(listed).to_contain_text(f"from {german_start}")
    for text in listed.all_inner_texts():
        assert "EUR" not in text and "1234.50" not in text
    expect(section.get_by_label("Amount")).to_have_attribute("placeholder", "0,00")

    section.get_by_role("button", name=re.compile("^Edit recurring expense Miete")).click()
    expect(section.get_by_label("Amount")).to_have_value("1234,50")
    section.get_by_label("Amount").fill("99,90")
    section.get_by_role("button", name="Save changes").click()
    expect(page.locator("#recurring-status")).to_have_text("Saved. The change applies from the next occurrence on.")
    expect(listed).to_contain_text(f"99,90{NBSP}€ · Housing")
    stored = requests.get(f"{site.base}/api/recurring", headers=auth, timeout=10).json()["recurring"]
    assert [s["amount"] for s in stored] == ["99.90"]


def test_rules_are_added_changed_and_deleted_on_the_settings_page(
    site: RunningStack, page: Page, viewport: str
) -> None:
    sign_in_page(page, session_for(site, f"noor-{viewport}@example.com"))
    page.goto(f"{site.base}/spending/settings.html")
    section = page.locator("section", has=page.get_by_role("heading", name="Rules for categories"))
    expect(page.locator("#rules-empty")).to_be_visible()

    section.get_by_role("button", name="Add rule").click()  # nothing typed: the API's reason, beside the field
    expect(page.locator("#rule-contains-error")).to_have_text("Must not be empty.")
    section.get_by_label("Payee contains").fill("4711 0815")  # only a long number: names no payee
    section.get_by_role("button", name="Add rule").click()
    expect(page.locator("#rule-contains-error")).to_contain_text("Give a word the payee contains")
    section.get_by_label("Payee contains").fill("Kiosk")
    section.get_by_label("Category").select_option("dining")
    section.get_by_role("button", name="Add rule").click()
    expect(page.locator("#rules-status")).to_have_text("Added: payees containing “Kiosk” go to Dining.")
    expect(page.locator("#rules-list li")).to_have_text([re.compile(r"Payee contains Kiosk → Dining")])

    section.get_by_role("button", name="Edit rule for Kiosk").click()
    editor = page.locator("#rules-list form")
    editor.get_by_label("Payee contains").fill("Kiosk Centraal")
    editor.get_by_label("Category").select_option("groceries")
    editor.get_by_role("button", name="Save rule").click()
    expect(page.locator("#rules-status")).to_have_text("Saved: payees containing “Kiosk Centraal” go to Groceries.")
    expect(page.locator("#rules-list li")).to_have_text([re.compile(r"Payee contains Kiosk Centraal → Groceries")])

    section.get_by_role("button", name="Delete rule for Kiosk Centraal").click()
    expect(page.locator("#rules-status")).to_have_text("Deleted the rule for “Kiosk Centraal”.")
    expect(page.locator("#rules-list li")).to_have_count(0)
    expect(page.locator("#rules-empty")).to_be_visible()
