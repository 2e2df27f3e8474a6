"""What an article takes as an image, decided from the file's own bytes: PNG, JPEG, GIF or WebP (never SVG,
which can carry script), at most 10 MB; and the one address an article's HTML may load an image from.
Pure functions over values."""

from __future__ import annotations

import re

import filetype

from pennydesk.platform.errors import PayloadTooLarge, PennydeskError

MAX_BYTES = 10 * 1024 * 1024
SNIFF_BYTES = 8192
TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
ROUTE = "/api/help/images/"
IMAGE_SRC = re.compile(r"^/api/help/images/([0-9a-f]{32})$")


class NotAnImage(PennydeskError):
    """A file an article does not take as an image (422), said in words for its author."""


def sniff(data: bytes) -> str:
    """The image's type from its first bytes, or a clear refusal (422 for a wrong type, 413 past 10 MB)."""
    if not data:
        raise NotAnImage("The file is empty.", field="file")
    if len(data) > MAX_BYTES:
        raise PayloadTooLarge(f"Images are limited to {MAX_BYTES // (1024 * 1024)} MB.", field="file")
    kind = filetype.guess(data[:SNIFF_BYTES])
    if kind is None or kind.mime not in TYPES:
        raise NotAnImage("Send a PNG, JPEG, GIF or WebP image.", field="file")
    return str(kind.mime)


def src(image_id: str) -> str:
    return f"{ROUTE}{image_id}"


def image_id_of(url: str) -> str | None:
    """The image's id when `url` is exactly this help center's image address, else None."""
    found = IMAGE_SRC.fullmatch(url)
    return found.group(1) if found else None


def alt_text(filename: str | None) -> str:
    """Alt text to start from: the file's name without its extension, kept to words Markdown won't misread."""
    stem = (filename or "").rsplit("/", 1)[-1].rsplit(".", 1)[0]
    words = re.sub(r"[^\w\s-]", " ", stem).replace("_", " ")
    return " ".join(words.split())[:80] or "image"


def markdown(alt: str, image_id: str) -> str:
    """What the author inserts into the body."""
    return f"![{alt}]({src(image_id)})"
