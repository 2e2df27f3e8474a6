"""/api/tickets/{id}/link: ask for a fresh link to a ticket's page, emailed to the ticket's own address."""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path
from pennydesk.helpdesk import ticket_links
from pydantic import BaseModel

from routes.auth_header import visitor_address

router = Router()
TicketId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$", description="The ticket's id")]
ANSWER = "If this ticket exists, a fresh link is on its way to the address it was raised from."


class LinkRequested(BaseModel):
    message: str


@router.post(
    "/tickets/<ticket_id>/link",
    summary="Email me a fresh link to this ticket",
    description="Sent only to the address the ticket was raised from, a few an hour. Always 202 with the same "
    "answer, whether or not the ticket exists or a link was sent.",
    tags=["Tickets"],
    responses={202: {"description": "Accepted", "content": {"application/json": {"model": LinkRequested}}}},
)
def post_fresh_link(ticket_id: TicketId) -> Response[LinkRequested]:
    ticket_links.send_fresh_link(ticket_id, visitor_address(router))
    return Response(
        status_code=HTTPStatus.ACCEPTED, content_type=content_types.APPLICATION_JSON, body={"message": ANSWER}
    )
