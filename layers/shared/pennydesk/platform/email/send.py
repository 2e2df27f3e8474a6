"""Send a rendered email through SES v2 as one multipart/alternative MIME message, at most once per key."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from functools import cache
from typing import Any

import boto3
from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.idempotency import idempotent_function

from pennydesk.platform.clock import utcnow
from pennydesk.platform.email.render import RenderedEmail, one_line
from pennydesk.platform.idempotency import EMAIL_CONFIG, persistence
from pennydesk.platform.settings import get_settings

logger = Logger(child=True)
SENDER_NAME = "Pennydesk"


@cache
def _ses() -> Any:
    return boto3.client("sesv2", region_name=get_settings().region)


def build_mime(to: list[str], email: RenderedEmail) -> bytes:
    """The stdlib refuses CR/LF in header values, so nothing a user typed can add a header."""
    msg = EmailMessage()
    msg["From"] = formataddr((SENDER_NAME, get_settings().sender_email))
    msg["To"] = ", ".join(to)
    msg["Subject"] = one_line(email.subject)
    msg["Date"] = format_datetime(utcnow())
    msg.set_content(email.text)
    msg.add_alternative(email.html, subtype="html")
    return msg.as_bytes()


@idempotent_function(data_keyword_argument="job", config=EMAIL_CONFIG, persistence_store=persistence("email"))
def _send_once(job: dict[str, Any]) -> dict[str, str]:
    raw = build_mime(job["to"], RenderedEmail(job["subject"], job["text"], job["html"]))
    response = _ses().send_email(
        FromEmailAddress=get_settings().sender_email,
        Destination={"ToAddresses": job["to"]},
        Content={"Raw": {"Data": raw}},
    )
    logger.info("email sent", extra={"dedupe_key": job["key"], "message_id": response["MessageId"]})
    return {"message_id": response["MessageId"]}


def send(key: str, to: list[str], email: RenderedEmail) -> str:
    """Send `email` unless a message with the same `key` was already sent; returns SES's message id."""
    job = {"key": key, "to": sorted(set(to)), "subject": email.subject, "text": email.text, "html": email.html}
    return _send_once(job=job)["message_id"]
