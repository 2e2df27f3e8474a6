"""Mail that came in through SES receiving, added to the desk by the same functions as the link pages.

`reply+<token>@<inbound domain>`: the token names one ticket and one side. The customer's reply goes
through `workflow.customer_reply` (a resolved ticket reopens, the agent is emailed); the agent's through
`workflow.agent_action` as a reply, or a note when its first line is `#note`, and only from the address of
the agent the ticket is assigned to. Anything else at the domain without a valid token (support@, a forged
or foreign token) is a request: `[#1042]` in the subject from that ticket's own customer threads onto it,
otherwise intake opens a ticket with the usual limits and confirmation. Automated mail and mail whose SES
verdicts fail is dropped and recorded nowhere. Each message is handled once (its SES message id is the
idempotency key); its raw form stays in the inbound bucket and its key is kept with the ticket.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.idempotency import idempotent_function
from pynamodb.attributes import UnicodeAttribute

from pennydesk.helpdesk import intake, mail_thread, roster, ticket_attachments, workflow
from pennydesk.helpdesk.ticket_records import RECEIVED_PREFIX, Ticket, received_sk
from pennydesk.identity import reply_tokens
from pennydesk.platform import blobs, botocore_models, ratelimit
from pennydesk.platform.clock import iso_precise, utcnow
from pennydesk.platform.dynamo import KeyedModel, table_meta
from pennydesk.platform.email.inbound import MAX_MESSAGE_BYTES, InboundMail, UnreadableMail, parse
from pennydesk.platform.errors import NotFound, PennydeskError
from pennydesk.platform.idempotency import EMAIL_CONFIG, persistence
from pennydesk.platform.settings import get_settings

logger = Logger(child=True)
metrics = Metrics()  # Powertools shares one set of metrics per process: the handler publishes these too
OBJECT_PREFIX = "inbound/"  # the receipt rule's S3 action stores each message at inbound/<SES message id>
VERDICTS = ("spamVerdict", "virusVerdict", "spfVerdict", "dkimVerdict", "dmarcVerdict")
NOTE_MARK = "#note"
SUPPORT_MAILBOX = "support"
FILES_ONLY = "(files attached)"
# Twenty replies an hour to one ticket is more than a person writes; a loop between two robots that slipped
# past the automated-mail headers stops here instead of filling the ticket.
REPLIES_PER_SENDER = ratelimit.Limit("mail-reply", hits=20, window_seconds=3600)


@dataclass(frozen=True)
class Receipt:
    """What SES's receipt event says about one message (the Lambda action's record, `ses` part)."""

    message_id: str  # SES's, also the object's name in the bucket
    recipients: tuple[str, ...]
    return_path: str | None
    failed_verdicts: tuple[str, ...]

    @classmethod
    def from_event(cls, ses: dict[str, Any]) -> Receipt:
        receipt, mail = ses.get("receipt") or {}, ses.get("mail") or {}
        failed = tuple(v for v in VERDICTS if (receipt.get(v) or {}).get("status") == "FAIL")
        return_path = (mail.get("commonHeaders") or {}).get("returnPath")
        return cls(
            message_id=str(mail["messageId"]),
            recipients=tuple(str(r).lower() for r in receipt.get("recipients") or mail.get("destination") or []),
            return_path=return_path if isinstance(return_path, str) else None,
            failed_verdicts=failed,
        )

    @property
    def object_key(self) -> str:
        return f"{OBJECT_PREFIX}{self.message_id}"


class ReceivedMail(KeyedModel):
    """pk=THREAD#<ticket id>, sk=RECEIVED#<when>#<SES message id>: a message added to a ticket by email,
    with where its original is kept (the agent can open it while the bucket keeps it)."""

    Meta = table_meta(get_settings().tickets_table)

    ticket_id = UnicodeAttribute()
    role = UnicodeAttribute()
    sender = UnicodeAttribute()
    object_key = UnicodeAttribute()
    received_at = UnicodeAttribute()
    entry_id = UnicodeAttribute(null=True)  # the message or note it added (None: it opened the ticket)


@cache
def _s3() -> Any:
    return botocore_models.client("s3", region_name=get_settings().region)


def receive(receipt: Receipt) -> str:
    """Handle one received message once; returns what became of it (a word for the log and the metric)."""
    mail = {
        "key": f"inbound/{receipt.message_id}",
        "message_id": receipt.message_id,
        "recipients": list(receipt.recipients),
        "return_path": receipt.return_path,
        "failed": list(receipt.failed_verdicts),
    }
    return _receive_once(mail=mail)["outcome"]


@idempotent_function(data_keyword_argument="mail", config=EMAIL_CONFIG, persistence_store=persistence("email"))
def _receive_once(mail: dict[str, Any]) -> dict[str, str]:
    receipt = Receipt(mail["message_id"], tuple(mail["recipients"]), mail["return_path"], tuple(mail["failed"]))
    return {"outcome": _handle(receipt)}


def _handle(receipt: Receipt) -> str:
    log = {"ses_message_id": receipt.message_id}
    if receipt.failed_verdicts:
        logger.warning("inbound mail dropped: SES verdict failed", extra={**log, "failed": receipt.failed_verdicts})
        return "VerdictFailed"
    try:
        email = parse(_raw(receipt), return_path=receipt.return_path)
    except UnreadableMail as exc:
        logger.warning("inbound mail dropped: unreadable", extra={**log, "reason": str(exc)})
        return "Unreadable"
    if email.automated:
        logger.info("inbound mail dropped: automated", extra={**log, "reason": email.automated})
        return "Automated"
    try:
        return _route(receipt, email)
    except PennydeskError as exc:  # refused as the page would refuse it: a 409, a 429, an empty message
        logger.warning("inbound mail refused", extra={**log, "reason": exc.message, "code": exc.code})
        return "Refused"


def _raw(receipt: Receipt) -> bytes:
    bucket = get_settings().inbound_bucket
    head = _s3().head_object(Bucket=bucket, Key=receipt.object_key)
    if int(head["ContentLength"]) > MAX_MESSAGE_BYTES:
        raise UnreadableMail(f"message is {int(head['ContentLength']):,} bytes")
    return bytes(_s3().get_object(Bucket=bucket, Key=receipt.object_key)["Body"].read())


def _route(receipt: Receipt, email: InboundMail) -> str:
    for recipient in receipt.recipients:
        token = reply_tokens.token_in(recipient)
        if token is None:
            continue
        try:
            grant = reply_tokens.verify(token)
        except PennydeskError:
            logger.warning("reply token refused: handled as a new request", extra={"recipient_domain": "inbound"})
            continue
        if grant.role == "customer":
            return _customer_reply(grant.ticket_id, receipt, email)
        if _is_the_agent(grant.ticket_id, email.sender):
            return _agent_reply(grant.ticket_id, receipt, email)
        logger.warning("agent reply token used from another address: handled as a new request")
    return _request(receipt, email)


def _is_the_agent(ticket_id: str, sender: str) -> bool:
    try:
        ticket = workflow.get_ticket(ticket_id)
    except NotFound:
        return False
    agent = roster.get(ticket.agent_id) if ticket.agent_id else None
    return agent is not None and bool(agent.active) and agent.email.lower() == sender


def _count_reply(ticket_id: str, sender: str) -> None:
    """429-like refusal (logged and counted, nothing stored) past the limit for this sender on this ticket."""
    ratelimit.enforce(REPLIES_PER_SENDER, f"{ticket_id}|{sender}", "Too many emailed replies to this ticket.")


def _customer_reply(ticket_id: str, receipt: Receipt, email: InboundMail) -> str:
    _count_reply(ticket_id, email.sender)
    staged = _stage(ticket_id, "customer", email)
    try:  # the files' records go in the message's own transaction: stored with it or not at all
        entry = workflow.customer_reply(
            ticket_id, _text_with(email.text, staged), also=ticket_attachments.recorded_with(staged)
        )
    except Exception:  # refused, or the write failed: the files go too (a retry stages them again)
        ticket_attachments.discard(staged)
        raise
    _keep(ticket_id, "customer", receipt, email, entry.entry_id)
    return "CustomerReply"


def _agent_reply(ticket_id: str, receipt: Receipt, email: InboundMail) -> str:
    _count_reply(ticket_id, email.sender)
    first, _, rest = email.text.partition("\n")
    is_note = first.strip().lower() == NOTE_MARK
    ticket = workflow.get_ticket(ticket_id)
    body = rest.strip() if is_note else email.text
    staged = _stage(ticket_id, "agent", email)
    try:
        workflow.agent_action(
            ticket_id, str(ticket.agent_id), "note" if is_note else "reply", body=_text_with(body, staged),
            also=ticket_attachments.recorded_with(staged, internal=is_note),
        )
    except Exception:
        ticket_attachments.discard(staged)
        raise
    _keep(ticket_id, "agent", receipt, email, _latest_entry(ticket_id, "note" if is_note else "message"))
    return "AgentNote" if is_note else "AgentReply"


def _text_with(text: str, staged: list[ticket_attachments.StoredAttachment]) -> str:
    """A message that is only files (a screenshot with no words) still arrives, saying so."""
    return text if text.strip() or not staged else FILES_ONLY


def _latest_entry(ticket_id: str, kind: str) -> str | None:
    """The entry an agent's emailed action just added (agent_action answers with the ticket)."""
    made = [e for e in workflow.entries(ticket_id) if e.kind == kind and e.actor_type == "agent"]
    return made[-1].entry_id if made else None


