"""Writing articles: each change is one transaction that also moves the "last changed" marker, so every
warm search index sees it on its next request; a slug, once given, leads to its article for good."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from pynamodb.exceptions import DoesNotExist, UpdateError
from pynamodb.transactions import TransactWrite

from pennydesk.helpcenter.records import (
    ARTICLES_PK,
    SLUG_SK,
    Article,
    ChangeMarker,
    SlugClaim,
    article_sk,
    change_marker,
    slug_claim,
    slug_pk,
)
from pennydesk.helpcenter.rendering import to_text
from pennydesk.helpcenter.slugs import candidates, slugify
from pennydesk.platform.clock import iso_precise, utcnow
from pennydesk.platform.dynamo import retrying, transaction
from pennydesk.platform.errors import Conflict, NotFound

FIELDS = ("title", "body", "category", "published")  # what a PATCH may change besides the slug
MAX_SLUGS = 20  # an article's own slugs are deleted with it in one transaction (at most 100 items)


@dataclass(frozen=True)
class Draft:
    title: str
    body: str
    category: str
    published: bool


@dataclass(frozen=True)
class Changes:
    """What a PATCH sends; None leaves a field as it is."""

    title: str | None = None
    body: str | None = None
    category: str | None = None
    published: bool | None = None
    slug: str | None = None


def _stage_change(tx: TransactWrite) -> None:
    tx.update(
        change_marker(),
        actions=[ChangeMarker.token.set(uuid.uuid4().hex), ChangeMarker.changed_at.set(iso_precise(utcnow()))],
    )


def _holder(slug: str) -> str | None:
    """The id of the article `slug` leads to, if any."""
    try:
        return SlugClaim.get(slug_pk(slug), SLUG_SK, consistent_read=True).article_id
    except DoesNotExist:
        return None


def _free_slug(title: str, article_id: str) -> str:
    for candidate in candidates(slugify(title)):
        if _holder(candidate) in (None, article_id):
            return candidate
    raise Conflict("Too many articles share this title; give this one another title.", field="title")


def create(draft: Draft, author: str) -> Article:
    article_id = uuid.uuid4().hex

    def attempt() -> Article:
        slug = _free_slug(draft.title, article_id)
        now = iso_precise(utcnow())
        article = Article(
            pk=ARTICLES_PK, sk=article_sk(article_id), article_id=article_id, title=draft.title, slug=slug,
            slugs=[slug], body=draft.body, text=to_text(draft.body), category=draft.category,
            published=draft.published, author=author, created_at=now, updated_at=now, version=1,
        )
        with transaction() as tx:
            tx.save(article, condition=Article.pk.does_not_exist())
            tx.save(slug_claim(slug, article_id), condition=SlugClaim.pk.does_not_exist())
            _stage_change(tx)
        return article

    return retrying(attempt)


def require(article_id: str) -> Article:
    try:
        return Article.get(ARTICLES_PK, article_sk(article_id), consistent_read=True)
    except DoesNotExist:
        raise NotFound("No such article.") from None


# What the index and the admins' list need: everything but the Markdown body (most of each item's size).
WITHOUT_BODY = (
    "pk", "sk", "article_id", "title", "slug", "slugs", "text", "category", "published", "author", "created_at",
    "updated_at", "version", "views", "helpful", "unhelpful",
)


def everything() -> list[Article]:
    """Every article, drafts too, without its body: one Query of the articles' partition."""
    return list(
        Article.query(
            ARTICLES_PK, Article.sk.startswith("ARTICLE#"), consistent_read=True, attributes_to_get=list(WITHOUT_BODY)
        )
    )


def published_by_slug(slug: str) -> Article:
    """The published article `slug` leads to (its current slug or any it had before)."""
    article_id = _holder(slug)
    if article_id is None:
        raise NotFound("No such article.")
    article = require(article_id)
    if not article.published:
        raise NotFound("No such article.")
    return article


def _new_slug(article: Article, wanted: str | None) -> str | None:
    if wanted is None or wanted == article.slug:
        return None
    if _holder(wanted) not in (None, article.article_id):
        raise Conflict("Another article has this address already.", field="slug")
    if wanted not in article.slugs and len(article.slugs) >= MAX_SLUGS:
        raise Conflict(f"An article keeps at most {MAX_SLUGS} addresses; reuse one it had.", field="slug")
    return wanted


def _apply(article: Article, changes: Changes, slug: str | None) -> list:
    """Change the article in hand as asked (a new version, now) and return the update's actions."""
    for name in FIELDS:
        if getattr(changes, name) is not None:
            setattr(article, name, getattr(changes, name))
    if changes.body is not None:
        article.text = to_text(changes.body)
    if slug is not None:
        article.slug = slug
        article.slugs = [s for s in article.slugs if s != slug] + [slug]
    article.version = int(article.version) + 1
    article.updated_at = iso_precise(utcnow())
    return [
        Article.title.set(article.title), Article.body.set(article.body), Article.text.set(article.text),
        Article.category.set(article.category), Article.published.set(article.published),
        Article.slug.set(article.slug), Article.slugs.set(article.slugs), Article.version.set(article.version),
        Article.updated_at.set(article.updated_at),
    ]


def update(article_id: str, changes: Changes) -> Article:
    def attempt() -> Article:
        article = require(article_id)
        seen = int(article.version)
        slug = _new_slug(article, changes.slug)
        if slug is None and all(getattr(changes, n) in (None, getattr(article, n)) for n in FIELDS):
            return article  # nothing to change: no write, and every warm index stays as it is
        actions = _apply(article, changes, slug)
        with transaction() as tx:
            tx.update(article, actions=actions, condition=Article.version == seen)
            if slug is not None:
                tx.save(
                    slug_claim(slug, article_id),
                    condition=SlugClaim.pk.does_not_exist() | (SlugClaim.article_id == article_id),
                )
            _stage_change(tx)
        return article

    return retrying(attempt)


def delete(article_id: str) -> None:
    """The article and every slug that led to it (they may be given to another article afterwards)."""

    def attempt() -> None:
        article = require(article_id)
        with transaction() as tx:
            tx.delete(article, condition=Article.version == int(article.version))
            for slug in article.slugs:
                tx.delete(slug_claim(slug), condition=SlugClaim.article_id == article_id)
            _stage_change(tx)

    retrying(attempt)


def count_view(article: Article) -> None:
    """One more reading of the article (admins see the count)."""
    try:
        article.update(actions=[Article.views.add(1)], condition=Article.pk.exists())
    except UpdateError as exc:
        if exc.cause_response_code != "ConditionalCheckFailedException":
            raise
        raise NotFound("No such article.") from None
