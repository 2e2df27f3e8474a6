"""Reading an email that came in: who sent it, to whom, its subject and only its new text.

Pure functions over the raw RFC 5322 bytes (the stdlib `email` package with policy=default). Quoted
history and signatures are cut by mail-parser-reply, which knows the reply headers of Gmail, Outlook, Apple
Mail and Thunderbird in many languages. Anything that can't be read safely raises UnreadableMail with a
reason fit for a log line; nothing here stores or sends anything.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from email import errors, message_from_bytes, policy
from email.errors import HeaderParseError
from email.message import EmailMessage
from email.utils import getaddresses, parseaddr

import nh3
from mailparser_reply import EmailReplyParser

from pennydesk.platform.addresses import mailbox
from pennydesk.platform.email.render import one_line
from pennydesk.platform.text import BIDI_CONTROLS, has_control_characters

# SES receiving takes up to 40 MB; a reply to a ticket is text, so anything bigger is refused unread.
MAX_MESSAGE_BYTES = 25 * 1024 * 1024
MAX_TEXT = 20_000  # the ticket's own limit for a message
MAX_SUBJECT = 200
# mail-parser-reply's languages: the reply headers ("On … wrote:", "Am … schrieb …:") it recognises.
LANGUAGES = ["en", "de", "fr", "nl", "es", "it", "sv", "da", "pl", "cs"]
NO_REPLY_SENDERS = ("mailer-daemon", "postmaster")
LIST_PRECEDENCE = frozenset({"bulk", "junk", "list"})
# Structure a reader can't trust: the parts of such a message are guesses.
BROKEN_STRUCTURE = (
    errors.NoBoundaryInMultipartDefect,
    errors.StartBoundaryNotFoundDefect,
    errors.MultipartInvariantViolationDefect,
    errors.CloseBoundaryNotFoundDefect,
)
# A message's files: the first ten are read, the rest counted and left (a reply with 500 attachments is a
# robot or an attack, not a customer).
MAX_ATTACHMENTS = 10
TICKET_NUMBER = re.compile(r"\[#(\d{1,9})\]")
# A line opening with words in /italics/, as Thunderbird's plain text writes them ("/Anna", a sign-off, has no "/").
THUNDERBIRD_ITALICS = re.compile(r"^\s*/[^/\s][^/]*[^/\s]/|^\s*/[^/\s]/")
# What mail-parser-reply leaves (found with the real replies in tests/fixtures/mail): Outlook's separator
# line before the quoted header block ("-----Original Message-----", "-----Ursprüngliche Nachricht-----",
# a row of underscores), and the "sent from my phone" lines mobile clients put under a reply.
SEPARATOR = re.compile(r"^\s*(-{3,}[^-].*[^-]-{3,}|_{8,})\s*$")
MOBILE_SIGNATURE = re.compile(
    r"^\s*(sent from my|envoy[ée] (de|depuis|à partir de) mon|von meinem .* gesendet|gesendet (von|mit) |"
    r"enviado desde|inviato da|verzonden (vanaf|met)|get outlook for|télécharger outlook pour|outlook für )",
    re.IGNORECASE,
)


class UnreadableMail(ValueError):
    """The message can't be read safely; str() says why, for the log."""


@dataclass(frozen=True)
class MailedFile:
    filename: str | None  # as sent; the desk makes it safe
    body: bytes


@dataclass(frozen=True)
class InboundMail:
    sender: str  # the From mailbox, checked and lower-cased
    sender_name: str  # its display name (or the mailbox's local part), one line, no control characters
    subject: str
    text: str  # only the new text: quoted history and signature removed
    message_id: str | None
    automated: str | None  # why it is automated mail (never answered, never recorded), else None
    files: tuple[MailedFile, ...] = ()  # its attachments, at most MAX_ATTACHMENTS, decoded, never unpacked
    files_left_out: tuple[str, ...] = ()  # why each other attachment was not read (one each), for the log

    @property
    def ticket_number(self) -> int | None:
        """`[#1042]` in the subject, as every ticket email carries it."""
        found = TICKET_NUMBER.search(self.subject)
        return int(found.group(1)) if found else None


