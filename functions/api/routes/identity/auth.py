"""/api/auth/...: passwordless sign-in. POST an email, get a link; exchange the link's token for a session."""

from __future__ import annotations

from http import HTTPStatus

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router
from pennydesk.helpdesk import staff
from pennydesk.identity import sessions
from pennydesk.spending import account
from pydantic import BaseModel, ConfigDict, Field

from routes.auth_header import SECURITY, token_of, visitor_address
from routes.fields import Email

router = Router()


class SignIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    email: Email


class Accepted(BaseModel):
    message: str


class SessionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    token: str = Field(min_length=1, max_length=2048)


class SessionGranted(BaseModel):
    session: str
    expires_at: str
    email: str
    roles: list[str]


@router.post(
    "/auth/sign-in",
    summary="Email me a sign-in link",
    description="Always 202 for a well-formed address, whether or not it has an account: the answer never "
    "tells. The link signs in (creating a spending account on first use). Limited per address and per IP (429).",
    responses={202: {"description": "Accepted", "content": {"application/json": {"model": Accepted}}}},
    tags=["Sign-in"],
)
def sign_in(request: SignIn) -> Response[Accepted]:
    sessions.request_sign_in(request.email, visitor_address(router))
    return Response(
        status_code=HTTPStatus.ACCEPTED,
        content_type=content_types.APPLICATION_JSON,
        body={"message": "If that address can sign in, a link is on its way. It works once, for a short while."},
    )


@router.post("/auth/session", summary="Exchange a sign-in link's token for a session", tags=["Sign-in"])
def start_session(request: SessionRequest) -> SessionGranted:
    session_token, expires_at = sessions.start_session(request.token)
    current = staff.session(session_token)
    # Signing in creates the spending account on first use, in the browser's locale.
    account.ensure(current.email, accept_language=router.current_event.headers.get("accept-language"))
    return SessionGranted(session=session_token, expires_at=expires_at, email=current.email, roles=current.roles)


@router.post(
    "/auth/sign-out",
    summary="End this session",
    description="The session token stops working at once, wherever it was copied. Other sessions go on.",
    responses={204: {"description": "Signed out"}},
    tags=["Sign-in"],
    security=SECURITY,
)
def sign_out():  # a 204 publishes no body, so no return model
    sessions.sign_out(token_of(router))
    return Response(status_code=HTTPStatus.NO_CONTENT, content_type=content_types.APPLICATION_JSON, body="")


@router.post(
    "/auth/sign-out-everywhere",
    summary="End every session of this address",
    description="Every session of the signed-in address ends, on every device; signing in again works as usual.",
    responses={204: {"description": "Signed out everywhere"}},
    tags=["Sign-in"],
    security=SECURITY,
)
def sign_out_everywhere():  # a 204 publishes no body, so no return model
    sessions.end_sessions_of(sessions.signed_in_email(token_of(router)))
    return Response(status_code=HTTPStatus.NO_CONTENT, content_type=content_types.APPLICATION_JSON, body="")
