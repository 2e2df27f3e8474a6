"""The search index: SQLite FTS5 in memory, built from the published articles and kept while the function
is warm. Porter stemming ("charged", "charges", "charging" are one word), bm25 ranking with a title match
worth more than a body match, one-letter typos fixed against the articles' own words.

FTS5 is compiled into the SQLite that CPython uses on Debian, Fedora and Amazon Linux 2023 (docs/performance.md
says where that was read), but it is an SQLite build option: where it is missing, search answers 503
"search unavailable" and logs an error, rather than a 500 or an engine error."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from aws_lambda_powertools import Logger

from pennydesk.helpcenter import search
from pennydesk.helpcenter.rendering import excerpt
from pennydesk.platform.errors import PennydeskError

logger = Logger(child=True)
ENGINE = "fts5"  # the virtual-table module the index needs from the SQLite this Python links

# bm25 weights per column (title, body): a word in the title counts ten times one in the body. A category
# of None matches every article.
# A result's excerpt is the article's opening, stored beside it: snippet() around the matches cost 0.3 ms a
# result on 700-word articles, more than the whole ranked search.
SEARCH = (
    "SELECT title, excerpt, slug, category, updated_at FROM articles "
    "WHERE articles MATCH ? AND (? IS NULL OR category = ?) ORDER BY bm25(articles, 10.0, 1.0) LIMIT ?"
)
LISTING = (
    "SELECT title, excerpt, slug, category, updated_at FROM articles WHERE (? IS NULL OR category = ?) "
    "ORDER BY helpful DESC, updated_at DESC LIMIT ?"
)
FOUND = "SELECT 1 FROM articles WHERE articles MATCH ? LIMIT 1"
RANKED = (
    "SELECT rowid, title, excerpt, slug, category, updated_at FROM articles WHERE articles MATCH ? "
    "ORDER BY bm25(articles, 10.0, 1.0) LIMIT ?"
)
HOLDING = "SELECT rowid FROM articles WHERE articles MATCH ?"
CANDIDATES_PER_RESULT = 10  # how far down the ranking `for_ticket` looks for articles that answer well enough


class SearchUnavailable(PennydeskError):
    """This runtime's SQLite lacks FTS5: the help center's search cannot run here (an operator's problem)."""

    status = 503
    code = "search_unavailable"


@dataclass(frozen=True)
class Document:
    """One published article as the index holds it: its words and what a result shows."""

    article_id: str
    slug: str
    title: str
    text: str
    category: str
    updated_at: str
    helpful: int = 0


@dataclass(frozen=True)
class Hit:
    slug: str
    title: str
    excerpt: str
    category: str
    updated_at: str


class SearchIndex:
    def __init__(self, documents: list[Document]) -> None:
        self._db = sqlite3.connect(":memory:", check_same_thread=False)
        try:
            self._db.execute(
                f"CREATE VIRTUAL TABLE articles USING {ENGINE}("
                "title, body, excerpt UNINDEXED, slug UNINDEXED, category UNINDEXED, updated_at UNINDEXED, "
                "helpful UNINDEXED, "
                "tokenize = 'porter unicode61 remove_diacritics 2')"
            )
        except sqlite3.OperationalError as exc:
            if "no such module" not in str(exc):
                raise
            logger.error("help search unavailable: this SQLite has no FTS5",
                         extra={"sqlite_version": sqlite3.sqlite_version, "error": str(exc)})
            raise SearchUnavailable("Search is unavailable right now; please try again later.") from exc
        self._db.executemany(
            "INSERT INTO articles (title, body, excerpt, slug, category, updated_at, helpful) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(d.title, d.text, excerpt(d.text), d.slug, d.category, d.updated_at, d.helpful) for d in documents],
        )
        self.vocabulary = search.vocabulary(f"{d.title} {d.text}" for d in documents)
        self._alphabet = sorted({ch for w in self.vocabulary for ch in w})
        self.size = len(documents)

    def search(self, query: str, *, category: str | None = None, limit: int = 20, prefix: bool = False) -> list[Hit]:
        """The published articles that match any of the query's words, best first; none for no words."""
        wanted = search.terms(query)
        if not wanted:
            return []
        alternatives = [[term, *self._fixes(term)] for term in wanted]
        still_typing = prefix and query[-1:].isalnum() and search.words(query)[-1] == wanted[-1]
        match = search.expression(alternatives, prefix_last=still_typing)
        rows = self._db.execute(SEARCH, [match, category, category, limit]).fetchall()
        return [Hit(slug=r[2], title=r[0], excerpt=r[1], category=r[3], updated_at=r[4]) for r in rows]

    def for_ticket(self, subject: str, description: str, limit: int) -> list[Hit]:
        """The articles that answer a ticket well enough (search.answers_ticket), best first; often none."""
        subject_terms, wanted = search.ticket_terms(subject, description)
        if not wanted:
            return []
        match = search.expression([[term] for term in wanted])
        ranked = self._db.execute(RANKED, [match, limit * CANDIDATES_PER_RESULT]).fetchall()
        holding = {
            term: {row[0] for row in self._db.execute(HOLDING, [search.quoted(term)])} for term in wanted
        }
        found = []
        for rowid, title, excerpt_, slug, category, updated_at in ranked:
            matched = {term for term, rows in holding.items() if rowid in rows}
            if search.answers_ticket(matched, subject_terms, wanted):
                found.append(Hit(slug=slug, title=title, excerpt=excerpt_, category=category, updated_at=updated_at))
        return found[:limit]

    def listing(self, *, category: str | None = None, limit: int = 200) -> list[Hit]:
        """Every published article (of a category), the most helpful first, then the newest."""
        rows = self._db.execute(LISTING, [category, category, limit]).fetchall()
        return [Hit(slug=r[2], title=r[0], excerpt=r[1], category=r[3], updated_at=r[4]) for r in rows]

    def _fixes(self, term: str) -> list[str]:
        """Nothing when the word (in any form the stemmer knows) is in some article; else its one-typo fixes."""
        found = self._db.execute(FOUND, [search.quoted(term)]).fetchone()
        return [] if found else search.typo_fixes(term, self.vocabulary, self._alphabet)
