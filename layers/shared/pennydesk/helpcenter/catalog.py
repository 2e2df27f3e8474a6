"""Reading the help center: the warm search index, rebuilt when the "last changed" marker moves.

Each request reads the marker (one consistent GetItem); while it is unchanged the index built from the
articles' partition is reused, so a warm function answers a search without reading any article.
"""

from __future__ import annotations

from dataclasses import dataclass

from pynamodb.exceptions import DoesNotExist

from pennydesk.helpcenter import articles, figures, search
from pennydesk.helpcenter.index import Document, Hit, SearchIndex, SearchUnavailable
from pennydesk.helpcenter.records import MARKER_PK, MARKER_SK, ChangeMarker
from pennydesk.identity import links

SUGGESTIONS = 5
RESULTS = 20
IN_CONFIRMATION = 2  # the confirmation email lists at most this many articles


@dataclass
class _Warm:
    token: str | None = None
    index: SearchIndex | None = None


_warm = _Warm()


def _marker() -> str | None:
    try:
        return ChangeMarker.get(MARKER_PK, MARKER_SK, consistent_read=True).token
    except DoesNotExist:
        return None


def documents() -> list[Document]:
    """The published articles, as the index holds them."""
    return [
        Document(
            article_id=a.article_id, slug=a.slug, title=a.title, text=a.text, category=a.category,
            updated_at=a.updated_at, helpful=int(a.helpful or 0),
        )
        for a in articles.everything()
        if a.published
    ]


def current_index() -> SearchIndex:
    """The index as of the latest article change: the warm one, or a new one when anything changed."""
    token = _marker()
    if _warm.index is None or _warm.token != token:
        _warm.index, _warm.token = SearchIndex(documents()), token
    return _warm.index


def find(query: str, category: str | None) -> list[Hit]:
    """`GET /api/help/articles`: the query's matches best first, or every article when it has no words."""
    search.check(query)
    index = current_index()  # first: a search the runtime cannot serve (no FTS5) is not counted
    if not search.terms(query):
        return index.listing(category=category)
    figures.count("searches")
    return index.search(query, category=category, limit=RESULTS)


def suggest(query: str) -> list[Hit]:
    """What the ticket form shows under the subject while the customer types it: up to five articles."""
    search.check(query)
    hits = current_index().search(query, limit=SUGGESTIONS, prefix=True)
    if hits:
        figures.count("suggestions_shown")
    return hits


@dataclass(frozen=True)
class ArticleLink:
    title: str
    url: str


def for_ticket(subject: str, description: str, limit: int = IN_CONFIRMATION) -> list[ArticleLink]:
    """The published articles that answer a ticket well enough, best first, as links to their pages: for the
    confirmation email and the agent's page. None where this runtime cannot search (the index logged why)."""
    try:
        hits = current_index().for_ticket(subject, description, limit)
    except SearchUnavailable:
        return []
    return [ArticleLink(title=hit.title, url=links.page("help/article.html", slug=hit.slug)) for hit in hits]

