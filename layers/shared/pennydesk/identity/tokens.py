"""Signed, expiring, single-purpose tokens for emailed links (itsdangerous, keys from Secrets Manager).

A token names its purpose (the itsdangerous salt, so a token for one purpose never verifies as another)
and its subject (the ticket, agent or user it grants). The secret holds {"current": key, "previous":
"old1,old2"}: links are signed with the current key and verified against all of them, so a key can be
rotated without breaking links already in people's inboxes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from pennydesk.platform import secrets
from pennydesk.platform.errors import Unauthorized
from pennydesk.platform.settings import get_settings

PURPOSES = ("customer", "agent", "survey", "sign_in", "session", "unsubscribe", "upload")
SECRET_CACHE_SECONDS = 300


class LinkExpired(Unauthorized):
    """A genuine token past its lifetime: the one refusal worth telling apart ("ask for a new one")."""


@dataclass(frozen=True)
class Grant:
    purpose: str
    subject: str
    claims: dict[str, Any]


def _keys() -> list[str]:
    secret = secrets.json_secret(get_settings().signing_secret_id, SECRET_CACHE_SECONDS)
    previous = [k.strip() for k in str(secret.get("previous", "")).split(",") if k.strip()]
    return [*previous, secret["current"]]  # itsdangerous signs with the last key


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    if purpose not in PURPOSES:
        raise ValueError(f"unknown token purpose {purpose!r}")
    return URLSafeTimedSerializer(_keys(), salt=f"pennydesk.{purpose}")


def signing_keys() -> list[str]:
    """The same keys, newest last, for the compact tokens that must fit an email address (reply_tokens)."""
    return _keys()


def issue(purpose: str, subject: str, **claims: Any) -> str:
    return _serializer(purpose).dumps({"sub": subject, **claims})


def verify(purpose: str, token: str | None) -> Grant:
    """The grant a token carries, or Unauthorized with one message for every way it can be wrong."""
    if not token:
        raise Unauthorized("A valid link token is required.")
    max_age = get_settings().token_ttl_seconds[purpose]
    try:
        payload = _serializer(purpose).loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise LinkExpired("This link has expired. Ask for a new one.") from exc
    except BadSignature as exc:
        raise Unauthorized("This link is not valid.") from exc
    if not isinstance(payload, dict) or not isinstance(payload.get("sub"), str):
        raise Unauthorized("This link is not valid.")
    claims = {k: v for k, v in payload.items() if k != "sub"}
    return Grant(purpose=purpose, subject=payload["sub"], claims=claims)
