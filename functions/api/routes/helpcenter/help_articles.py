"""/api/help/...: anyone reads, searches and rates the published articles; the ticket form asks for
suggestions while the customer types and says when an article was opened from it."""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated, Literal

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from pennydesk.helpcenter import articles, catalog, events, votes
from pennydesk.helpcenter.slugs import SLUG_PATTERN
from pydantic import BaseModel, ConfigDict, Field

from routes.auth_header import visitor_address
from routes.helpcenter.views import CATEGORY_PATTERN, ArticleListing, PublicArticle, public_article, summary

router = Router()
ArticleSlug = Annotated[str, Path(pattern=SLUG_PATTERN, max_length=80, description="The article's slug")]
SearchText = Annotated[
    str, Query(description="Words to look for, in any form or order; a one-letter typo is forgiven (at most 200 "
               "characters)")
]


class VoteRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    helpful: bool = Field(description="Did this answer your question?")
    visitor: str = Field(
        pattern=r"^[A-Za-z0-9-]{16,64}$",
        description="A random id the browser keeps for this visitor: one vote per visitor and article",
    )


class ArticleEvent(BaseModel):
    model_config = ConfigDict(extra="forbid")
    event: Literal["article_opened", "ticket_after_article"]
    from_form: bool = Field(default=False, description="The article was opened from the ticket form's suggestions")


@router.get("/help/articles", summary="Search the published articles, best match first (no q: all of them)",
            tags=["Help center"])
def list_articles(
    q: SearchText = "",
    category: Annotated[str | None, Query(pattern=CATEGORY_PATTERN, max_length=40)] = None,
) -> ArticleListing:
    return ArticleListing(articles=[summary(hit) for hit in catalog.find(q, category)])


@router.get("/help/suggest", summary="Up to 5 articles for what the customer is typing", tags=["Help center"])
def suggest(q: SearchText = "") -> ArticleListing:
    return ArticleListing(articles=[summary(hit) for hit in catalog.suggest(q)])


@router.get("/help/articles/<slug>", summary="One published article, its Markdown as sanitised HTML",
            tags=["Help center"])
def read_article(slug: ArticleSlug) -> PublicArticle:
    return public_article(articles.published_by_slug(slug))


@router.post(
    "/help/articles/<slug>/vote",
    summary="Did this answer your question? (one vote per visitor and article; again: 409; 60 per IP "
    "per 15 minutes)",
    responses={204: {"description": "Counted"}},
    tags=["Help center"],
)
def vote(slug: ArticleSlug, request: VoteRequest):
    votes.cast(slug, request.visitor, request.helpful, visitor_address(router))
    return Response(status_code=HTTPStatus.NO_CONTENT, content_type=content_types.APPLICATION_JSON, body="")


@router.post(
    "/help/articles/<slug>/events",
    summary="Count an article opened (from the ticket form or not) or a ticket raised after reading it",
    responses={204: {"description": "Counted"}},
    tags=["Help center"],
)
def article_event(slug: ArticleSlug, request: ArticleEvent):
    events.record(request.event, slug, request.from_form, visitor_address(router))
    return Response(status_code=HTTPStatus.NO_CONTENT, content_type=content_types.APPLICATION_JSON, body="")
