"""What the pages tell the help center happened: an article opened (from the ticket form or not), and a
ticket raised after reading one. Counted, never stored per visitor."""

from __future__ import annotations

from pennydesk.helpcenter import articles, figures

ARTICLE_OPENED = "article_opened"
TICKET_AFTER_ARTICLE = "ticket_after_article"


def record(event: str, slug: str, from_form: bool) -> None:
    article = articles.published_by_slug(slug)
    if event == ARTICLE_OPENED:
        articles.count_view(article)
        if from_form:
            figures.count("opened_from_form")
    elif event == TICKET_AFTER_ARTICLE:
        figures.count("tickets_after_article")
    else:
        raise ValueError(event)
