"""The outbox: every email SES accepted, read back from moto and decoded, oldest first."""

from __future__ import annotations

from datetime import UTC
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from typing import Any

from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import RawMessage, ses_backends

from infra.local.mail_fields import mail_fields
from infra.local.runtime import REGION


def count() -> int:
    """How many emails SES accepted, without copying or parsing them."""
    return len(ses_backends[DEFAULT_ACCOUNT_ID][REGION].sent_messages)


def sent() -> list[Any]:
    """What SES accepted so far, oldest first, as moto keeps it (a copy: SES may accept more meanwhile)."""
    return list(ses_backends[DEFAULT_ACCOUNT_ID][REGION].sent_messages)


def decode(messages: list[Any]) -> list[dict[str, Any]]:
    """The raw emails among `messages` with their headers and both parts decoded."""
    return [_entry(m) for m in messages if isinstance(m, RawMessage)]


def _entry(message: RawMessage) -> dict[str, Any]:
    parsed = message_from_bytes(message.raw_data.encode("utf-8"), policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    text = parsed.get_body(preferencelist=("plain",))
    html = parsed.get_body(preferencelist=("html",))
    date = parsed.get("Date")
    return {
        "id": message.id,
        "from": str(parsed.get("From", message.source)),
        "to": list(dict.fromkeys(message.destinations)),  # moto lists header and envelope recipients
        # A long subject may be folded right after "Subject:"; unfolded, that space is not part of it.
        "subject": str(parsed.get("Subject", "")).strip(),
        "text": text.get_content() if text is not None else "",
        "html": html.get_content() if html is not None else "",
        "sent_at": parsedate_to_datetime(date).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if date else None,
        **mail_fields(parsed, message.id),  # reply_to, headers (Message-ID as SES assigns it), attachments
    }
