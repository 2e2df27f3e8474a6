"""Every page the site ships works under the strict Content-Security-Policy (script-src 'self', style-src
'self'): no inline scripts, styles or event handlers, and every page has its language, viewport and title.
The browser tests catch a violation on the pages they visit; this covers every page, visited or not."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest

SITE = Path(__file__).resolve().parents[2] / "infra" / "site"
PAGES = sorted(p for p in SITE.rglob("*.html") if "vendor" not in p.parts)


class PageFacts(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.inline: list[str] = []
        self.lang = ""
        self.viewport = False
        self.title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        if tag == "html":
            self.lang = named.get("lang") or ""
        if tag == "meta" and named.get("name") == "viewport":
            self.viewport = True
        if tag == "title":
            self.title = True
        if tag == "script" and not named.get("src"):
            self.inline.append("<script> without src")
        if tag == "style":
            self.inline.append("<style>")
        for name, value in attrs:
            if name == "style" or name.startswith("on"):
                self.inline.append(f"<{tag} {name}={value!r}>")
            if name in ("href", "src") and (value or "").strip().lower().startswith("javascript:"):
                self.inline.append(f"<{tag} {name}={value!r}>")


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(SITE)))
def test_the_page_needs_nothing_inline_and_declares_its_language_viewport_and_title(page: Path) -> None:
    facts = PageFacts()
    facts.feed(page.read_text(encoding="utf-8"))

    assert facts.inline == [], f"{page.name} has inline code the CSP blocks"
    assert facts.lang == "en"
    assert facts.viewport, "no viewport meta: phones would render it at desktop width"
    assert facts.title
