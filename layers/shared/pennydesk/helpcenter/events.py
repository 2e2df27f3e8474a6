"""What the pages tell the help center happened: an article opened (from the ticket form or not), and a
ticket raised after reading one. Counted, never stored per visitor."""

from __future__ import annotations

from pennydesk.helpcenter import articles, figures
from pennydesk.platform import ratelimit

ARTICLE_OPENED = "article_opened"
TICKET_AFTER_ARTICLE = "ticket_after_article"
# The pages report these without an account; a cap per address keeps one client from inflating the figures.
EVENTS_PER_IP = ratelimit.Limit("help-event-ip", hits=300, window_seconds=900, key=ratelimit.client_key)


def record(event: str, slug: str, from_form: bool, source_ip: str) -> None:
    ratelimit.enforce(EVENTS_PER_IP, source_ip, "Too many requests from here. Try again in a few minutes.")
    article = articles.published_by_slug(slug)
    if event == ARTICLE_OPENED:
        articles.count_view(article)
        if from_form:
            figures.count("opened_from_form")
    elif event == TICKET_AFTER_ARTICLE:
        figures.count("tickets_after_article")
    else:
        raise ValueError(event)
