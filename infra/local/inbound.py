"""Mail in, locally, the way SES receiving delivers it (the SMTP listener and POST /_local/inbound both
come here): the template's receipt rule says which recipients it takes, where it stores the raw message
(its S3 action: bucket and prefix) and which function it invokes (its Lambda action); the function gets
SES's own event shape (tests/fixtures/ses/lambda_receipt_event.json is AWS's published sample)."""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass
from datetime import UTC, datetime
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import compat32
from email.utils import getaddresses
from typing import TYPE_CHECKING, Any

import boto3

from infra.local.runtime import REGION

if TYPE_CHECKING:
    from infra.local.engine import LocalStack

PASS = "PASS"  # noqa: S105 (a verdict, not a password)
VERDICTS = ("spamVerdict", "virusVerdict", "spfVerdict", "dkimVerdict", "dmarcVerdict")


class NotAccepted(ValueError):
    """No recipient of the message is one the receipt rule takes: SES would refuse it at RCPT TO."""


@dataclass(frozen=True)
class ReceiptRule:
    recipients: tuple[str, ...]  # addresses or whole domains, as the rule lists them
    bucket: str
    prefix: str
    function: str  # the logical id of the function its Lambda action invokes

    def takes(self, address: str) -> bool:
        address = address.strip().lower()
        domain = address.rpartition("@")[2]
        return any(address == r or domain == r for r in self.recipients)


def receipt_rule(stack: LocalStack) -> ReceiptRule:
    """The template's one receipt rule, evaluated against the local stack's resources."""
    assert stack.template is not None
    rules = stack.template.resources("AWS::SES::ReceiptRule")
    if len(rules) != 1:
        raise ValueError(f"the local stack runs exactly one SES receipt rule, the template has {len(rules)}")
    (resource,) = rules.values()
    rule = resource["Properties"]["Rule"]
    s3 = stack.template.evaluate(next(a["S3Action"] for a in rule["Actions"] if "S3Action" in a), stack.resolved)
    function_arn = next(a["LambdaAction"]["FunctionArn"] for a in rule["Actions"] if "LambdaAction" in a)
    return ReceiptRule(
        recipients=tuple(str(r).lower() for r in stack.template.evaluate(rule["Recipients"], stack.resolved)),
        bucket=str(s3["BucketName"]),
        prefix=str(s3.get("ObjectKeyPrefix", "")),
        function=function_arn["Fn::GetAtt"][0],
    )


def ses_inbound_message_id() -> str:
    """SES names a received message with 40 lower-case letters and digits (also its object's name)."""
    return "".join(secrets.choice(string.ascii_lowercase + string.digits) for _ in range(40))


def header_recipients(raw: bytes) -> list[str]:
    """To and Cc of a message: the envelope when none is given (POST /_local/inbound)."""
    message = message_from_bytes(raw, policy=compat32)
    values = [str(v) for name in ("To", "Cc") for v in (message.get_all(name) or [])]
    return [address for _, address in getaddresses(values) if address]


def deliver(
    stack: LocalStack,
    raw: bytes,
    *,
    mail_from: str | None = None,
    recipients: list[str] | None = None,
    verdicts: dict[str, str] | None = None,
) -> str:
    """Store `raw` where the receipt rule would and invoke its function with SES's event; the SES message id.
    Raises NotAccepted when the rule takes none of the recipients."""
    rule = receipt_rule(stack)
    taken = [r.lower() for r in (recipients if recipients is not None else header_recipients(raw)) if rule.takes(r)]
    if not taken:
        raise NotAccepted(f"no recipient at {', '.join(rule.recipients)}")
    message_id = ses_inbound_message_id()
    with stack.lock:
        s3 = boto3.client("s3", region_name=REGION)
        s3.put_object(Bucket=rule.bucket, Key=f"{rule.prefix}{message_id}", Body=raw)
    event = receipt_event(raw, message_id, taken, mail_from, rule.function, verdicts)
    stack.invoke(rule.function, event)
    return message_id


def receipt_event(
    raw: bytes,
    message_id: str,
    recipients: list[str],
    mail_from: str | None,
    function_name: str,
    verdicts: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The Lambda action's event for one message, shaped as SES sends it."""
    message = message_from_bytes(raw, policy=compat32)
    now = datetime.now(UTC)
    stamp = now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"
    if mail_from is None:
        mail_from = _first_address(message.get("Return-Path") or message.get("From"))
    return_path = mail_from
    received = (
        f"from localhost by inbound-smtp.{REGION}.amazonaws.com with SMTP id {message_id} for {recipients[0]}; "
        f"{now.strftime('%a, %d %b %Y %H:%M:%S +0000 (UTC)')}"
    )
    headers = [
        {"name": "Return-Path", "value": f"<{return_path}>"},
        {"name": "Received", "value": received},
        {"name": "X-SES-Spam-Verdict", "value": PASS},
        {"name": "X-SES-Virus-Verdict", "value": PASS},
    ] + [{"name": name, "value": _unfold(value)} for name, value in message.items() if name.lower() != "return-path"]
    common = {"returnPath": return_path, "date": _unfold(message.get("Date", "")),
              "messageId": _unfold(message.get("Message-ID", "")), "subject": _unfold(message.get("Subject", ""))}
    for key, name in (("from", "From"), ("to", "To"), ("cc", "Cc")):
        if message.get_all(name):
            common[key] = [_unfold(v) for v in message.get_all(name)]
    chosen = {v: (verdicts or {}).get(v, PASS) for v in VERDICTS}
    return {
        "Records": [{
            "eventSource": "aws:ses",
            "eventVersion": "1.0",
            "ses": {
                "mail": {
                    "timestamp": stamp,
                    "source": return_path,
                    "messageId": message_id,
                    "destination": recipients,
                    "headersTruncated": False,
                    "headers": headers,
                    "commonHeaders": common,
                },
                "receipt": {
                    "timestamp": stamp,
                    "processingTimeMillis": 1,
                    "recipients": recipients,
                    **{v: {"status": s} for v, s in chosen.items()},
                    "action": {
                        "type": "Lambda",
                        "functionArn": f"arn:aws:lambda:{REGION}:123456789012:function:{function_name}",
                        "invocationType": "Event",
                    },
                },
            },
        }]
    }


def reply_as_recipient(mail: dict[str, Any], text: str) -> bytes:
    """What the recipient of an outbox `mail` sends when they press Reply: to its Reply-To, threaded on its
    Message-ID, their text above the quoted original (the outbox page's reply form)."""
    reply = EmailMessage()
    reply["From"] = mail["to"][0]
    reply["To"] = mail["reply_to"]
    reply["Subject"] = f"Re: {mail['subject']}"
    reply["In-Reply-To"] = mail["headers"]["Message-ID"]
    reply["References"] = " ".join(filter(None, [mail["headers"].get("References"), mail["headers"]["Message-ID"]]))
    quoted = "\n".join(f"> {line}" for line in mail["text"].splitlines())
    reply.set_content(f"{text.strip()}\n\nOn {mail['sent_at']}, {mail['from']} wrote:\n{quoted}\n")
    return reply.as_bytes()


def _unfold(value: Any) -> str:
    return " ".join(str(value).split())


def _first_address(value: Any) -> str:
    found = getaddresses([str(value or "")])
    return found[0][1] if found else ""
