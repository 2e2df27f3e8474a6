"""/api/me/tickets: the tickets raised from the signed-in address, each with the link that opens its page."""

from __future__ import annotations

from aws_lambda_powertools.event_handler.api_gateway import Router
from pennydesk.helpdesk import desk_views
from pennydesk.identity import links
from pennydesk.identity.sessions import signed_in_email
from pydantic import BaseModel

from routes.auth_header import SECURITY, token_of

router = Router()


class MyTicket(BaseModel):
    id: str
    number: int
    subject: str
    status: str
    created_at: str
    updated_at: str
    url: str  # the ticket's page, with a fresh link in its fragment


class MyTickets(BaseModel):
    tickets: list[MyTicket]


@router.get("/me/tickets", summary="My requests: every ticket raised from my address, newest first",
            tags=["Tickets"], security=SECURITY)
def list_my_tickets() -> MyTickets:
    email = signed_in_email(token_of(router))
    return MyTickets(
        tickets=[
            MyTicket(
                id=t.ticket_id, number=int(t.number), subject=t.subject, status=t.status, created_at=t.created_at,
                updated_at=t.updated_at, url=links.customer_ticket_url(t.ticket_id),
            )
            for t in desk_views.customer_tickets(email)
        ]
    )
