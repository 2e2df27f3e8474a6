"""'Did this answer your question?': one vote per visitor and article, without an account. The visitor is a
random id the browser keeps; the vote is a conditional put, so answering again changes nothing."""

from __future__ import annotations

from pynamodb.exceptions import TransactWriteError

from pennydesk.helpcenter import figures
from pennydesk.helpcenter.articles import published_by_slug
from pennydesk.helpcenter.records import Article, Vote, article_key, vote
from pennydesk.platform import ratelimit
from pennydesk.platform.clock import iso, utcnow
from pennydesk.platform.dynamo import cancellation_codes, retrying, transaction
from pennydesk.platform.errors import Conflict

# Visitor ids are made by the browser, so one address could vote again and again under new ids; this caps it
# far above what a household reading articles does.
VOTES_PER_IP = ratelimit.Limit("help-vote-ip", hits=60, window_seconds=900, key=ratelimit.client_key)


def cast(slug: str, visitor_id: str, helpful: bool, source_ip: str) -> None:
    """Count the visitor's answer for the article, the article's tally and the day's figures together."""
    ratelimit.enforce(VOTES_PER_IP, source_ip, "Too many answers from here. Try again in a few minutes.")
    article = published_by_slug(slug)
    ballot = vote(article.article_id, visitor_id)
    ballot.helpful = helpful
    ballot.voted_at = iso(utcnow())
    tally = Article.helpful if helpful else Article.unhelpful

    def attempt() -> None:
        with transaction() as tx:
            tx.save(ballot, condition=Vote.pk.does_not_exist())
            tx.update(article_key(article.article_id), actions=[tally.add(1)], condition=Article.pk.exists())
            figures.stage(tx, "helpful_votes" if helpful else "unhelpful_votes")

    try:
        retrying(attempt, retry_on={"TransactionConflict"}, final={"ConditionalCheckFailed"})
    except TransactWriteError as exc:
        if "ConditionalCheckFailed" not in cancellation_codes(exc):
            raise
        raise Conflict("You already answered for this article. Thank you!") from None
