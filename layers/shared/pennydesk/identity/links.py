"""The emailed links: a page of the site, what it is about in the query, and its token in the fragment.

The page reads `#token=…` and sends it as a Bearer token. Browsers never send a fragment to a server, so the
token stays out of access logs (CloudFront's record every query string), Referer headers and the requests
of mail scanners that open links. Pages still read a `token` query parameter from links already sent.
"""

from __future__ import annotations

from urllib.parse import urlencode

from pennydesk.identity import tokens
from pennydesk.platform.settings import get_settings


def page(path: str, token: str | None = None, **params: str) -> str:
    """The site's page at `path`, with `params` in its query and `token` (if any) in its fragment."""
    url = f"{get_settings().site_url}/{path}"
    if params:
        url += f"?{urlencode(params)}"
    if token:
        url += f"#{urlencode({'token': token})}"
    return url


def customer_ticket_url(ticket_id: str) -> str:
    return page("ticket.html", tokens.issue("customer", ticket_id), id=ticket_id)


def agent_ticket_url(ticket_id: str, agent_id: str) -> str:
    return page("agent/ticket.html", tokens.issue("agent", agent_id, ticket=ticket_id), id=ticket_id)
