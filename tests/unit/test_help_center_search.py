"""The help center's pure rules: what a search becomes before the engine sees it, how the index ranks,
slugs, and what the Markdown sanitiser lets through. No moto: SQLite in memory and plain functions."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from pennydesk.helpcenter import search
from pennydesk.helpcenter.index import Document, SearchIndex
from pennydesk.helpcenter.rendering import ALLOWED_TAGS, excerpt, to_html, to_text
from pennydesk.helpcenter.slugs import candidates, slugify
from pennydesk.platform.errors import PennydeskError

ARTICLES = [
    Document("1", "charged-twice", "Charged twice for one order",
             "If your card shows two charges, the second is a hold that disappears in a few days.", "billing", "1"),
    Document("2", "refunds", "Refunds", "How refunds work. We refund within five days when charging fails twice.",
             "billing", "2"),
    Document("3", "reset-password", "Reset your password", "Open the sign-in page and ask for a new link.",
             "technical", "3", helpful=4),
    Document("4", "opening-hours", "Opening hours", "We answer every day; a charge question waits a day at most.",
             "general", "4"),
]


@pytest.fixture(scope="module")
def index() -> SearchIndex:
    return SearchIndex(ARTICLES)


def slugs(hits: list) -> list[str]:
    return [hit.slug for hit in hits]


def test_a_query_keeps_its_meaningful_words_once_each_in_order() -> None:
    assert search.terms("I was charged twice, TWICE!") == ["charged", "twice"]
    assert search.terms("what is this") == ["what", "is", "this"]  # only stop words: keep them
    assert search.terms("   ") == []


def test_the_engines_own_syntax_is_never_passed_on() -> None:
    for typed in ('NEAR(card charge)', 'card*', '"card', '-card', 'title:card', 'card AND (charge OR x)', "^card"):
        expression = search.expression([[t] for t in search.terms(typed)])
        assert all(part.startswith('("') or part == "OR" for part in expression.split()), expression
        assert "NEAR(" not in expression and ":" not in expression and "-" not in expression


def test_each_term_is_quoted_with_its_typo_fixes_and_the_last_may_be_a_prefix() -> None:
    assert search.expression([["chraged", "charged"], ["twice"]]) == '("chraged" OR "charged") OR ("twice")'
    assert search.expression([["card"], ["cha"]], prefix_last=True) == '("card") OR ("cha" OR "cha"*)'


def test_a_query_longer_than_anyone_types_or_with_control_characters_is_refused() -> None:
    assert search.check("x" * search.MAX_QUERY_CHARS) == "x" * search.MAX_QUERY_CHARS
    for bad in ("x" * 5000, "card\x00", "card\x1b[31m", "card\u202e", "line\nbreak"):
        with pytest.raises(PennydeskError) as refused:
            search.check(bad)
        assert refused.value.status == 422 and refused.value.field == "q"


def test_one_letter_typos_are_one_edit_away() -> None:
    vocabulary = {"charged", "twice", "refund", "card"}
    alphabet = sorted({ch for word in vocabulary for ch in word})
    assert search.typo_fixes("chraged", vocabulary, alphabet) == ["charged"]  # two letters swapped
    assert search.typo_fixes("refnd", vocabulary, alphabet) == ["refund"]  # one left out
    assert search.typo_fixes("twicex", vocabulary, alphabet) == ["twice"]  # one too many
    assert search.typo_fixes("chargxd", vocabulary, alphabet) == ["charged"]  # one wrong
    assert search.typo_fixes("chrgd", vocabulary, alphabet) == []  # two away
    assert search.typo_fixes("crd", vocabulary, alphabet) == []  # short words are not guessed at


def test_words_in_any_form_find_the_article(index: SearchIndex) -> None:
    for typed in ("charged", "charges", "charging", "charge"):
        assert "charged-twice" in slugs(index.search(typed)), typed


def test_a_title_match_ranks_above_a_body_match(index: SearchIndex) -> None:
    assert slugs(index.search("refund"))[0] == "refunds"
    assert slugs(index.search("charge"))[0] == "charged-twice"


def test_word_order_does_not_matter_and_more_words_matched_rank_first(index: SearchIndex) -> None:
    assert slugs(index.search("I was charged twice"))[0] == "charged-twice"
    assert slugs(index.search("twice charged"))[0] == "charged-twice"


def test_a_one_letter_typo_still_finds_the_article(index: SearchIndex) -> None:
    assert slugs(index.search("chraged twcie"))[0] == "charged-twice"
    assert slugs(index.search("pasword"))[0] == "reset-password"


def test_operators_and_nonsense_give_nothing_rather_than_an_error(index: SearchIndex) -> None:
    for typed in ('NEAR(zebra quokka)', '*', '"', "-", "''", "zebra* OR -", "(((("):
        assert index.search(typed) == [], typed


def test_the_word_being_typed_matches_as_a_prefix_while_suggesting(index: SearchIndex) -> None:
    assert slugs(index.search("passw", prefix=True)) == ["reset-password"]
    assert index.search("passw") == []


def test_a_category_narrows_the_results(index: SearchIndex) -> None:
    assert set(slugs(index.search("charge"))) >= {"charged-twice", "opening-hours"}
    assert slugs(index.search("charge", category="general")) == ["opening-hours"]


def test_without_words_the_listing_shows_the_most_helpful_then_the_newest(index: SearchIndex) -> None:
    assert slugs(index.listing()) == ["reset-password", "opening-hours", "refunds", "charged-twice"]
    assert slugs(index.listing(category="billing")) == ["refunds", "charged-twice"]


def test_a_slug_is_made_from_the_title_and_numbered_when_taken() -> None:
    assert slugify("Charged twice? Here's why") == "charged-twice-here-s-why"
    assert slugify("Café crème — à emporter") == "cafe-creme-a-emporter"
    assert slugify("!!!") == "article"
    assert len(slugify("word " * 40)) <= 80
    first = candidates("charged-twice")
    assert [next(first) for _ in range(3)] == ["charged-twice", "charged-twice-2", "charged-twice-3"]


@pytest.mark.parametrize(
    "markdown",
    [
        "<script>alert(1)</script>",
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        "[click](&#106;avascript:alert(1))",
        '<a href="javascript:alert(1)">x</a>',
        "<img src=x onerror=alert(1)>",
        '<svg onload="alert(1)"><script>alert(1)</script></svg>',
        "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
        '<iframe src="https://evil.example"></iframe>',
        "<details open ontoggle=alert(1)>",
        "[x](vbscript:msgbox(1))",
    ],
)
def test_nothing_an_author_writes_can_run_script(markdown: str) -> None:
    markup = Markup.of(to_html(f"Before\n\n{markdown}\n\nAfter"))
    assert markup.tags <= ALLOWED_TAGS, markup.tags
    assert not {"script", "svg", "iframe", "details", "img"} & markup.tags  # escaped: shown as text
    assert not [name for name, _ in markup.attributes if name.startswith("on")]
    assert all(urlsplit(value).scheme in ("", "http", "https", "mailto") for _, value in markup.links)


class Markup(HTMLParser):
    """The elements and attributes a browser would build from the HTML (text is only text)."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.attributes: list[tuple[str, str]] = []

    @classmethod
    def of(cls, html: str) -> Markup:
        parser = cls()
        parser.feed(html)
        return parser

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attributes += [(name, value or "") for name, value in attrs]

    @property
    def links(self) -> list[tuple[str, str]]:
        return [(name, value) for name, value in self.attributes if name in ("href", "src")]