def _stage(ticket_id: str, role: str, email: InboundMail) -> list[ticket_attachments.StoredAttachment]:
    """The mail's files written before its message is added (records follow the message); what was left
    out is logged and counted, never a reason to drop the message."""
    files = [ticket_attachments.MailedFile(f.filename, f.body) for f in email.files]
    staged, refused = ticket_attachments.stage_files(ticket_id, role, files) if files else ([], [])
    left_out = [*email.files_left_out, *refused]
    if left_out:
        logger.warning(
            "inbound mail: attachments left out",
            extra={"ticket": ticket_id, "left_out": len(left_out), "reasons": sorted(set(left_out))[:10]},
        )
        metrics.add_metric(name="InboundAttachmentLeftOut", unit=MetricUnit.Count, value=len(left_out))
    return staged


def _request(receipt: Receipt, email: InboundMail) -> str:
    """Mail without a valid token: onto the sender's own ticket by its number, else a new ticket."""
    support = f"{SUPPORT_MAILBOX}@{get_settings().inbound_domain}"
    addressed = [r for r in receipt.recipients if r.endswith(f"@{get_settings().inbound_domain}")]
    if not addressed:
        return "NotOurs"
    ticket = _own_ticket(email)
    if ticket is not None:
        return _customer_reply(ticket.ticket_id, receipt, email)
    categories = get_settings().ticket_categories
    request = intake.TicketRequest(
        name=email.sender_name, email=email.sender, subject=email.subject,
        description=email.text or "(no text)", category="general" if "general" in categories else categories[0],
    )
    intake.admit(request, email.sender)  # no client IP in mail: the sender counts as the client too
    ticket_id = intake.new_ticket_id()
    staged = _stage(ticket_id, "customer", email)
    try:  # the files' records go in the ticket's own transaction: stored with it or not at all
        created = intake.create_ticket(request, ticket_id=ticket_id, also=ticket_attachments.recorded_with(staged))
    except Exception:
        ticket_attachments.discard(staged)
        raise
    _keep(created.ticket_id, "customer", receipt, email)
    logger.info("ticket opened by email", extra={"ticket": created.ticket_id, "to_support": support in addressed})
    return "NewTicket"


