"""What a ticket takes as an attachment: decided from the file's own bytes, never from its name or the type
its sender claimed.

Pure functions over values (tested in tests/unit without AWS). A file is one of the types below, read by
its first bytes (`filetype` for binary formats; UTF-8 text that is not markup for text); it is at most
10 MB; a ticket holds at most 50 (of an email, the first 10 are read: platform/email/inbound.py). Its name
is made safe to show and to save: no folders, no control or bidirectional characters, and an extension that
matches what it really is, so a PDF called `invoice.html` downloads as `invoice.html.pdf` and never opens
as a web page.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

from pennydesk.platform.errors import PayloadTooLarge, PennydeskError
from pennydesk.platform.text import BIDI_CONTROLS

MAX_BYTES = 10 * 1024 * 1024
MAX_PER_TICKET = 50
MAX_PENDING = MAX_PER_TICKET  # uploads started and not completed (abandoned ones go after a day)
SNIFF_BYTES = 8192  # enough for every signature filetype reads and to tell text from markup
MAX_NAME = 120

# Sniffed type -> the extensions a file of it may keep (the first is added when the name has none of them).
ALLOWED: dict[str, tuple[str, ...]] = {
    "image/png": (".png",),
    "image/jpeg": (".jpg", ".jpeg"),
    "image/gif": (".gif",),
    "image/webp": (".webp",),
    "application/pdf": (".pdf",),
    "text/plain": (".txt", ".log", ".text"),
    "text/csv": (".csv",),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (".docx",),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": (".xlsx",),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": (".pptx",),
    "application/vnd.oasis.opendocument.text": (".odt",),
    "application/vnd.oasis.opendocument.spreadsheet": (".ods",),
}
# Text a browser or a desktop would run or render as a page, whatever the name says.
MARKUP = re.compile(rb"<\s*(!doctype|html|head|body|script|svg|iframe|object|embed|\?xml|meta|style|a\s|img\s)",
                    re.IGNORECASE)


class Refused(PennydeskError):
    """A file the ticket does not take; the message says why, in words for the person who sent it."""


def check_size(size: int) -> None:
    if size <= 0:
        raise Refused("The file is empty.", field="file")
    if size > MAX_BYTES:
        raise PayloadTooLarge(f"Files are limited to {MAX_BYTES // (1024 * 1024)} MB each.", field="file")


def check_count(on_ticket: int, adding: int = 1) -> None:
    if on_ticket + adding > MAX_PER_TICKET:
        raise Refused(f"A ticket holds at most {MAX_PER_TICKET} attachments.", field="file")


def check_pending(started: int) -> None:
    if started >= MAX_PENDING:
        raise Refused(f"{started} uploads on this ticket are not finished yet: complete them first.", field="file")


def sniff(head: bytes, filename: str = "") -> str:
    """The content type of a file from its first bytes (at least SNIFF_BYTES of it, or all of a smaller
    file), or Refused. The name only tells CSV from plain text, both already known to be text."""
    if not head:
        raise Refused("The file is empty.", field="file")
    import filetype  # its matchers cost ~28 ms to import: loaded by the first file sniffed, not by every cold start

    kind = filetype.guess(head[:SNIFF_BYTES])
    if kind is not None:
        if kind.mime in ALLOWED:
            return str(kind.mime)
        raise Refused(f"Files of type {kind.mime} are not accepted; send {accepted_list()}.", field="file")
    text = _as_text(head[:SNIFF_BYTES])
    if text is None:
        raise Refused(f"The file's type could not be recognised; send {accepted_list()}.", field="file")
    if MARKUP.search(head[:SNIFF_BYTES]):
        raise Refused("Web pages, SVG images and scripts are not accepted as attachments.", field="file")
    return "text/csv" if filename.lower().endswith(".csv") else "text/plain"


def _as_text(head: bytes) -> str | None:
    """UTF-8 text (a character cut at the sniffing window's end is fine) without NUL bytes, else None."""
    if b"\x00" in head:
        return None
    try:
        return head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start >= len(head) - 3 and len(head) >= SNIFF_BYTES:
            return head[: exc.start].decode("utf-8", errors="strict")
        return None


def accepted_list() -> str:
    return "images (PNG, JPEG, GIF, WebP), PDF, plain text or CSV, or Office documents"


def safe_filename(name: str | None, content_type: str) -> str:
    """The name to show and to save: its last path part, normalised, without control or bidi characters,
    at most MAX_NAME characters, ending in an extension of the sniffed type."""
    base = re.split(r"[/\\]", name or "")[-1]
    base = unicodedata.normalize("NFC", base)
    base = "".join(
        ch for ch in base
        if ch not in BIDI_CONTROLS and unicodedata.category(ch) not in ("Cc", "Cf", "Zl", "Zp")
    )
    base = " ".join(base.split()).strip(" .")
    extensions = ALLOWED.get(content_type, ("",))
    if not base.lower().endswith(extensions):
        base = f"{base or 'attachment'}{extensions[0]}"
    if len(base) > MAX_NAME:
        stem, dot, extension = base.rpartition(".")
        base = f"{stem[: MAX_NAME - len(extension) - 1].rstrip(' .')}{dot}{extension}"
    return base


def size_text(size: int) -> str:
    """A size as people read it in an email: 812 B, 14 KB, 2.3 MB."""
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def content_disposition(filename: str) -> str:
    """Always a download, never shown inline: an ASCII fallback name and the real one (RFC 6266, 5987)."""
    fallback = "".join(ch if 32 <= ord(ch) < 127 and ch not in '"\\;%' else "_" for ch in filename)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"
