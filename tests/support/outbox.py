"""Finding mail in the in-process stack's outbox, and the links it carries."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

from infra.local.engine import LocalStack

LINK = re.compile(r"https?://[^\s\"'<>]+")


def outbox_for(stack: LocalStack, address: str) -> list[dict[str, Any]]:
    """The messages in the local outbox addressed to `address`, oldest first."""
    wanted = address.lower()
    return [m for m in stack.outbox() if wanted in (a.lower() for a in m["to"])]


def links_in(text: str) -> list[str]:
    return LINK.findall(text)


def link_to(text: str, path: str) -> str:
    """The one link in `text` whose path is `path` (e.g. /ticket.html)."""
    found = [url for url in links_in(text) if urlsplit(url.replace("&amp;", "&")).path == path]
    assert len(found) >= 1, f"no link to {path} in:\n{text}"
    assert len(set(found)) == 1, f"more than one different link to {path}: {found}"
    return found[0].replace("&amp;", "&")


def query_of(url: str) -> dict[str, str]:
    """A link's parameters: those of its query and those of its fragment (where emailed links carry `token`)."""
    split = urlsplit(url)
    return {key: values[0] for key, values in (parse_qs(split.query) | parse_qs(split.fragment)).items()}