def test_markdown_becomes_the_usual_formatting_and_links_open_safely() -> None:
    table = "| a | b |\n|---|---|\n| 1 | 2 |"
    html = to_html(f"# Title\n\n**bold**, [docs](https://example.com)\n\n- one\n- two\n\n{table}")
    assert "<h2>Title</h2>" in html and "<strong>bold</strong>" in html and "<li>one</li>" in html
    assert '<a href="https://example.com" rel="noopener noreferrer nofollow">docs</a>' in html
    assert "<table>" in html and "<td>1</td>" in html


def test_the_searchable_text_and_excerpt_are_the_words_alone() -> None:
    text = to_text("# Charged twice\n\nIf your *card* shows <b>two</b> charges & more")
    assert text == "Charged twice If your card shows <b>two</b> charges & more"
    assert excerpt("word " * 100, limit=20) == "word word word word…"
    assert excerpt("short", limit=20) == "short"


def test_the_vocabulary_holds_the_same_words_a_search_cuts_out() -> None:
    texts = ["Charged twice… “really”?", "Refund—charged, CHARGED; naïve café_bar"]
    assert search.vocabulary(texts) == {w for text in texts for w in search.words(text)}
    assert search.vocabulary(texts) == {"charged", "twice", "really", "refund", "naïve", "café", "bar"}


def test_a_report_covers_the_30_days_ending_today_unless_told_and_refuses_a_bad_range() -> None:
    from datetime import date

    from pennydesk.helpcenter.figures import days_between

    today = date(2026, 12, 2)
    default = days_between(None, None, today)
    assert (default.start, default.end, default.days) == (date(2026, 11, 3), today, 30)
    assert days_between("2026-01-01", "2026-12-31", today).days == 365
    for start, end, field in (("2026-12-02", "2026-12-01", "from"), ("2025-01-01", "2026-12-01", "from"),
                              ("2026-02-30", None, "from"), (None, "2026-13-01", "to")):
        with pytest.raises(PennydeskError) as refused:
            days_between(start, end, today)
        assert refused.value.field == field


def test_this_runtimes_sqlite_has_fts5_with_the_porter_tokenizer() -> None:
    """What the index needs; checked where the tests run (Lambda's own runtime: docs/performance.md)."""
    import sqlite3

    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE t USING fts5(x, tokenize = 'porter unicode61')")
    db.execute("INSERT INTO t VALUES ('charging')")
    assert db.execute("SELECT count(*) FROM t WHERE t MATCH 'charged'").fetchone() == (1,)


def test_without_fts5_the_index_says_search_is_unavailable_and_logs_why(monkeypatch: pytest.MonkeyPatch) -> None:
    """SQLite built without FTS5 refuses `USING fts5` with "no such module"; a module this SQLite lacks makes
    it give that very error."""
    from pennydesk.helpcenter import index as index_module

    logged: list[tuple[str, dict]] = []
    monkeypatch.setattr(index_module, "ENGINE", "fts5_not_compiled_in")
    monkeypatch.setattr(index_module.logger, "error", lambda message, extra: logged.append((message, extra)))
    with pytest.raises(index_module.SearchUnavailable) as refused:
        SearchIndex(ARTICLES)
    assert refused.value.status == 503 and refused.value.code == "search_unavailable"
    assert "unavailable" in refused.value.message
    assert len(logged) == 1 and "FTS5" in logged[0][0]
    assert "no such module: fts5_not_compiled_in" in logged[0][1]["error"]
