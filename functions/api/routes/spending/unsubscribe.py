"""/api/unsubscribe: the one-click unsubscribe of digests and budget alerts (RFC 8058), with no session.

Gmail's and Yahoo's servers POST `List-Unsubscribe=One-Click` (form-encoded or multipart) to the URL in the
List-Unsubscribe header, token in its query string, with no Origin, cookie or session; the site's
/unsubscribe.html page POSTs the same body with the token as a Bearer header. A GET changes nothing.
"""

from __future__ import annotations

import re
from typing import Annotated
from urllib.parse import parse_qs

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query
from pennydesk.platform.errors import PennydeskError
from pennydesk.spending import unsubscribe
from pydantic import BaseModel

from routes.auth_header import SECURITY, token_of
from routes.errors import ApiError
from routes.request_body import media_type, raw_body

router = Router()
Token = Annotated[str | None, Query(max_length=2048, description="The token of the List-Unsubscribe URL")]
_MULTIPART_ONE_CLICK = re.compile(r'name="?List-Unsubscribe"?[^\r\n]*\r?\n(?:[^\r\n]+\r?\n)*\r?\nOne-Click\r?\n')


# The token may also come as a Bearer header (the site's page sends it so); no account for its address is a 404.
GONE = {
    404: {"description": "No account for this address any more.", "content": {"application/json": {"model": ApiError}}},
}


class UnsubscribeState(BaseModel):
    email: str
    kind: str
    subscribed: bool
    message: str
    settings_url: str


def _token(token: str | None) -> str | None:
    return token or token_of(router)


@router.get(
    "/unsubscribe",
    summary="What the one-click unsubscribe link would do",
    description="Changes nothing (mail scanners open links): says which mail a POST to the same URL turns off.",
    tags=["Spending"],
    security=SECURITY,
    responses=GONE,
)
def get_unsubscribe(token: Token = None) -> UnsubscribeState:
    return UnsubscribeState(**unsubscribe.describe(_token(token)))


@router.post(
    "/unsubscribe",
    summary="One-click unsubscribe (RFC 8058)",
    description="Body `List-Unsubscribe=One-Click` (application/x-www-form-urlencoded or multipart/form-data). "
    "Turns off the kind of mail the token names (digests or budget alerts) for its address; again is 200 too. "
    "The token can do nothing else.",
    tags=["Spending"],
    security=SECURITY,
    responses=GONE,
)
def post_unsubscribe(token: Token = None) -> UnsubscribeState:
    _require_one_click()
    return UnsubscribeState(**unsubscribe.apply(_token(token)))


def _require_one_click() -> None:
    """RFC 8058's body, in either form encoding; anything else is not a one-click request."""
    kind = media_type(router.current_event.headers)
    raw = raw_body(router).decode("utf-8", "replace")
    if kind == "application/x-www-form-urlencoded" and parse_qs(raw).get("List-Unsubscribe") == ["One-Click"]:
        return
    if kind == "multipart/form-data" and _MULTIPART_ONE_CLICK.search(raw):
        return
    raise PennydeskError(
        f"Send the body {unsubscribe.ONE_CLICK} as application/x-www-form-urlencoded or multipart/form-data.",
        field="body",
    )
