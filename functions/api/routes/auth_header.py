"""What a request says about its caller: the Bearer token it carries (and how the contract documents it), and
the visitor's address as CloudFront saw it."""

from __future__ import annotations

from aws_lambda_powertools.event_handler.api_gateway import Router
from pennydesk.platform.edge import client_address

SECURITY = [{"bearerToken": []}]


def bearer(authorization: str | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` header (read here, not in the help desk's access rules,
    so a route that reads no token, such as the ticket form, loads none of them)."""
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def token_of(router: Router) -> str | None:
    return bearer(router.current_event.headers.get("authorization"))


def visitor_address(router: Router) -> str:
    """The address rate limits count this visitor by (CloudFront's, deployed; the socket's, locally)."""
    event = router.current_event
    return client_address(event.headers, event.request_context.http.source_ip)
