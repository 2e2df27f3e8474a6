"""Passwordless sign-in: an emailed link whose token works once, exchanged for a session token.

Who may do what is decided when a request arrives, from the live roster and admin list, not from what
a session claimed when it was issued: deactivating an agent or removing an admin takes effect at once.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from datetime import timedelta

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import PutError
from pynamodb.models import Model

from pennydesk import agents, tokens
from pennydesk.clock import iso, utcnow
from pennydesk.email.render import render
from pennydesk.email.send import send
from pennydesk.errors import Forbidden, Unauthorized
from pennydesk.models.agent import Agent
from pennydesk.models.base import table_meta
from pennydesk.settings import get_settings


class UsedToken(Model):
    """A consumed sign-in token, kept (TTL) only until it would have expired anyway."""

    Meta = table_meta(get_settings().idempotency_table)

    id = UnicodeAttribute(hash_key=True)
    expiration = NumberAttribute()


@dataclass(frozen=True)
class Session:
    email: str
    agent: Agent | None
    is_admin: bool


def is_admin(email: str) -> bool:
    return email.lower() in get_settings().admin_emails


def request_sign_in(email: str) -> None:
    """Email a sign-in link to a known agent or admin. Says nothing either way (no account enumeration)."""
    email = email.lower()
    agent = agents.find_by_email(email)
    if agent is None and not is_admin(email):
        return
    if agent is not None and not agent.active and not is_admin(email):
        return
    jti = uuid.uuid4().hex
    token = tokens.issue("sign_in", email, jti=jti)
    url = f"{get_settings().site_url}/signin.html?token={token}"
    minutes = get_settings().token_ttl_seconds["sign_in"] // 60
    send(f"sign-in/{jti}", [email], render("sign_in", url=url, minutes=minutes, name=agent.name if agent else ""))


def start_session(sign_in_token: str) -> tuple[str, str]:
    """Exchange a sign-in token (once) for a session token; returns (session token, expires_at)."""
    grant = tokens.verify("sign_in", sign_in_token)
    jti = str(grant.claims.get("jti", ""))
    ttl = get_settings().token_ttl_seconds["sign_in"]
    try:
        UsedToken(id=f"used-sign-in#{jti}", expiration=int(time.time()) + ttl + 60).save(
            condition=UsedToken.id.does_not_exist()
        )
    except PutError as exc:
        raise Unauthorized("This sign-in link was already used. Ask for a new one.") from exc
    session_ttl = get_settings().token_ttl_seconds["session"]
    expires_at = iso(utcnow() + timedelta(seconds=session_ttl))
    return tokens.issue("session", grant.subject), expires_at


def session(token: str | None) -> Session:
    grant = tokens.verify("session", token)
    email = grant.subject
    agent = agents.find_by_email(email)
    if agent is not None and not agent.active:
        agent = None
    return Session(email=email, agent=agent, is_admin=is_admin(email))


def require_agent_session(token: str | None) -> Agent:
    current = session(token)
    if current.agent is None:
        raise Forbidden("This page is for active agents.")
    return current.agent


def require_admin_session(token: str | None) -> Session:
    current = session(token)
    if not current.is_admin:
        raise Forbidden("This page is for admins.")
    return current


