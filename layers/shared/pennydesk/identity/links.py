"""The emailed links: a page of the site plus a `token` query parameter the page sends as a Bearer token."""

from __future__ import annotations

from urllib.parse import urlencode

from pennydesk.identity import tokens
from pennydesk.platform.settings import get_settings


def _url(page: str, **params: str) -> str:
    return f"{get_settings().site_url}/{page}?{urlencode(params)}"


def customer_ticket_url(ticket_id: str) -> str:
    return _url("ticket.html", id=ticket_id, token=tokens.issue("customer", ticket_id))


def agent_ticket_url(ticket_id: str, agent_id: str) -> str:
    return _url("agent/ticket.html", id=ticket_id, token=tokens.issue("agent", agent_id, ticket=ticket_id))