def _own_ticket(email: InboundMail) -> Ticket | None:
    number = email.ticket_number
    if number is None:
        return None
    ticket_id = mail_thread.ticket_id_for_number(number)
    if ticket_id is None:
        return None
    try:
        ticket = workflow.get_ticket(ticket_id)
    except NotFound:
        return None
    return ticket if ticket.customer_email.lower() == email.sender else None


def _keep(ticket_id: str, role: str, receipt: Receipt, email: InboundMail, entry_id: str | None = None) -> None:
    """The original's key with the ticket, and its Message-ID in that side's thread."""
    now = iso_precise(utcnow())
    ReceivedMail(
        pk=mail_thread.thread_pk(ticket_id), sk=received_sk(now, receipt.message_id), ticket_id=ticket_id,
        role=role, sender=email.sender, object_key=receipt.object_key, received_at=now, entry_id=entry_id,
    ).save()
    if email.message_id:
        mail_thread.remember(ticket_id, role, email.message_id, direction="in")


def originals(ticket_id: str) -> list[ReceivedMail]:
    """The messages added to a ticket by email, oldest first, each with its original's key."""
    return list(ReceivedMail.query(mail_thread.thread_pk(ticket_id), ReceivedMail.sk.startswith(RECEIVED_PREFIX)))


def original_url(received: ReceivedMail, seconds: int = 300) -> str:
    """A short-lived link to download the original (served as a file, never inline)."""
    return blobs.download_url(
        get_settings().inbound_bucket, received.object_key, content_type="message/rfc822",
        disposition='attachment; filename="original.eml"', seconds=seconds,
    )
