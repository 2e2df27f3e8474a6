"""/api/agent/tickets/{id}/articles: the help articles that may answer a ticket, for its agent to link in a
reply (the same choice as the customer's confirmation email, up to five)."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path
from pennydesk.helpcenter import catalog
from pennydesk.helpdesk import access, workflow
from pydantic import BaseModel, Field

from routes.auth_header import SECURITY, token_of

router = Router()
TicketId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$", description="The ticket's id")]
FOR_AGENTS = 5


class ArticleLinkView(BaseModel):
    title: str
    url: str = Field(description="The article's public page, to paste into a reply")


class TicketArticles(BaseModel):
    articles: list[ArticleLinkView] = Field(description="Best first; none when no published article fits well")


@router.get(
    "/agent/tickets/<ticket_id>/articles",
    summary="Help articles that may answer the ticket, to link in a reply",
    description="Published articles holding two of the ticket's words, one from its subject. Its agent "
    "(emailed link or session), any active agent's session, or an admin's session.",
    tags=["Agents"],
    security=SECURITY,
)
def ticket_articles(ticket_id: TicketId) -> TicketArticles:
    access.desk_reader_for_ticket(token_of(router), ticket_id)
    ticket = workflow.get_ticket(ticket_id)
    found = catalog.for_ticket(ticket.subject, ticket.description, limit=FOR_AGENTS)
    return TicketArticles(articles=[ArticleLinkView(title=a.title, url=a.url) for a in found])
