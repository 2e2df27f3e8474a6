"""The Bearer token a request carries, and how the contract documents it."""

from __future__ import annotations

from aws_lambda_powertools.event_handler.api_gateway import Router
from pennydesk.helpdesk.access import bearer

SECURITY = [{"bearerToken": []}]


def token_of(router: Router) -> str | None:
    return bearer(router.current_event.headers.get("authorization"))
