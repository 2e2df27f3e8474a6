"""Slugs: the readable part of an article's address, made once from its title and kept when the title
changes (links already shared keep working); every slug an article ever had still leads to it."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

MAX_LENGTH = 80
SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"


def slugify(title: str) -> str:
    """"Charged twice? Here's why" -> "charged-twice-here-s-why"; accents dropped, at most 80 characters."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    words = re.findall(r"[a-z0-9]+", ascii_title.lower())
    slug = "-".join(words)[:MAX_LENGTH].strip("-")
    return slug or "article"


def candidates(base: str) -> Iterator[str]:
    """`base`, then `base-2`, `base-3`, ...: the first one nobody holds becomes the article's slug."""
    yield base
    for n in range(2, 1000):
        suffix = f"-{n}"
        yield base[: MAX_LENGTH - len(suffix)].rstrip("-") + suffix
