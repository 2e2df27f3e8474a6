"""Signing in through the emailed link, and tokens tampered with as an attacker would."""

from __future__ import annotations

from infra.local.engine import LocalStack
from tests.support.outbox import link_to, outbox_for, query_of


def bearer(token: str) -> dict[str, str]:
    """The header that presents a link's token or a session."""
    return {"Authorization": f"Bearer {token}"}


def sign_in(stack: LocalStack, email: str) -> str:
    """Ask for a sign-in link, follow it from the outbox, and return the session it grants."""
    assert stack.http("POST", "/api/auth/sign-in", json_body={"email": email}).status == 202
    stack.drain()
    mail = [m for m in outbox_for(stack, email) if m["subject"] == "Your Pennydesk sign-in link"][-1]
    token = query_of(link_to(mail["text"], "/signin.html"))["token"]
    granted = stack.http("POST", "/api/auth/session", json_body={"token": token})
    assert granted.status == 200, granted.body
    return granted.json()["session"]


def tamper(token: str) -> str:
    """Change one character in the middle of the signature.

    Not the last one: base64 of a 20-byte MAC ends in a character whose low bits are padding, which
    decoders ignore, so changing it can leave the signature as it was.
    """
    i = len(token) - 10
    return token[:i] + ("A" if token[i] != "A" else "B") + token[i + 1 :]
