"""Passwordless sign-in: an emailed link whose token works once, exchanged for a session token.

A session names an email address and nothing more: each context decides what that address may do when a
request arrives (the desk from its live roster and admin list, spending from the account), so
deactivating an agent or removing an admin takes effect at once.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from datetime import timedelta

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import PutError
from pynamodb.models import Model

from pennydesk.identity import links, tokens
from pennydesk.platform import jobs, ratelimit
from pennydesk.platform.clock import iso, utcnow
from pennydesk.platform.dynamo import table_meta
from pennydesk.platform.email.render import render
from pennydesk.platform.email.send import send
from pennydesk.platform.errors import Unauthorized
from pennydesk.platform.settings import get_settings


class UsedToken(Model):
    """A consumed sign-in token, kept (TTL) only until it would have expired anyway."""

    Meta = table_meta(get_settings().idempotency_table)

    id = UnicodeAttribute(hash_key=True)
    expiration = NumberAttribute()


class SessionEnd(Model):
    """A session ended before it expired (kept, by TTL, only until it would have expired anyway).

    ``session-ended#<sid>``: that one session signed out. ``sessions-ended#<address digest>``: every session of
    the address issued before ``not_before`` (epoch milliseconds: sign out everywhere, or an agent deactivated).
    """

    Meta = table_meta(get_settings().idempotency_table)

    id = UnicodeAttribute(hash_key=True)
    not_before = NumberAttribute(default=0)
    expiration = NumberAttribute()


SEND_SIGN_IN_LINK = "send-sign-in-link"
jobs.register(SEND_SIGN_IN_LINK, "pennydesk.identity.sessions:send_sign_in_link")

# An inbox gets at most a few links per quarter hour, and one address can't flood many inboxes.
SIGN_IN_PER_EMAIL = ratelimit.Limit("sign-in-email", hits=5, window_seconds=900, key=ratelimit.inbox_key)
SIGN_IN_PER_IP = ratelimit.Limit("sign-in-ip", hits=30, window_seconds=900, key=ratelimit.client_key)


def request_sign_in(email: str, source_ip: str) -> None:
    """Email a sign-in link to anyone who asks: the account is created when the link is first used.

    The caller learns nothing about the address: the per-IP limit answers 429 whatever the address, and
    the per-email limit quietly sends nothing more, answering exactly as when it sends. Nothing here looks
    the address up (not even to greet an agent by name), so every address costs the same requests and
    time: no timing side channel tells staff addresses from others.
    """
    email = email.lower()
    ratelimit.enforce(SIGN_IN_PER_IP, source_ip, "Too many sign-in requests from here. Try again later.")
    jobs.enqueue(SEND_SIGN_IN_LINK, email=email, jti=uuid.uuid4().hex)


def send_sign_in_link(email: str, jti: str) -> str:
    """The worker's half of a sign-in request: a link, unless this inbox had its share for now. Sending here,
    off the request's path, is what keeps the answer the same for an address past its limit; the jti the
    request chose makes a redelivered message send nothing twice."""
    allowed, _ = ratelimit.hit(SIGN_IN_PER_EMAIL, email)
    if not allowed:
        return "limited"
    token = tokens.issue("sign_in", email, jti=jti)
    url = links.page("signin.html", token)
    minutes = get_settings().token_ttl_seconds["sign_in"] // 60
    send(f"sign-in/{jti}", [email], render("sign_in", url=url, minutes=minutes, name=""))
    return "sent"


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
    session = tokens.issue("session", grant.subject, sid=uuid.uuid4().hex, iat=_now_ms())
    return session, expires_at


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


def _session_key(grant: tokens.Grant, token: str) -> str:
    # Sessions issued before they carried an id are named by their own digest.
    sid = grant.claims.get("sid") or hashlib.sha256(token.encode()).hexdigest()[:32]
    return f"session-ended#{sid}"


def _address_key(email: str) -> str:
    return f"sessions-ended#{hashlib.sha256(email.lower().encode()).hexdigest()[:32]}"


def _live_grant(token: str | None) -> tokens.Grant:
    """A session token's grant, unless the session was ended: one read of both records, in one request."""
    grant = tokens.verify("session", token)
    assert token is not None
    ended = {
        e.id: e for e in SessionEnd.batch_get([_session_key(grant, token), _address_key(grant.subject)])
    }
    issued_at = int(grant.claims.get("iat") or 0)
    everywhere = ended.get(_address_key(grant.subject))
    if _session_key(grant, token) in ended or (everywhere is not None and issued_at < int(everywhere.not_before)):
        raise Unauthorized("This session has ended. Sign in again.")
    return grant


def signed_in_email(token: str | None) -> str:
    """The address a live session token was issued to (Unauthorized for anything else, or an ended session)."""
    return _live_grant(token).subject


def _keep_until_expired() -> int:
    return int(time.time()) + get_settings().token_ttl_seconds["session"] + 60


def sign_out(token: str | None) -> None:
    """End this one session on the server: the token stops working everywhere it was copied."""
    grant = _live_grant(token)
    assert token is not None
    SessionEnd(id=_session_key(grant, token), expiration=_keep_until_expired()).save()


def end_sessions_of(email: str) -> None:
    """End every session of `email` issued until now (sign out everywhere; an agent deactivated)."""
    SessionEnd(id=_address_key(email), not_before=_now_ms() + 1, expiration=_keep_until_expired()).save()
