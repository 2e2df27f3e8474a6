"""Articles table: the articles (one partition, so the search index is one Query), the slugs that lead to
them, one vote per visitor and article, the "last changed" marker and the daily deflection figures.

Every key of the table is built here and nowhere else.
"""

from __future__ import annotations

from pynamodb.attributes import BooleanAttribute, ListAttribute, NumberAttribute, UnicodeAttribute

from pennydesk.platform.dynamo import KeyedModel, table_meta
from pennydesk.platform.settings import get_settings

ARTICLES_PK = "ARTICLES"
SLUG_SK = "SLUG"
VISITOR_SK_PREFIX = "VISITOR#"
MARKER_PK, MARKER_SK = "CHANGES", "ARTICLES"
SETTINGS_PK, SETTINGS_SK = "SETTINGS", "HELP"
FIGURES_PK = "FIGURES"


def article_sk(article_id: str) -> str:
    return f"ARTICLE#{article_id}"


def slug_pk(slug: str) -> str:
    return f"SLUG#{slug}"


def vote_pk(article_id: str) -> str:
    return f"VOTE#{article_id}"


def visitor_sk(visitor_id: str) -> str:
    return f"{VISITOR_SK_PREFIX}{visitor_id}"


def day_sk(day: str) -> str:
    return f"DAY#{day}"


IMAGE_SK = "IMAGE"


def image_pk(image_id: str) -> str:
    return f"IMAGE#{image_id}"


def image_object_key(article_id: str, image_id: str) -> str:
    """Where an article's image lives in the attachments bucket (the API may write only under articles/)."""
    return f"articles/{article_id}/{image_id}"


class Article(KeyedModel):
    """pk=ARTICLES, sk=ARTICLE#<id>. `slugs` lists every slug it ever had (the current one last)."""

    Meta = table_meta(get_settings().articles_table)

    article_id = UnicodeAttribute()
    title = UnicodeAttribute()
    slug = UnicodeAttribute()
    slugs = ListAttribute(of=UnicodeAttribute, default=list)
    body = UnicodeAttribute()
    text = UnicodeAttribute(default="")  # the body's words alone, made once per write for the search index
    category = UnicodeAttribute()
    published = BooleanAttribute(default=False)
    author = UnicodeAttribute()
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    version = NumberAttribute(default=1)
    views = NumberAttribute(default=0)
    helpful = NumberAttribute(default=0)
    unhelpful = NumberAttribute(default=0)


def article_key(article_id: str) -> Article:
    return Article(pk=ARTICLES_PK, sk=article_sk(article_id))


class SlugClaim(KeyedModel):
    """pk=SLUG#<slug>: makes a slug lead to one article, for good (a conditional put guards it)."""

    Meta = table_meta(get_settings().articles_table)

    article_id = UnicodeAttribute()


def slug_claim(slug: str, article_id: str | None = None) -> SlugClaim:
    claim = SlugClaim(pk=slug_pk(slug), sk=SLUG_SK)
    if article_id is not None:
        claim.article_id = article_id
    return claim


class Vote(KeyedModel):
    """pk=VOTE#<article id>, sk=VISITOR#<visitor id>: put only if absent, so a visitor votes once."""

    Meta = table_meta(get_settings().articles_table)

    helpful = BooleanAttribute()
    voted_at = UnicodeAttribute()


def vote(article_id: str, visitor_id: str) -> Vote:
    return Vote(pk=vote_pk(article_id), sk=visitor_sk(visitor_id))


class ChangeMarker(KeyedModel):
    """One item whose `token` changes with every article write: a warm index compares it per request."""

    Meta = table_meta(get_settings().articles_table)

    token = UnicodeAttribute(null=True)
    changed_at = UnicodeAttribute(null=True)


def change_marker() -> ChangeMarker:
    return ChangeMarker(pk=MARKER_PK, sk=MARKER_SK)


class ArticleImage(KeyedModel):
    """pk=IMAGE#<id>, sk=IMAGE: an image an author attached to an article; public only while it is published."""

    Meta = table_meta(get_settings().articles_table)

    image_id = UnicodeAttribute()
    article_id = UnicodeAttribute()
    content_type = UnicodeAttribute()
    size = NumberAttribute()
    author = UnicodeAttribute()
    created_at = UnicodeAttribute()


class HelpSettings(KeyedModel):
    """pk=SETTINGS, sk=HELP: what admins decided about the help center (absent: the defaults)."""

    Meta = table_meta(get_settings().articles_table)

    agents_may_write = BooleanAttribute(default=False)
    changed_by = UnicodeAttribute(null=True)
    changed_at = UnicodeAttribute(null=True)


def help_settings() -> HelpSettings:
    return HelpSettings(pk=SETTINGS_PK, sk=SETTINGS_SK)


class DailyFigures(KeyedModel):
    """pk=FIGURES, sk=DAY#<YYYY-MM-DD> (UTC): what the help center saved the desk that day, by atomic ADDs."""

    Meta = table_meta(get_settings().articles_table)

    searches = NumberAttribute(default=0)
    suggestions_shown = NumberAttribute(default=0)
    opened_from_form = NumberAttribute(default=0)
    helpful_votes = NumberAttribute(default=0)
    unhelpful_votes = NumberAttribute(default=0)
    tickets_after_article = NumberAttribute(default=0)


def daily_figures(day: str) -> DailyFigures:
    return DailyFigures(pk=FIGURES_PK, sk=day_sk(day))


FIGURE_NAMES = (
    "searches", "suggestions_shown", "opened_from_form", "helpful_votes", "unhelpful_votes", "tickets_after_article",
)
