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

from pennydesk import agents, profiles, ratelimit, tokens
from pennydesk.clock import iso, utcnow
from pennydesk.email.render import render
from pennydesk.email.send import send
from pennydesk.errors import Forbidden, Unauthorized
from pennydesk.models.agent import Agent
from pennydesk.models.base import table_meta
from pennydesk.models.spending import Profile
from pennydesk.settings import get_settings


class UsedToken(Model):
    """A consumed sign-in token, kept (TTL) only until it would have expired anyway."""

    Meta = table_meta(get_settings().idempotency_table)

    id = UnicodeAttribute(hash_key=True)
    expiration = NumberAttribute()


# An inbox gets at most a few links per quarter hour, and one address can't flood many inboxes.
SIGN_IN_PER_EMAIL = ratelimit.Limit("sign-in-email", hits=5, window_seconds=900)
SIGN_IN_PER_IP = ratelimit.Limit("sign-in-ip", hits=30, window_seconds=900)


@dataclass(frozen=True)
class Session:
    email: str
    agent: Agent | None
    is_admin: bool

    @property
    def roles(self) -> list[str]:
        return ["customer"] + (["agent"] if self.agent else []) + (["admin"] if self.is_admin else [])


def is_admin(email: str) -> bool:
    return email.lower() in get_settings().admin_emails


def request_sign_in(email: str, source_ip: str) -> None:
    """Email a sign-in link to anyone who asks: the account is created when the link is first used.

    The caller learns nothing about the address: the per-IP limit answers 429 whatever the address, and
    the per-email limit quietly sends nothing more, answering exactly as when it sends. Nothing here looks
    the address up (not even to greet an agent by name), so every address costs the same requests and
    time: no timing side channel tells staff addresses from others.
    """
    email = email.lower()
    ratelimit.enforce(SIGN_IN_PER_IP, source_ip, "Too many sign-in requests from here. Try again later.")
    allowed, _ = ratelimit.hit(SIGN_IN_PER_EMAIL, email)
    if not allowed:
        return
    jti = uuid.uuid4().hex
    token = tokens.issue("sign_in", email, jti=jti)
    url = f"{get_settings().site_url}/signin.html?token={token}"
    minutes = get_settings().token_ttl_seconds["sign_in"] // 60
    send(f"sign-in/{jti}", [email], render("sign_in", url=url, minutes=minutes, name=""))


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
    profiles.ensure(grant.subject)  # signing in creates the spending account on first use
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


def require_user_session(token: str | None) -> Profile:
    """The signed-in person's own spending account (every route scopes its reads and writes to it)."""
    grant = tokens.verify("session", token)
    profile = profiles.find(grant.subject)
    if profile is None:
        raise Unauthorized("Sign in again.")
    return profile


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


