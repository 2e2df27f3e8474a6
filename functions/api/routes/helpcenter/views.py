"""The help center's wire models, and the one place domain values become them."""

from __future__ import annotations

from typing import Annotated

from pennydesk.helpcenter import images
from pennydesk.helpcenter.index import Hit
from pennydesk.helpcenter.records import Article
from pennydesk.helpcenter.rendering import to_html
from pennydesk.helpcenter.slugs import SLUG_PATTERN
from pennydesk.platform.text import has_control_characters
from pydantic import AfterValidator, BaseModel, Field

CATEGORY_PATTERN = r"^[a-z0-9]+(?:[_-][a-z0-9]+)*$"


def _one_line(value: str) -> str:
    if has_control_characters(value, allowed=""):
        raise ValueError("Remove control characters.")
    return " ".join(value.split())


def _text(value: str) -> str:
    if has_control_characters(value):
        raise ValueError("Remove control characters.")
    return value


Title = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_one_line)]
Body = Annotated[
    str,
    Field(min_length=1, max_length=50_000, description="Markdown (CommonMark and tables); raw HTML is shown as text"),
    AfterValidator(_text),
]
Category = Annotated[str, Field(min_length=1, max_length=40, pattern=CATEGORY_PATTERN, examples=["billing"])]
Slug = Annotated[str, Field(min_length=1, max_length=80, pattern=SLUG_PATTERN)]


class ArticleSummary(BaseModel):
    slug: str
    title: str
    excerpt: str
    category: str
    updated_at: str


class ArticleListing(BaseModel):
    articles: list[ArticleSummary]


class PublicArticle(BaseModel):
    slug: str = Field(description="The article's current slug: a request by an old one answers with the new one")
    title: str
    html: str = Field(description="The Markdown rendered and sanitised: safe to insert as HTML")
    category: str
    updated_at: str


class AdminArticleSummary(BaseModel):
    id: str
    slug: str
    title: str
    category: str
    published: bool
    updated_at: str
    views: int
    helpful: int
    unhelpful: int


class AdminArticle(AdminArticleSummary):
    body: str
    html: str
    slugs: list[str] = Field(description="Every slug that leads to the article, the current one last")
    author: str
    created_at: str


class AdminArticles(BaseModel):
    articles: list[AdminArticleSummary]


def summary(hit: Hit) -> ArticleSummary:
    return ArticleSummary(
        slug=hit.slug, title=hit.title, excerpt=hit.excerpt, category=hit.category, updated_at=hit.updated_at
    )


def public_article(article: Article) -> PublicArticle:
    return PublicArticle(
        slug=article.slug, title=article.title, html=to_html(article.body), category=article.category,
        updated_at=article.updated_at,
    )


def admin_summary(article: Article) -> AdminArticleSummary:
    return AdminArticleSummary(
        id=article.article_id, slug=article.slug, title=article.title, category=article.category,
        published=bool(article.published), updated_at=article.updated_at, views=int(article.views or 0),
        helpful=int(article.helpful or 0), unhelpful=int(article.unhelpful or 0),
    )


def admin_article(article: Article) -> AdminArticle:
    """For staff: its images (drafts' too) load through five-minute links (helpcenter/images.for_staff)."""
    return AdminArticle(
        **admin_summary(article).model_dump(), body=article.body, html=images.for_staff(to_html(article.body)),
        slugs=list(article.slugs), author=article.author, created_at=article.created_at,
    )
