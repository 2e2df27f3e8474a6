"""The form can't be used as a relay: anyone can make Pennydesk mail a confirmation to any address, with a name
and subject they chose. What they chose reads as a quotation, links nowhere, and the email says who asked and
that the reader may ignore it."""

from __future__ import annotations

import re

from pennydesk.helpdesk.ticket_records import Ticket
from pennydesk.platform.email.render import RenderedEmail, render

LURE = "Your account is locked - verify at https://evil.example/login"
STATUS_URL = "http://127.0.0.1:3000/ticket.html?id=abc123#token=tok.en"


def confirmation(**fields: object) -> RenderedEmail:
    ticket = Ticket(
        **{
            "pk": "TICKET#abc123", "sk": "TICKET", "ticket_id": "abc123", "number": 1042, "status": "new",
            "subject": "Refund", "description": "Please help", "category": "billing", "priority": "normal",
            "customer_name": "Kim", "customer_email": "eve@example.com",
            "created_at": "2026-11-20T10:00:00Z", "updated_at": "2026-11-20T10:00:00Z",
            **fields,
        }
    )
    return render("ticket_confirmation", ticket=ticket, status_url=STATUS_URL, articles=[])


def test_a_link_in_the_subject_or_name_is_never_a_link_in_the_html() -> None:
    email = confirmation(subject=LURE, customer_name="Security team, www.evil.example/reset")

    hrefs = re.findall(r'href="([^"]+)"', email.html)
    assert hrefs and all(h.startswith("http://127.0.0.1:3000/") for h in hrefs)
    assert "https://evil.example/login" not in email.html
    assert "www.evil.example/reset" not in email.html


def test_a_link_in_the_subject_is_defanged_in_the_text_part_too() -> None:
    email = confirmation(subject=LURE)

    assert "https://evil.example/login" not in email.text
    assert "evil[.]example/login" in email.text


def test_the_request_is_quoted_and_the_email_says_who_asked_and_that_it_may_be_ignored() -> None:
    email = confirmation(subject="Refund for order 1234", customer_name="Kim")

    assert "“Refund for order 1234”" in email.text
    for part in (email.text, re.sub(r"<[^>]+>", "", email.html)):  # the HTML as a reader sees it
        assert "someone entered eve@example.com" in part
        assert "you can ignore this email" in part


def test_ordinary_words_and_file_names_are_left_as_written() -> None:
    email = confirmation(subject="invoice.pdf was charged twice, e.g. on 3.12.")

    assert "invoice.pdf was charged twice, e.g. on 3.12." in email.text
