"""The spending tracker in a real browser: sign in from the emailed link, quick-add, edit and delete
expenses and watch the totals and the category chart follow; budget settings; CSV import with its preview;
CSV export as a download. Each viewport is its own person, so the two runs never share data."""

from __future__ import annotations

import contextlib
import re
from datetime import UTC, datetime
from typing import Any

from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.support.live import link_in, outbox, session_for, sign_in_page, wait_for_email
from tests.support.stack import RunningStack


def spender(viewport: str, who: str) -> str:
    return f"{who}-{viewport}@example.com"


def today() -> str:
    return datetime.now(UTC).date().isoformat()  # the browser context runs in UTC too


def category_rows(page: Page) -> dict[str, tuple[str, str]]:
    """The figures table beside the category chart, as a person (or a screen reader) reads it."""
    rows: dict[str, tuple[str, str]] = {}
    for row in page.locator("#category-table-body tr").all():
        cells = [c.strip() for c in row.locator("th, td").all_inner_texts()]
        rows[cells[0]] = (cells[1], cells[2])
    return rows


def category_chart(page: Page) -> dict[str, float]:
    """What the category chart draws: its labels and the 'Spent' bars, read from the Chart.js instance."""
    data: dict[str, Any] = page.evaluate(
        """() => {
            const chart = window.Chart.getChart(document.getElementById('category-chart'));
            if (!chart) return null;
            const spent = chart.data.datasets.find((d) => d.label === 'Spent');
            return Object.fromEntries(chart.data.labels.map((label, i) => [label, spent.data[i]]));
        }"""
    )
    return data or {}


def expect_chart(page: Page, wanted: dict[str, float]) -> None:
    """The chart is redrawn after the report arrives; poll with a deadline until it shows `wanted`."""
    # On timeout the assertion below says what the chart shows instead.
    with contextlib.suppress(PlaywrightTimeout):
        page.wait_for_function(
            """(wanted) => {
                const chart = window.Chart && window.Chart.getChart(document.getElementById('category-chart'));
                if (!chart) return false;
                const spent = chart.data.datasets.find((d) => d.label === 'Spent');
                const shown = Object.fromEntries(chart.data.labels.map((label, i) => [label, spent.data[i]]));
                const keys = Object.keys(wanted);
                return Object.keys(shown).length === keys.length && keys.every((k) => shown[k] === wanted[k]);
            }""",
            arg=wanted,
        )
    assert category_chart(page) == wanted


def sign_in_through_the_page(site: RunningStack, page: Page, email: str, shoot) -> None:
    mail_before = len(outbox(site))
    page.goto(f"{site.base}/signin.html")
    shoot(page, "signin")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Email", exact=True).press("Enter")
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    page.goto(link_in(wait_for_email(site, email, "sign-in link", after=mail_before), "/signin.html"))
    expect(page.get_by_role("button", name="Sign in")).to_be_focused()
    page.keyboard.press("Enter")


def test_a_spender_signs_in_quick_adds_edits_and_deletes_and_the_totals_and_chart_follow(
    site: RunningStack, page: Page, shoot, viewport: str
) -> None:
    email = spender(viewport, "ines")
    sign_in_through_the_page(site, page, email, shoot)

    expect(page).to_have_url(re.compile(r"/spending/$"))
    add = page.get_by_role("region", name="Add an expense")
    amount = add.get_by_label(re.compile("^Amount"))
    expect(amount).to_be_focused()
    expect(add.get_by_label("Date")).to_have_value(today())
    expect(page.locator("#list-empty")).to_be_visible()
    shoot(page, "spending-empty")

    # Few keystrokes: amount, pick the category by its first letter, Enter (the date is already today).
    page.keyboard.type("12.50")
    page.keyboard.press("Tab")
    page.keyboard.type("d")
    expect(add.get_by_label("Category")).to_have_value("dining")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator("#add-status")).to_have_text(re.compile(r"Added £12\.50 for Dining"))
    expect(amount).to_be_focused()
    # The category stays: the next one is just the amount and Enter.
    page.keyboard.type("30")
    page.keyboard.press("Enter")
    expect(page.locator("#add-status")).to_have_text(re.compile(r"Added £30\.00 for Dining"))
    amount.fill("45,20")  # a phone keypad's decimal comma
    add.get_by_label("Category").select_option("groceries")
    add.get_by_label("Payee (optional)").fill("Corner shop")
    amount.press("Enter")
    expect(page.locator("#add-status")).to_have_text(re.compile(r"Added £45\.20 for Groceries"))

    expect(page.locator("#ledger-body tr")).to_have_count(3)
    expect(page.locator("#summary-total")).to_have_text("£87.70")  # an en-GB browser's account: pounds
    expect_chart(page, {"Dining": 42.5, "Groceries": 45.2})
    assert category_rows(page) == {"Dining": ("£42.50", "No limit"), "Groceries": ("£45.20", "No limit")}
    shoot(page, "spending-added")

    # Edit the 30.00 dinner down to 25.00.
    page.locator("#ledger-body tr", has_text="30.00").get_by_role("button", name=re.compile("^Edit")).click()
    dialog = page.get_by_role("dialog", name="Edit expense")
    expect(dialog).to_be_visible()
    shoot(page, "spending-edit")
    dialog.get_by_label(re.compile("^Amount")).fill("25.00")
    dialog.get_by_role("button", name="Save changes").click()
    expect(dialog).to_be_hidden()
    expect(page.locator("#list-status")).to_have_text(re.compile(r"^Saved £25\.00 for Dining"))
    expect(page.locator("#add-status")).to_be_empty()  # the earlier "Added…" no longer stands beside it
    expect(page.locator("#summary-total")).to_have_text("£82.70")
    expect_chart(page, {"Dining": 37.5, "Groceries": 45.2})

    # Delete the groceries.
    page.locator("#ledger-body tr", has_text="Corner shop").get_by_role("button", name=re.compile("^Delete")).click()
    confirm = page.get_by_role("dialog", name="Delete this expense?")
    expect(confirm).to_contain_text("Corner shop")
    shoot(page, "spending-delete")
    confirm.get_by_role("button", name="Delete").click()
    expect(confirm).to_be_hidden()
    expect(page.locator("#list-status")).to_have_text(re.compile(r"^Deleted £45\.20 at Corner shop"))
    expect(page.locator("#ledger-body tr")).to_have_count(2)
    expect(page.locator("#summary-total")).to_have_text("£37.50")
    expect_chart(page, {"Dining": 37.5})
    assert category_rows(page) == {"Dining": ("£37.50", "No limit")}
    expect(page.locator("#trend-table-body")).to_contain_text("37.50")
    shoot(page, "spending-after-delete")


