"""Digests and budget alerts carry RFC 8058's one-click unsubscribe headers, readable by every mailbox provider,
and the account setting it writes behaves like every other setting."""

from __future__ import annotations

import re
from email import message_from_bytes, policy

import pytest
from pennydesk.platform.email.render import RenderedEmail
from pennydesk.platform.email.send import build_mime
from pennydesk.platform.errors import PennydeskError
from pennydesk.spending.account_plan import Plan, Settings, plan

# A real unsubscribe URL is this long: the site, the path and an itsdangerous token of about 110 characters.
URL = (
    "https://desk.example.com/api/unsubscribe?token=eyJzdWIiOiJtYXlhQGV4YW1wbGUuY29tIiwia2luZCI6ImJ1ZGdldF9h"
    "bGVydHMifQ.aS9x2w.W0pYb3JkQ2xpY2tPbmVDbGlja1Vuc3Vic2NyaWJlVG9rZW4"
)
EMAIL = RenderedEmail("Your November 2026: 12.00 USD spent", "text\n", "<p>html</p>\n")


def test_the_url_stays_whole_on_one_line_inside_angle_brackets() -> None:
    raw = build_mime(["maya@example.com"], EMAIL, list_unsubscribe=URL)

    line = re.search(rb"^List-Unsubscribe: (.*)\r?$", raw, re.MULTILINE)
    assert line is not None and line.group(1).rstrip(b"\r") == f"<{URL}>".encode()  # no =?utf-8?q?...?= words
    message = message_from_bytes(raw, policy=policy.default)
    assert str(message["List-Unsubscribe"]) == f"<{URL}>"
    assert str(message["List-Unsubscribe-Post"]) == "List-Unsubscribe=One-Click"
    assert message.get_body(preferencelist=("plain",)).get_content() == "text\n"


def test_other_mail_has_no_unsubscribe_headers() -> None:
    message = message_from_bytes(build_mime(["maya@example.com"], EMAIL), policy=policy.default)
    assert message["List-Unsubscribe"] is None and message["List-Unsubscribe-Post"] is None


@pytest.mark.parametrize("url", [URL + "\r\nBcc: x@evil.example", "javascript:alert(1)", URL + " x", ""])
def test_anything_but_one_url_is_refused(url: str) -> None:
    if not url:  # no URL: no header, as for every other email
        assert b"List-Unsubscribe" not in build_mime(["maya@example.com"], EMAIL, list_unsubscribe=url)
        return
    with pytest.raises(ValueError):
        build_mime(["maya@example.com"], EMAIL, list_unsubscribe=url)


def test_budget_alerts_turn_off_and_on_and_unchanged_is_no_change() -> None:
    assert plan(Settings(), {"budget_alerts": False}) == Plan({"budget_alerts": False}, None)
    assert plan(Settings(budget_alerts=False), {"budget_alerts": True}) == Plan({"budget_alerts": True}, None)
    assert plan(Settings(), {"budget_alerts": True}) == Plan({}, None)  # a second unsubscribe writes nothing


def test_budget_alerts_is_true_or_false() -> None:
    with pytest.raises(PennydeskError) as refused:
        plan(Settings(), {"budget_alerts": None})
    assert refused.value.field == "budget_alerts"