def parse(raw: bytes, *, return_path: str | None = None) -> InboundMail:
    """One email as read for the desk, or UnreadableMail."""
    if len(raw) > MAX_MESSAGE_BYTES:
        raise UnreadableMail(f"message is {len(raw):,} bytes; the limit is {MAX_MESSAGE_BYTES:,}")
    try:
        message = message_from_bytes(raw, policy=policy.default)
        assert isinstance(message, EmailMessage)
        _check_structure(message)
        sender_name, sender = _sender(message)
        subject = _subject(message)
        automated = automated_reason(message, return_path, sender)
        text = "" if automated else new_text(_body(message))
        message_id = _header(message, "Message-ID") or None
        files, left_out = ((), ()) if automated else attached_files(message)
    except UnreadableMail:
        raise
    except (HeaderParseError, LookupError, UnicodeError, ValueError, TypeError, AttributeError) as exc:
        raise UnreadableMail(f"malformed message: {type(exc).__name__}") from exc
    return InboundMail(sender, sender_name, subject, text, message_id, automated, files, left_out)


def attached_files(message: EmailMessage) -> tuple[tuple[MailedFile, ...], tuple[str, ...]]:
    """The message's attachments, decoded (the first MAX_ATTACHMENTS), and why any other was left out: a
    part that can't be decoded is skipped, never the whole message."""
    parts = [
        p for p in message.walk()
        if not p.is_multipart() and (p.is_attachment() or (p.get_filename() and p.get_content_maintype() != "text"))
    ]
    files: list[MailedFile] = []
    left_out: list[str] = []
    for part in parts[:MAX_ATTACHMENTS]:
        broken = [type(d).__name__ for d in part.defects]
        try:
            body = part.get_payload(decode=True)
            filename = part.get_filename()
        except (HeaderParseError, LookupError, UnicodeError, ValueError, TypeError) as exc:
            left_out.append(f"unreadable attachment: {type(exc).__name__}")
            continue
        if broken or not isinstance(body, bytes) or not body:
            left_out.append(f"unreadable attachment: {', '.join(broken) or 'empty'}")
            continue
        files.append(MailedFile(filename, body))
    left_out += [f"past the first {MAX_ATTACHMENTS} attachments"] * max(0, len(parts) - MAX_ATTACHMENTS)
    return tuple(files), tuple(left_out)


def _check_structure(message: EmailMessage) -> None:
    for part in message.walk():
        broken = [type(d).__name__ for d in part.defects if isinstance(d, BROKEN_STRUCTURE)]
        if broken:
            raise UnreadableMail(f"malformed MIME: {', '.join(broken)}")


def _header(message: EmailMessage, name: str) -> str:
    value = message.get(name)
    return one_line(str(value)) if value is not None else ""


def _sender(message: EmailMessage) -> tuple[str, str]:
    froms = message.get_all("From") or []
    if len(froms) != 1:
        raise UnreadableMail(f"{len(froms)} From headers")
    raw_from = str(froms[0])
    if has_control_characters(raw_from, allowed=""):
        raise UnreadableMail("control characters in From")
    pairs = getaddresses([raw_from])
    if len(pairs) != 1 or not pairs[0][1]:
        raise UnreadableMail("From is not one mailbox")
    name, address = pairs[0]
    try:
        checked = mailbox(address)
    except ValueError as exc:
        raise UnreadableMail("From is not a valid address") from exc
    name = one_line(name)[:120] or checked.split("@")[0]
    return name, checked


def _subject(message: EmailMessage) -> str:
    subject = "".join(ch for ch in _header(message, "Subject") if not has_control_characters(ch, allowed=""))
    return subject[:MAX_SUBJECT].strip() or "(no subject)"


