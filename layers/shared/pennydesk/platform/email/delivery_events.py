"""What SES says became of an email we sent: a bounce or a complaint, read from the event it publishes through
the configuration set's EventBridge destination (an "Email Bounced" or "Email Complaint Received" event whose
`detail` is SES's event record), as plain values.

SES's account-level suppression list (and the configuration set's SuppressionOptions) already stops SES
delivering to an address that hard-bounced or complained; this is for people: the agent sees that the
customer never got the reply.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from pennydesk.platform.addresses import mailbox

DETAIL_TYPES = {"Email Bounced": "Bounce", "Email Complaint Received": "Complaint"}
MAX_RECIPIENTS = 50  # SES sends to at most 50; more is not an SES event
# Enhanced status codes (RFC 3463) as a person would say them; the rest are told by the bounce's type.
STATUS_WORDS = {
    "5.1.1": "mailbox does not exist",
    "5.1.2": "the domain does not exist",
    "5.1.10": "mailbox does not exist",
    "5.2.1": "mailbox disabled",
    "5.2.2": "mailbox full",
    "4.2.2": "mailbox full",
    "5.7.1": "refused by the receiving server",
}
SUBTYPE_WORDS = {
    "NoEmail": "mailbox does not exist",
    "Suppressed": "address on SES's suppression list",
    "OnAccountSuppressionList": "address on the account's suppression list",
    "MailboxFull": "mailbox full",
    "MessageTooLarge": "message too large",
    "ContentRejected": "refused by the receiving server",
    "AttachmentRejected": "refused by the receiving server",
}


class NotADeliveryProblem(ValueError):
    """The event is not a bounce or complaint record SES publishes; str() says why, for the log."""


@dataclass(frozen=True)
class Recipient:
    address: str  # lower-cased
    reason: str  # "mailbox does not exist", "marked our email as spam", ...


@dataclass(frozen=True)
class DeliveryProblem:
    kind: str  # "bounced" | "complained"
    permanent: bool  # a hard bounce or a complaint; a soft bounce may clear by itself
    type: str  # bounce: Permanent | Transient | Undetermined; complaint: its feedback type, or "complaint"
    subtype: str
    at: str  # when SES learnt of it (ISO 8601)
    feedback_id: str  # SES's id of this bounce or complaint: the same event delivered twice has the same id
    message_id: str  # SES's id of the email it is about
    recipients: tuple[Recipient, ...]

    def key(self, address: str) -> str:
        """A short stable name for this problem of one address (item keys; a redelivery writes the same)."""
        return hashlib.sha256(f"{self.feedback_id}\n{address}".encode()).hexdigest()[:24]


def record_of(event: dict[str, Any]) -> dict[str, Any]:
    """SES's event record: the EventBridge event's `detail`, or the record itself (as SNS and Firehose carry it)."""
    if "detail-type" in event:
        if event.get("source") != "aws.ses" or event["detail-type"] not in DETAIL_TYPES:
            raise NotADeliveryProblem(f"not an SES bounce or complaint event: {event.get('detail-type')!r}")
        detail = event.get("detail")
        if not isinstance(detail, dict):
            raise NotADeliveryProblem("the event has no detail")
        return detail
    return event


def read(event: dict[str, Any]) -> DeliveryProblem:
    """The bounce or complaint an event reports; NotADeliveryProblem for anything else or anything malformed."""
    record = record_of(event)
    kind = record.get("eventType") or record.get("notificationType")
    mail = record.get("mail") if isinstance(record.get("mail"), dict) else {}
    if kind == "Bounce" and isinstance(record.get("bounce"), dict):
        return _bounce(record["bounce"], mail)
    if kind == "Complaint" and isinstance(record.get("complaint"), dict):
        return _complaint(record["complaint"], mail)
    raise NotADeliveryProblem(f"not a bounce or complaint record: {str(kind)[:40]!r}")


def _bounce(bounce: dict[str, Any], mail: dict[str, Any]) -> DeliveryProblem:
    kind, subtype = str(bounce.get("bounceType") or "Undetermined"), str(bounce.get("bounceSubType") or "")
    recipients = []
    for item in _list(bounce.get("bouncedRecipients")):
        reason = STATUS_WORDS.get(str(item.get("status") or "")) or SUBTYPE_WORDS.get(subtype)
        if reason is None:
            reason = "delivery failed" if kind == "Permanent" else "temporary delivery failure"
        recipients.append(_recipient(item.get("emailAddress"), reason))
    return DeliveryProblem(
        kind="bounced", permanent=kind == "Permanent", type=kind, subtype=subtype,
        at=_text(bounce.get("timestamp") or mail.get("timestamp")), feedback_id=_text(bounce.get("feedbackId")),
        message_id=_text(mail.get("messageId")), recipients=_checked(recipients),
    )


def _complaint(complaint: dict[str, Any], mail: dict[str, Any]) -> DeliveryProblem:
    feedback = str(complaint.get("complaintFeedbackType") or "complaint")
    recipients = [_recipient(i.get("emailAddress"), "marked our email as spam")
                  for i in _list(complaint.get("complainedRecipients"))]
    return DeliveryProblem(
        kind="complained", permanent=True, type=feedback, subtype=str(complaint.get("complaintSubType") or ""),
        at=_text(complaint.get("timestamp") or complaint.get("arrivalDate") or mail.get("timestamp")),
        feedback_id=_text(complaint.get("feedbackId")), message_id=_text(mail.get("messageId")),
        recipients=_checked(recipients),
    )


def _list(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _text(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise NotADeliveryProblem("a required field is missing")
    return value.strip()[:200]


def _recipient(address: Any, reason: str) -> Recipient:
    try:
        return Recipient(mailbox(str(address or "")), reason)
    except ValueError:
        raise NotADeliveryProblem("a recipient is not an email address") from None


def _checked(recipients: list[Recipient]) -> tuple[Recipient, ...]:
    if not recipients or len(recipients) > MAX_RECIPIENTS:
        raise NotADeliveryProblem("no recipients, or more than SES sends to")
    return tuple(recipients)
