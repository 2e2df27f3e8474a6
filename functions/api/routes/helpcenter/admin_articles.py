"""/api/admin/articles...: admins write the help center's articles (Markdown, a live preview, drafts); active
agents too while an admin allows it (GET|PUT /api/admin/help/settings). Deleting stays with admins."""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path
from pennydesk.helpcenter import articles, authoring, images
from pennydesk.helpcenter.rendering import to_html
from pennydesk.helpdesk import staff
from pydantic import BaseModel, ConfigDict, Field

from routes import responses
from routes.auth_header import SECURITY, token_of
from routes.helpcenter.views import (
    AdminArticle,
    AdminArticles,
    Body,
    Category,
    Slug,
    Title,
    admin_article,
    admin_summary,
)

router = Router()
ArticleId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$", description="The article's id")]


class NewArticle(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    title: Title
    body: Body
    category: Category = "general"
    published: bool = False

    def to_domain(self) -> articles.Draft:
        return articles.Draft(title=self.title, body=self.body, category=self.category, published=self.published)


class ArticleChanges(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    title: Title | None = None
    body: Body | None = None
    category: Category | None = None
    published: bool | None = None
    slug: Slug | None = Field(
        default=None, description="A new address; the old one keeps leading here. A new title keeps the slug."
    )

    def to_domain(self) -> articles.Changes:
        return articles.Changes(
            title=self.title, body=self.body, category=self.category, published=self.published, slug=self.slug
        )


class Preview(BaseModel):
    model_config = ConfigDict(extra="forbid")
    body: Annotated[str, Field(max_length=50_000)]


class RenderedPreview(BaseModel):
    html: str


def _admin() -> str:
    return staff.require_admin_session(token_of(router)).email


def _writer() -> str:
    """An admin, or an active agent while admins allow agents to write."""
    return staff.require_article_writer(token_of(router), authoring.agents_may_write()).email


@router.get("/admin/articles", summary="Every article, drafts too, with views and votes", tags=["Help center"],
            security=SECURITY)
def list_articles() -> AdminArticles:
    _writer()
    found = sorted(articles.everything(), key=lambda a: a.updated_at, reverse=True)
    return AdminArticles(articles=[admin_summary(a) for a in found])


@router.post(
    "/admin/articles",
    summary="Write an article",
    description="The slug is made from the title once and kept when the title changes.",
    responses={201: {"description": "Created", "content": {"application/json": {"model": AdminArticle}}}},
    tags=["Help center"],
    security=SECURITY,
)
def create_article(article: NewArticle) -> Response[AdminArticle]:
    created = articles.create(article.to_domain(), author=_writer())
    return responses.created(admin_article(created))


@router.post("/admin/articles/preview", summary="Render Markdown as the article page will show it",
             tags=["Help center"], security=SECURITY)
def preview(draft: Preview) -> RenderedPreview:
    _writer()
    return RenderedPreview(html=images.for_staff(to_html(draft.body)))


@router.get("/admin/articles/<article_id>", summary="One article, to edit", tags=["Help center"], security=SECURITY)
def get_article(article_id: ArticleId) -> AdminArticle:
    _writer()
    return admin_article(articles.require(article_id))


@router.patch("/admin/articles/<article_id>", summary="Change an article", tags=["Help center"], security=SECURITY)
def update_article(article_id: ArticleId, changes: ArticleChanges) -> AdminArticle:
    _writer()
    return admin_article(articles.update(article_id, changes.to_domain()))


@router.delete(
    "/admin/articles/<article_id>",
    summary="Delete an article (its slugs stop leading anywhere)",
    responses={204: {"description": "Deleted"}},
    tags=["Help center"],
    security=SECURITY,
)
def delete_article(article_id: ArticleId):
    _admin()
    articles.delete(article_id)
    return Response(status_code=HTTPStatus.NO_CONTENT, content_type=content_types.APPLICATION_JSON, body="")