def automated_reason(message: EmailMessage, return_path: str | None, sender: str) -> str | None:
    """RFC 3834 and the headers robots set: such mail is never added to a ticket and never answered."""
    auto_submitted = _header(message, "Auto-Submitted").lower()
    if auto_submitted and auto_submitted != "no":
        return f"Auto-Submitted: {auto_submitted}"
    precedence = _header(message, "Precedence").lower()
    if precedence in LIST_PRECEDENCE:
        return f"Precedence: {precedence}"
    for header in ("X-Autoreply", "X-Autorespond"):
        if message.get(header) is not None:
            return header
    if message.get("List-Id") is not None or message.get("List-Unsubscribe") is not None:
        return "mailing list"
    if sender.split("@")[0] in NO_REPLY_SENDERS:
        return "bounce (from MAILER-DAEMON)"
    if return_path is not None and parseaddr(return_path)[1] == "" and return_path.strip() in ("", "<>"):
        return "bounce (empty Return-Path)"
    header_path = message.get("Return-Path")
    if header_path is not None and str(header_path).strip() == "<>":
        return "bounce (empty Return-Path)"
    if message.get_content_type() == "multipart/report":
        return "delivery report"
    return None


def _body(message: EmailMessage) -> str:
    """The text part, or the HTML part as plain text (scripts, styles and tags removed)."""
    plain = message.get_body(preferencelist=("plain",))
    if plain is not None:
        return str(plain.get_content())
    rich = message.get_body(preferencelist=("html",))
    if rich is not None:
        return html_to_text(str(rich.get_content()))
    return ""


def html_to_text(markup: str) -> str:
    """HTML mail as the text a reader sees: block ends become line breaks, every tag and script goes."""
    markup = re.sub(r"(?i)<br\s*/?>|</(p|div|li|tr|h[1-6]|blockquote)>", "\n", markup)
    cleaned = nh3.clean(markup, tags=set(), clean_content_tags={"script", "style", "head", "title"})
    return html.unescape(cleaned)


def new_text(body: str) -> str:
    """Only what the sender wrote this time, without control characters, within the ticket's limit."""
    body = body.replace("\r\n", "\n").replace("\r", "\n")
    latest = _without_trailing_quote(_latest_reply(body))
    text = "".join(ch for ch in latest if ch in "\n\t" or not (has_control_characters(ch) or ch in BIDI_CONTROLS))
    text = re.sub(r"\n{3,}", "\n\n", text).strip()
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 2].rstrip() + " …"


def _latest_reply(body: str) -> str:
    """The parser's latest reply, signature cut. Its Swedish sign-off rule ("/Anna") also takes a line that
    Thunderbird writes for italics ("/important/") as a signature, which would lose everything after it: such
    a line and what follows are read again, so only a real signature below it is cut."""
    parsed = EmailReplyParser(languages=LANGUAGES).read(body)
    if not parsed.replies:
        return body
    reply = parsed.replies[0]
    first, _, rest = reply.signatures.partition("\n")
    if not THUNDERBIRD_ITALICS.match(first):
        return reply.body
    parts = (reply.body, first.strip(), _latest_reply(rest) if rest.strip() else "")
    return "\n\n".join(part for part in parts if part)


def _without_trailing_quote(text: str) -> str:
    """Cut at Outlook's separator line, then drop what trails the reply: a quoted block (`> …` lines) no
    "On … wrote:" line introduced, and a mobile client's "sent from my phone" line."""
    lines = text.rstrip().split("\n")
    for index, line in enumerate(lines):
        if SEPARATOR.match(line):
            lines = lines[:index]
            break
    while lines and (lines[-1].lstrip().startswith(">") or not lines[-1].strip() or MOBILE_SIGNATURE.match(lines[-1])):
        lines.pop()
    return "\n".join(lines)
