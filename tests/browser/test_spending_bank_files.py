"""A person chooses their bank's file exactly as downloaded (account details above the table, German
numbers and dates), previews without touching a setting, reads what was detected, and imports."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from tests.support.live import session_for, sign_in_page
from tests.support.stack import RunningStack

DKB = Path(__file__).resolve().parents[1] / "fixtures" / "banks" / "de-dkb.csv"


def test_a_bank_file_as_downloaded_previews_what_was_detected_and_imports_without_a_setting(
    site: RunningStack, page: Page, shoot, viewport: str
) -> None:
    sign_in_page(page, session_for(site, f"greta-{viewport}@example.com"))
    page.goto(f"{site.base}/spending/import.html")

    page.get_by_label("CSV file").set_input_files(
        {"name": "dkb.csv", "mimeType": "application/vnd.ms-excel", "buffer": DKB.read_bytes()})
    expect(page.get_by_label("Date", exact=True)).to_have_value("Buchungsdatum")  # the header below the details
    page.get_by_role("button", name="Preview").click()

    result = page.locator("#import-result")
    expect(result.locator("#result-note")).to_contain_text(
        "Detected: semicolon-separated, amounts like -62,3, dates like 08.12.25, the first 4 lines are account details")
    expect(page.get_by_label("Decimal separator")).to_contain_text("Detect it (found: 1.234,56)")
    expect(page.get_by_label("Date format", exact=True)).to_contain_text("Detect it (found: %d.%m.%y)")
    expect(result.locator("dt", has_text="Credits skipped").locator("xpath=following-sibling::dd")).to_have_text("3")
    shoot(page, "spending-import-as-downloaded")

    result.get_by_role("button", name="Import 5 expenses").click()
    expect(result.get_by_role("heading")).to_have_text("Import finished")
    expect(result.locator("dt", has_text="Imported").locator("xpath=following-sibling::dd")).to_have_text("5")
