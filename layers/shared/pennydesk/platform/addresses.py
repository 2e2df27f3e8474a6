"""Email addresses people type: one mailbox by RFC 5322's grammar (checked by email-validator, never by DNS),
and nothing that could turn into something else on the way to a mail header or a `mailto:` link."""

from __future__ import annotations

import email_validator
from email_validator import EmailNotValidError, validate_email

# Legal in a local part, but what makes `kim?bcc=spy%40evil.example&…@example.com` a mailto: with a Bcc.
URL_SPECIALS = frozenset("?&%")
MESSAGE = "Enter an email address like name@example.com."

# email-validator refuses the special-use names of RFC 6761/6762; ".local" is the local stack's own mail domain
# (ada@pennydesk.local), so this process allows it. The library reads this list on every call, and documents it
# as the place to change which names count as special.
if "local" in email_validator.SPECIAL_USE_DOMAIN_NAMES:
    email_validator.SPECIAL_USE_DOMAIN_NAMES.remove("local")


def mailbox(value: str) -> str:
    """The address, lower-cased, or ValueError: no display name, group, comment, quoting or control character."""
    if any(ch in URL_SPECIALS for ch in value):
        raise ValueError(MESSAGE)
    try:
        checked = validate_email(
            value, check_deliverability=False, allow_quoted_local=False, allow_domain_literal=False
        )
    except EmailNotValidError:
        raise ValueError(MESSAGE) from None
    if len(checked.ascii_domain.rsplit(".", 1)[-1]) < 2:  # no top-level domain is one letter long
        raise ValueError(MESSAGE)
    return checked.normalized.lower()
