"""Articles' Markdown to HTML a browser may show: parsed by markdown-it (CommonMark, raw HTML off), then
cleaned by nh3 (Ammonia) to an allow-list, so nothing an author writes can run script on the help pages.

Both libraries load with the first Markdown rendered, not with this module: a search or the ticket stream's
confirmation (which use only `excerpt`) never pays their import (about 25 ms)."""

from __future__ import annotations

import html
import re
from functools import cache, lru_cache
from typing import TYPE_CHECKING

from pennydesk.helpcenter import image_rules

if TYPE_CHECKING:
    import nh3
    from markdown_it import MarkdownIt

ALLOWED_TAGS = frozenset({
    "p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "strong", "em", "del", "s", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "img", "table", "thead", "tbody", "tr", "th", "td",
})
ALLOWED_ATTRIBUTES = {
    "a": frozenset({"href", "title"}), "img": frozenset({"src", "alt", "title"}), "ol": frozenset({"start"}),
}
ALLOWED_URL_SCHEMES = frozenset({"http", "https", "mailto"})
# A heading of the article's own is a level below the page's title.
HEADING_SHIFT = {"<h1>": "<h2>", "</h1>": "</h2>"}


@cache
def _parser() -> MarkdownIt:
    from markdown_it import MarkdownIt

    # "html": False escapes raw HTML as text; markdown-it also refuses javascript:, vbscript: and file: links.
    return MarkdownIt("commonmark", {"html": False, "linkify": False}).enable(["table", "strikethrough"])


def _only_our_images(element: str, attribute: str, value: str) -> str | None:
    """An image loads only from this help center's own image route (an attached image, public while its
    article is published): never another site (tracking pixels, mixed content) and never data: or SVG."""
    if element == "img" and attribute == "src":
        return value if image_rules.image_id_of(value) else None
    return value


@cache
def _cleaner() -> nh3.Cleaner:
    import nh3

    return nh3.Cleaner(
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        attribute_filter=_only_our_images,
        url_schemes=set(ALLOWED_URL_SCHEMES),
        link_rel="noopener noreferrer nofollow",
    )


@lru_cache(maxsize=128)
def to_html(markdown: str) -> str:
    """The article's body as sanitised HTML; a warm container renders each version once (a pathological body
    of 50,000 characters takes up to a second)."""
    rendered = _parser().render(markdown)
    for old, new in HEADING_SHIFT.items():
        rendered = rendered.replace(old, new)
    return _cleaner().clean(rendered)


def to_text(markdown: str) -> str:
    """The article's words alone (for search and excerpts): rendered, every tag dropped, whitespace folded."""
    import nh3

    words = nh3.clean(_parser().render(markdown), tags=set())
    return re.sub(r"\s+", " ", html.unescape(words)).strip()


def excerpt(text: str, limit: int = 160) -> str:
    """The first words of `text`, cut at a word boundary with an ellipsis when longer than `limit`."""
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(",.;:") + "…"
