"""Addresses are read by their RFC grammar: whatever could smuggle a header, a Bcc or a second recipient
through a `mailto:` link or a MIME `To:` is refused with words a person can act on."""

from __future__ import annotations

import pytest
from pennydesk.platform.addresses import MESSAGE, mailbox


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("kim@example.com", "kim@example.com"),
        ("Kim.Lee@Example.COM", "kim.lee@example.com"),
        ("ann+billing@example.co.uk", "ann+billing@example.co.uk"),
        ("o'brien@example.ie", "o'brien@example.ie"),
        ("Ada@Pennydesk.local", "ada@pennydesk.local"),  # the local stack's agents and admins
    ],
)
def test_an_ordinary_address_is_kept_lower_cased(typed: str, stored: str) -> None:
    assert mailbox(typed) == stored


@pytest.mark.parametrize(
    "hostile",
    [
        "kim?bcc=spy%40evil.example&x@example.com",  # a mailto: with a Bcc
        "kim&cc=spy@example.com",
        "100%@example.com",
        "nul\x00part@example.com",  # reached the MIME To: before
        "line\r\nBcc: spy@evil.example@example.com",
        "Kim <kim@example.com>",  # a display name
        "undisclosed-recipients:;",  # an RFC 5322 group
        "kim(comment)@example.com",
        '"kim lee"@example.com',
        "kim@[192.0.2.1]",
        "kim@example",
        "kim@example.c",
        "kim@localhost",
        "kim@host.invalid",
        "kim@@example.com",
        "",
    ],
)
def test_anything_that_is_not_one_plain_mailbox_is_refused(hostile: str) -> None:
    with pytest.raises(ValueError, match=MESSAGE):
        mailbox(hostile)
