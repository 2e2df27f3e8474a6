"""The MIME message SES sends: one Subject, only the intended recipients, a text and an HTML part."""

from __future__ import annotations

import re
from email import message_from_bytes, policy

import pytest
from pennydesk.platform.email.render import RenderedEmail
from pennydesk.platform.email.send import build_mime

INJECTIONS = [
    "Refund please\r\nBcc: x@evil.example",
    "Refund please\nBcc: x@evil.example",
    "Refund please\rBcc: x@evil.example",
    "Refund please\r\n\r\n<html>body takeover</html>",
]


@pytest.mark.parametrize("subject", INJECTIONS)
def test_typed_line_breaks_cannot_add_a_header(subject: str) -> None:
    raw = build_mime(["maya@example.com"], RenderedEmail(subject, "text part\n", "<p>html part</p>\n"))
    message = message_from_bytes(raw, policy=policy.default)

    assert len(message.get_all("Subject")) == 1
    assert message.get_all("Bcc") is None
    assert message.get_all("Cc") is None
    assert message.get_all("To") == ["maya@example.com"]
    assert re.search(rb"^(bcc|cc):", raw, re.IGNORECASE | re.MULTILINE) is None
    assert "\n" not in str(message["Subject"]) and "\r" not in str(message["Subject"])
    assert str(message["Subject"]).startswith("Refund please ")


def test_message_has_a_plain_text_and_an_html_alternative() -> None:
    raw = build_mime(["maya@example.com"], RenderedEmail("Hi", "Hello in text\n", "<p>Hello in HTML</p>\n"))
    message = message_from_bytes(raw, policy=policy.default)

    assert message.get_content_type() == "multipart/alternative"
    plain = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert plain is not None and plain.get_content() == "Hello in text\n"
    assert html is not None and html.get_content() == "<p>Hello in HTML</p>\n"
    assert message["Date"] is not None
    assert "Pennydesk" in str(message["From"])
