"""How an incoming email is read, without AWS: who sent it, whether a robot did, and what it says."""

from __future__ import annotations

from email.message import EmailMessage

import pytest
from pennydesk.platform.email.inbound import UnreadableMail, html_to_text, new_text, parse


def mail(sender: str = "Maya Okafor <maya@example.com>", body: str = "Hello", **headers: str) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "support@pennydesk.local"
    message["Subject"] = headers.pop("Subject", "Refund")
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body)
    return message.as_bytes()


@pytest.mark.parametrize(
    ("headers", "why"),
    [
        ({"Auto_Submitted": "auto-replied"}, "Auto-Submitted: auto-replied"),
        ({"Auto_Submitted": "auto-generated"}, "Auto-Submitted: auto-generated"),
        ({"Precedence": "Bulk"}, "Precedence: bulk"),
        ({"X_Autoreply": "yes"}, "X-Autoreply"),
        ({"List_Id": "<news.example.com>"}, "mailing list"),
    ],
)
def test_robots_are_recognised_by_their_headers(headers: dict[str, str], why: str) -> None:
    assert parse(mail(**headers)).automated == why


def test_auto_submitted_no_is_a_person() -> None:
    assert parse(mail(Auto_Submitted="no")).automated is None


def test_bounces_are_recognised_by_their_sender_or_empty_return_path() -> None:
    assert parse(mail(sender="MAILER-DAEMON@mx.example.com")).automated == "bounce (from MAILER-DAEMON)"
    assert parse(mail(), return_path="").automated == "bounce (empty Return-Path)"
    assert parse(mail(), return_path="maya@example.com").automated is None


def test_the_ticket_number_in_a_subject_is_read() -> None:
    assert parse(mail(Subject="Re: [#1042] Resolved: Charged twice")).ticket_number == 1042
    assert parse(mail(Subject="Re: #1042")).ticket_number is None


@pytest.mark.parametrize(
    ("sender", "reason"),
    [
        ("Maya\x1b[31m <maya@example.com>", "control characters in From"),
        ("maya@example.com, eve@example.net", "From is not one mailbox"),
        ("not an address", "From is not a valid address"),
    ],
)
def test_a_from_that_is_not_one_clean_mailbox_is_refused(sender: str, reason: str) -> None:
    with pytest.raises(UnreadableMail, match=reason):
        parse(mail(sender=sender))


def test_html_is_read_as_text_without_scripts_or_styles() -> None:
    html = "<style>p{color:red}</style><p>Hi &amp; thanks</p><script>steal()</script><div>Line two</div>"
    assert html_to_text(html).strip() == "Hi & thanks\nLine two"


def test_new_text_drops_control_characters_and_keeps_within_the_tickets_limit() -> None:
    assert new_text("Hi\x00 there\u202e") == "Hi there"
    long = new_text("word " * 10_000)
    assert len(long) <= 20_000 and long.endswith(" …")
