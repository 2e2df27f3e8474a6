"""Files on the ticket form in a real browser: the customer picks a real PDF (and a web page disguised as one)
before sending; the form opens the ticket, uploads each file with the token its 201 carried, says which were
attached and which refused, and the PDF is on the ticket page the confirmation email links to."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from tests.support.live import link_in, wait_for_email
from tests.support.stack import RunningStack

PDF = Path(__file__).resolve().parents[1] / "fixtures" / "attachments" / "statement.pdf"


def fill_ticket_form(page: Page, *, name: str, email: str, subject: str, description: str) -> None:
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Topic").select_option("billing")
    page.get_by_label("Subject").fill(subject)
    page.get_by_label("What happened?").fill(description)


def test_a_customer_attaches_a_pdf_on_the_form_and_finds_it_on_the_ticket_page(
    site: RunningStack, page: Page, shoot, viewport: str, tmp_path: Path
) -> None:
    email = f"form-files-{viewport}@example.com"
    disguised = tmp_path / "invoice.pdf"
    disguised.write_text("<!doctype html><script>alert(1)</script>")
    page.goto(f"{site.base}/")
    fill_ticket_form(page, name="Maya Patel", email=email, subject="Statement attached",
                     description="My statement shows a charge I don't recognise.")
    page.get_by_label("Files").set_input_files([str(PDF), str(disguised)])
    shoot(page, "ticket-form-files")
    page.get_by_role("button", name="Send request").click()

    done = page.locator("#done-section")
    expect(done).to_be_visible()
    expect(done.locator("#files-attached")).to_have_text("Attached: statement.pdf.")
    refused = done.locator("#files-refused")
    expect(refused).to_contain_text("invoice.pdf")
    expect(refused).to_contain_text("Web pages, SVG images and scripts are not accepted")
    shoot(page, "ticket-confirmation-files")

    page.goto(link_in(wait_for_email(site, email, "We received your request"), "/ticket.html"))
    files = page.get_by_role("region", name="Files")
    link = files.get_by_role("link", name="statement.pdf")
    expect(link).to_be_visible()
    expect(files.get_by_role("link")).to_have_count(1)
    with page.expect_download() as download:
        link.click()
    saved = tmp_path / "downloaded.pdf"
    download.value.save_as(saved)
    assert saved.read_bytes() == PDF.read_bytes()


def test_a_file_over_10_mb_is_refused_before_anything_is_sent(
    site: RunningStack, page: Page, viewport: str, tmp_path: Path
) -> None:
    big = tmp_path / "scan.pdf"
    big.write_bytes(PDF.read_bytes() + b"\0" * (10 * 1024 * 1024))
    page.goto(f"{site.base}/")
    fill_ticket_form(page, name="Maya Patel", email=f"big-file-{viewport}@example.com", subject="Scan",
                     description="The scan of my letter.")
    page.get_by_label("Files").set_input_files(str(big))
    page.get_by_role("button", name="Send request").click()
    expect(page.locator("#files-error")).to_have_text("scan.pdf is larger than 10 MB.")
    expect(page.get_by_label("Files")).to_be_focused()
    expect(page.locator("#done-section")).to_be_hidden()
