"""A reply's new text keeps a line Thunderbird writes in /italics/ (mail-parser-reply's Swedish "/Anna" sign-off
rule took it, and everything after it, for a signature), and a real sign-off below it is still cut."""

from __future__ import annotations

from pennydesk.platform.email.inbound import new_text

QUOTE = "\n\nOn 19/02/14 11:03, desk@pennydesk.local wrote:\n> Your request #1001 is resolved.\n"


def test_an_italic_line_and_what_follows_it_stay() -> None:
    written = "The refund arrived.\n\n/Finally/ - thank you.\n\n/really/\n\nOne more question about March."
    assert new_text(written + QUOTE) == written


def test_a_swedish_sign_off_is_still_a_signature() -> None:
    assert new_text("Tack, pengarna kom.\n\n/Anna\nAnna Svensson, 070-123 45 67" + QUOTE) == "Tack, pengarna kom."


def test_a_signature_below_an_italic_line_is_still_cut() -> None:
    body = "Thanks.\n\n/important/\n\nPlease call me.\n\n--\nMaya Okafor\n+33 6 12 34 56 78" + QUOTE
    assert new_text(body) == "Thanks.\n\n/important/\n\nPlease call me."
