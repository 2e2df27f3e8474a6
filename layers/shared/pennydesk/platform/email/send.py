"""Send a rendered email through SES v2 as one multipart/alternative MIME message, at most once per key.

An email about a ticket also carries its thread: where a reply goes (`Reply-To`) and the Message-IDs it
follows (`In-Reply-To`, `References`), so mail clients show one conversation per ticket. A digest or alert
carries `List-Unsubscribe` with `List-Unsubscribe-Post` (RFC 8058): the mailbox's own unsubscribe button.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from functools import cache
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.idempotency import idempotent_function

from pennydesk.platform import botocore_models
from pennydesk.platform.clock import utcnow
from pennydesk.platform.email.render import RenderedEmail, one_line
from pennydesk.platform.idempotency import EMAIL_CONFIG, persistence
from pennydesk.platform.settings import get_settings

logger = Logger(child=True)
SENDER_NAME = "Pennydesk"
_URL = re.compile(r"https?://[!-~]{1,900}")  # printable ASCII, no space, CR or LF: one header line


@dataclass(frozen=True)
class Threading:
    """The headers that tie one email to its ticket's conversation; Message-IDs in their <...> form."""

    reply_to: str | None = None
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()
    # Told the Message-ID SES gave the email, so the ticket's next one can follow it (not part of the job).
    record: Callable[[str], None] | None = field(default=None, compare=False)

    def as_job(self) -> dict[str, object]:
        return {"reply_to": self.reply_to, "in_reply_to": self.in_reply_to, "references": list(self.references)}

    @classmethod
    def from_job(cls, job: dict[str, object]) -> Threading:
        refs = job.get("references") or []
        return cls(job.get("reply_to") or None, job.get("in_reply_to") or None, tuple(refs))  # type: ignore[arg-type]


def ses_message_id(message_id: str, region: str) -> str:
    """The Message-ID header SES puts on a message it sends (it replaces any we set), from send_email's
    MessageId: `<id@email.amazonses.com>` in us-east-1, `<id@REGION.amazonses.com>` elsewhere."""
    host = "email.amazonses.com" if region == "us-east-1" else f"{region}.amazonses.com"
    return f"<{message_id}@{host}>"


@cache
def _ses() -> Any:
    return botocore_models.client("sesv2", region_name=get_settings().region)


def build_mime(
    to: list[str], email: RenderedEmail, threading: Threading | None = None, list_unsubscribe: str | None = None
) -> bytes:
    """The stdlib refuses CR/LF in header values, so nothing a user typed can add a header."""
    msg = EmailMessage()
    msg["From"] = formataddr((SENDER_NAME, get_settings().sender_email))
    msg["To"] = ", ".join(to)
    msg["Subject"] = one_line(email.subject)
    msg["Date"] = format_datetime(utcnow())
    if threading is not None:
        if threading.reply_to:
            msg["Reply-To"] = threading.reply_to
        if threading.in_reply_to:
            msg["In-Reply-To"] = threading.in_reply_to
        if threading.references:
            msg["References"] = " ".join(threading.references)
    if list_unsubscribe:
        if not _URL.fullmatch(list_unsubscribe):
            raise ValueError("List-Unsubscribe takes one https URL")
        # Set raw and never refolded: folded, the stdlib turns a long URL into RFC 2047 encoded-words, which
        # no mailbox provider reads as a link (RFC 2369 wants it whole inside <>; a line may hold 998 bytes).
        msg.set_raw("List-Unsubscribe", f"<{list_unsubscribe}>")
        msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg.set_content(email.text)
    msg.add_alternative(email.html, subtype="html")
    return msg.as_bytes(policy=msg.policy.clone(refold_source="none"))


@idempotent_function(data_keyword_argument="job", config=EMAIL_CONFIG, persistence_store=persistence("email"))
def _send_once(job: dict[str, Any]) -> dict[str, str]:
    threading = Threading.from_job(job["threading"]) if job.get("threading") else None
    raw = build_mime(
        job["to"], RenderedEmail(job["subject"], job["text"], job["html"]), threading, job.get("list_unsubscribe")
    )
    settings = get_settings()
    through = {"ConfigurationSetName": settings.ses_configuration_set} if settings.ses_configuration_set else {}
    response = _ses().send_email(
        FromEmailAddress=settings.sender_email,
        Destination={"ToAddresses": job["to"]},
        Content={"Raw": {"Data": raw}},
        **through,  # its bounces and complaints come back to the desk (helpdesk.mail_status)
    )
    logger.info("email sent", extra={"dedupe_key": job["key"], "message_id": response["MessageId"]})
    return {"message_id": response["MessageId"]}


def send(
    key: str, to: list[str], email: RenderedEmail, threading: Threading | None = None, *,
    list_unsubscribe: str | None = None,
) -> str:
    """Send `email` unless a message with the same `key` was already sent; returns SES's message id (the
    first send's, when the key was sent before). `list_unsubscribe` is the https URL a one-click POST goes to."""
    job: dict[str, Any] = {
        "key": key, "to": sorted(set(to)), "subject": email.subject, "text": email.text, "html": email.html,
    }
    if list_unsubscribe:
        job["list_unsubscribe"] = list_unsubscribe
    if threading is not None:
        job["threading"] = threading.as_job()
    message_id = _send_once(job=job)["message_id"]
    if threading is not None and threading.record is not None:
        threading.record(ses_message_id(message_id, get_settings().region))
    return message_id
