"""Sign-in's answer can't tell that an address hit its limit: the request that would send a sixth link makes the
same AWS requests, in the same order, as the first one did (it was ~90 ms against ~8 ms when the API sent the
email itself), and the address still gets exactly five links."""

from __future__ import annotations

import pytest
from botocore.client import BaseClient

from infra.local.engine import LocalStack
from tests.support.outbox import outbox_for

SIGN_IN = "/api/auth/sign-in"


def aws_calls_of(stack: LocalStack, monkeypatch: pytest.MonkeyPatch, email: str, ip: str) -> list[str]:
    """The AWS requests the API makes for one sign-in request: service, operation and table."""
    calls: list[str] = []
    real = BaseClient._make_api_call

    def recording(client: BaseClient, operation: str, params: dict) -> object:
        calls.append(f"{client.meta.service_model.service_name} {operation} {params.get('TableName', '')}".strip())
        return real(client, operation, params)

    with monkeypatch.context() as patch:
        patch.setattr(BaseClient, "_make_api_call", recording)
        assert stack.http("POST", SIGN_IN, json_body={"email": email}, source_ip=ip).status == 202
    return calls


def test_a_sign_in_past_the_address_limit_costs_the_api_what_a_sent_one_does(
    stack: LocalStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    aws_calls_of(stack, monkeypatch, "warm.up@example.com", "192.0.2.200")  # caches: the signing key
    stack.drain()

    sent = [aws_calls_of(stack, monkeypatch, "kim@example.com", f"192.0.2.{n}") for n in range(5)]
    stack.drain()
    past_the_limit = aws_calls_of(stack, monkeypatch, "kim@example.com", "192.0.2.77")
    stack.drain()

    assert past_the_limit == sent[0]
    assert not any(c.startswith("sesv2") for c in past_the_limit)  # sending happens off the request path
    assert len([m for m in outbox_for(stack, "kim@example.com") if "sign-in" in m["subject"]]) == 5