def test_budget_settings_set_the_limits_the_month_is_measured_against(
    site: RunningStack, page: Page, shoot, viewport: str
) -> None:
    sign_in_page(page, session_for(site, spender(viewport, "ravi")))
    page.goto(f"{site.base}/spending/settings.html")
    expect(page.get_by_role("heading", name="Budget settings")).to_be_visible()
    shoot(page, "spending-settings")

    page.get_by_label(re.compile("^Monthly limit")).fill("100")
    page.get_by_label(re.compile("^Groceries")).fill("abc")
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_label(re.compile("^Groceries"))).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label(re.compile("^Groceries"))).to_be_focused()
    shoot(page, "spending-settings-error")

    page.get_by_label(re.compile("^Groceries")).fill("40")
    page.get_by_role("radio", name="Monthly").check()
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator("#settings-status")).to_have_text(re.compile("saved", re.IGNORECASE))
    shoot(page, "spending-settings-saved")

    page.goto(f"{site.base}/spending/")
    add = page.get_by_role("region", name="Add an expense")
    add.get_by_label(re.compile("^Amount")).fill("52.00")
    add.get_by_label("Category").select_option("groceries")
    add.get_by_role("button", name="Add", exact=True).click()
    expect(page.locator("#summary-limit")).to_contain_text("of your $100.00")
    expect(page.locator("#summary-left")).to_have_text(re.compile(r"^\$48\.00 left$"))
    expect(page.locator("#category-table-body tr", has_text="Groceries")).to_contain_text("(over)")
    shoot(page, "spending-over-limit")


CSV = (
    "Date,Description,Amount,Transaction id\n"
    "{month}-02,Bakery,-4.80,T1\n"
    "{month}-03,Salary,2500.00,T2\n"
    "{month}-04,Train ticket,-23.10,T3\n"
    "{month}-05,Cinema,-12.00,T4\n"
    "not a date,Broken row,-1.00,T5\n"
)


def test_csv_import_previews_the_mapping_and_skipped_lines_then_imports_and_export_downloads(
    site: RunningStack, page: Page, shoot, viewport: str
) -> None:
    sign_in_page(page, session_for(site, spender(viewport, "tomas")))
    month = today()[:7]
    page.goto(f"{site.base}/spending/import.html")
    expect(page.get_by_role("heading", name="Import from your bank")).to_be_visible()

    page.get_by_label("CSV file").set_input_files(
        {"name": "bank.csv", "mimeType": "text/csv", "buffer": CSV.format(month=month).encode()}
    )
    expect(page.get_by_label("Date", exact=True)).to_have_value("Date")
    expect(page.get_by_label("Amount", exact=True)).to_have_value("Amount")
    expect(page.get_by_label("Bank's transaction id (optional)")).to_have_value("Transaction id")
    page.get_by_label("Payee (optional)").select_option("Description")
    page.get_by_role("button", name="Preview").click()

    result = page.locator("#import-result")
    expect(result.get_by_role("heading")).to_have_text("Preview: nothing stored yet")
    expect(result.locator("dt", has_text="Would import").locator("xpath=following-sibling::dd")).to_have_text("3")
    # The lines it will skip or refuse, each shown as written in the file with the reason.
    skipped = result.get_by_role("table", name=re.compile("^Lines skipped"))
    expect(skipped.locator("tbody tr")).to_have_count(1)
    expect(skipped.locator("tbody td")).to_have_text(["3", f"{month}-03,Salary,2500.00,T2", "not an expense (credit)"])
    refused = result.get_by_role("table", name=re.compile("^Lines that can't be imported"))
    expect(refused.locator("tbody tr")).to_have_count(1)
    expect(refused.locator("tbody td").nth(1)).to_have_text("not a date,Broken row,-1.00,T5")
    shoot(page, "spending-import-preview")

    result.get_by_role("button", name="Import 3 expenses").click()
    expect(result.get_by_role("heading")).to_have_text("Import finished")
    expect(result.locator("dt", has_text="Imported").locator("xpath=following-sibling::dd")).to_have_text("3")
    # The preview stored nothing: had it, these three would now be "already recorded".
    expect(result.locator("dt", has_text="Already recorded").locator("xpath=following-sibling::dd")).to_have_text("0")
    shoot(page, "spending-import-done")

    export = page.get_by_role("region", name="Export to CSV")
    export.get_by_label("From").fill(f"{month}-01")
    export.get_by_label("To", exact=True).fill(f"{month}-28")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download CSV").click()
    exported = download.value.path().read_text()
    assert download.value.suggested_filename.endswith(".csv")
    assert [line for line in exported.splitlines() if "Bakery" in line or "Train ticket" in line or "Cinema" in line]
    assert len([line for line in exported.splitlines()[1:] if line.strip()]) == 3, exported
    assert "Salary" not in exported
    shoot(page, "spending-export")
