"""Attaching files in a real browser: the customer picks a PDF on their ticket page (opened from the emailed
link), it uploads straight to the local stack's S3 and is listed as a download link; a web page disguised as
a PDF is refused in words; the agent's page lists the file too."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from tests.support.live import link_in, open_ticket, wait_for_email, wait_for_subject
from tests.support.stack import RunningStack

AGENTS = ("ada@pennydesk.local", "grace@pennydesk.local", "bill@pennydesk.local")
PDF = Path(__file__).resolve().parents[1] / "fixtures" / "attachments" / "statement.pdf"


def test_a_customer_attaches_a_pdf_on_the_ticket_page_and_the_agent_sees_it(
    site: RunningStack, page: Page, shoot, viewport: str, tmp_path: Path
) -> None:
    email = f"files-{viewport}@example.com"
    created = open_ticket(site, email=email, subject="Statement attached")
    page.goto(link_in(wait_for_email(site, email, "We received your request"), "/ticket.html"))
    files = page.get_by_role("region", name="Files")
    expect(files).to_contain_text("No files yet.")

    page.get_by_label("Attach files").set_input_files(str(PDF))
    page.get_by_role("button", name="Upload").click()

    expect(page.locator("#attach-status")).to_have_text(
        "Attached: statement.pdf. Your next message mentions it; without one, we let your agent know in 10 minutes."
    )
    link = files.get_by_role("link", name="statement.pdf")
    expect(link).to_be_visible()
    shoot(page, "ticket-attachments")
    with page.expect_download() as download:
        link.click()
    saved = tmp_path / "downloaded.pdf"
    download.value.save_as(saved)
    assert saved.read_bytes() == PDF.read_bytes()

    disguised = tmp_path / "invoice.pdf"
    disguised.write_text("<!doctype html><script>alert(1)</script>")
    page.get_by_label("Attach files").set_input_files(str(disguised))
    page.get_by_role("button", name="Upload").click()
    expect(page.locator("#attach-status")).to_contain_text("Web pages, SVG images and scripts are not accepted")
    expect(files.get_by_role("link")).to_have_count(1)

    assigned = wait_for_subject(site, f"[#{created['number']}] Assigned to you", AGENTS)
    page.goto(link_in(assigned, "/agent/ticket.html"))
    expect(page.get_by_role("region", name="Files").get_by_role("link", name="statement.pdf")).to_be_visible()
