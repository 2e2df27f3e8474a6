"""Signing in through the emailed link, and tokens tampered with as an attacker would."""

from __future__ import annotations

import pytest
from botocore.client import BaseClient

from infra.local.engine import LocalStack
from tests.support.outbox import link_to, outbox_for, query_of


def bearer(token: str) -> dict[str, str]:
    """The header that presents a link's token or a session."""
    return {"Authorization": f"Bearer {token}"}


def sign_in(stack: LocalStack, email: str, *, accept_language: str | None = None) -> str:
    """Ask for a sign-in link, follow it from the outbox, and return the session it grants (the browser that
    follows it may say which languages it prefers)."""
    assert stack.http("POST", "/api/auth/sign-in", json_body={"email": email}).status == 202
    stack.drain()
    mail = [m for m in outbox_for(stack, email) if m["subject"] == "Your Pennydesk sign-in link"][-1]
    token = query_of(link_to(mail["text"], "/signin.html"))["token"]
    headers = {"Accept-Language": accept_language} if accept_language else None
    granted = stack.http("POST", "/api/auth/session", json_body={"token": token}, headers=headers)
    assert granted.status == 200, granted.body
    return granted.json()["session"]


def tamper(token: str) -> str:
    """Change one character in the middle of the signature.

    Not the last one: base64 of a 20-byte MAC ends in a character whose low bits are padding, which
    decoders ignore, so changing it can leave the signature as it was.
    """
    i = len(token) - 10
    return token[:i] + ("A" if token[i] != "A" else "B") + token[i + 1 :]


def sign_in_aws_calls(stack: LocalStack, monkeypatch: pytest.MonkeyPatch, email: str, ip: str) -> list[str]:
    """The AWS requests the API makes for one sign-in request, in order: service, operation and table (keys and
    values left out), so two requests can be compared for what they cost."""
    calls: list[str] = []
    real = BaseClient._make_api_call

    def recording(client: BaseClient, operation: str, params: dict) -> object:
        calls.append(f"{client.meta.service_model.service_name} {operation} {params.get('TableName', '')}".strip())
        return real(client, operation, params)

    with monkeypatch.context() as patch:
        patch.setattr(BaseClient, "_make_api_call", recording)
        assert stack.http("POST", "/api/auth/sign-in", json_body={"email": email}, source_ip=ip).status == 202
    return calls
