"""What people see in their mail: customer text is shown, never executed, and every email has two parts."""

from __future__ import annotations

import pytest
from jinja2 import UndefinedError
from pennydesk.helpdesk.agent_records import Agent
from pennydesk.helpdesk.ticket_records import Ticket
from pennydesk.platform.email.render import render

HOSTILE_NAME = '<img src=x onerror="alert(1)"> Eve & Co'
HOSTILE_SUBJECT = "<script>alert('pwned')</script> refund"
HOSTILE_DESCRIPTION = "Please <b>click</b> <a href=\"https://evil.example\">here</a> & pay"
STATUS_URL = "http://127.0.0.1:3000/ticket.html?id=abc123&token=tok.en"


def a_ticket(**overrides: object) -> Ticket:
    fields: dict[str, object] = {
        "pk": "TICKET#abc123",
        "sk": "TICKET",
        "ticket_id": "abc123",
        "number": 1042,
        "status": "new",
        "subject": HOSTILE_SUBJECT,
        "description": HOSTILE_DESCRIPTION,
        "category": "billing",
        "priority": "high",
        "customer_name": HOSTILE_NAME,
        "customer_email": "eve@example.com",
        "created_at": "2026-11-20T10:00:00Z",
        "updated_at": "2026-11-20T10:00:00Z",
    }
    fields.update(overrides)
    return Ticket(**fields)


def an_agent() -> Agent:
    return Agent(
        pk="AGENT#a1", sk="PROFILE", agent_id="a1", email="ada@pennydesk.local", name="Ada <Lovelace>",
        categories={"billing"}, capacity=5, open_count=0, created_at="2026-11-01T00:00:00Z",
    )


def every_message() -> list[tuple[str, dict[str, object]]]:
    return [
        ("ticket_confirmation", {"ticket": a_ticket(), "status_url": STATUS_URL, "articles": []}),
        ("ticket_assigned", {"ticket": a_ticket(), "agent": an_agent(), "action_url": STATUS_URL}),
        ("ticket_unassigned", {"ticket": a_ticket(), "reason": 'no active agent covers "billing"'}),
        ("files_added", {"ticket": a_ticket(), "who": HOSTILE_NAME, "url": STATUS_URL, "agent": an_agent(),
                         "attachments": [{"filename": HOSTILE_SUBJECT, "size": "14 KB"}]}),
    ]


@pytest.mark.parametrize(("message", "context"), every_message(), ids=lambda v: v if isinstance(v, str) else "")
def test_customer_html_is_escaped_in_the_html_part(message: str, context: dict[str, object]) -> None:
    email = render(message, **context)

    assert "<script>" not in email.html
    assert "<img src=x" not in email.html
    assert "&lt;script&gt;" in email.html
    assert "&lt;img src=x onerror=" in email.html
    assert "Eve &amp; Co" in email.html


@pytest.mark.parametrize(("message", "context"), every_message(), ids=lambda v: v if isinstance(v, str) else "")
def test_customer_text_reads_as_typed_in_the_text_part(message: str, context: dict[str, object]) -> None:
    email = render(message, **context)

    assert HOSTILE_SUBJECT in email.text
    assert "&lt;" not in email.text
    assert "&amp;" not in email.text
    assert email.text.strip() and email.html.strip()


def test_customer_description_reaches_the_agent_readable_and_inert() -> None:
    email = render("ticket_assigned", ticket=a_ticket(), agent=an_agent(), action_url=STATUS_URL)

    assert HOSTILE_DESCRIPTION in email.text
    assert '<a href="https://evil.example">' not in email.html
    assert "&lt;a href=&#34;https://evil.example&#34;&gt;here&lt;/a&gt;" in email.html


def test_status_link_is_exact_in_text_and_a_working_href_in_html() -> None:
    email = render("ticket_confirmation", ticket=a_ticket(), status_url=STATUS_URL, articles=[])

    assert STATUS_URL in email.text
    assert f'href="{STATUS_URL.replace("&", "&amp;")}"' in email.html


@pytest.mark.parametrize("subject", ["Line one\nBcc: x@evil.example", "Tabs\tand\r\nbreaks\u2028too", "  padded  "])
def test_subject_is_one_line_even_when_the_ticket_subject_is_not(subject: str) -> None:
    email = render("ticket_confirmation", ticket=a_ticket(subject=subject), status_url=STATUS_URL, articles=[])

    assert "\n" not in email.subject and "\r" not in email.subject and "\u2028" not in email.subject
    assert email.subject.startswith("[#1042] ")
    assert email.subject == email.subject.strip()
    assert "  " not in email.subject


def test_subject_is_cut_to_a_sane_length() -> None:
    email = render("ticket_confirmation", ticket=a_ticket(subject="x" * 500), status_url=STATUS_URL, articles=[])

    assert 0 < len(email.subject) <= 200


def test_a_template_variable_left_out_is_an_error_not_a_blank() -> None:
    with pytest.raises(UndefinedError):
        render("ticket_confirmation", ticket=a_ticket())  # status_url missing
