"""What the local outbox shows of each sent email beyond its parts: the Reply-To, every header as a
recipient sees it, and the attachments. SES replaces any Message-ID a sender sets with
`<MessageId@email.amazonses.com>` (its send_email response's MessageId); the outbox does the same, so
threading can be checked locally exactly as it works in AWS."""

from __future__ import annotations

import os
import time
import uuid
from email.message import EmailMessage
from typing import Any

import moto.ses.models

REGION = os.environ.get("AWS_REGION", "us-east-1")


def ses_shaped_message_id() -> str:
    """A MessageId shaped like SES's own: `0100` and the time in milliseconds (16 hex digits), a UUID, `-000000`."""
    return f"0100{int(time.time() * 1000):012x}-{uuid.uuid4()}-000000"


def assign_message_ids_as_ses_does() -> None:
    """moto's SES makes up MessageIds of random letters; SES's look like ses_shaped_message_id()."""
    moto.ses.models.get_random_message_id = ses_shaped_message_id  # type: ignore[attr-defined]


def ses_message_id(message_id: str) -> str:
    host = "email.amazonses.com" if REGION == "us-east-1" else f"{REGION}.amazonses.com"
    return f"<{message_id}@{host}>"


def headers(parsed: EmailMessage, message_id: str) -> dict[str, str]:
    """{name: value}, each name once (its first value), Message-ID as SES assigns it."""
    found: dict[str, str] = {}
    for name, value in parsed.items():
        if name.lower() != "message-id":
            found.setdefault(name, str(value))
    found["Message-ID"] = ses_message_id(message_id)
    return found


def attachments(parsed: EmailMessage) -> list[dict[str, Any]]:
    listed = []
    for part in parsed.iter_attachments():
        payload = part.get_payload(decode=True) or b""
        listed.append({"filename": part.get_filename() or "", "content_type": part.get_content_type(),
                       "size": len(payload)})
    return listed


def mail_fields(parsed: EmailMessage, message_id: str) -> dict[str, Any]:
    """The outbox entry's `reply_to`, `headers` and `attachments`."""
    reply_to = parsed.get("Reply-To")
    return {
        "reply_to": str(reply_to) if reply_to is not None else None,
        "headers": headers(parsed, message_id),
        "attachments": attachments(parsed),
    }
