"""Sign-in's answer can't tell that an address hit its limit: the request that would send a sixth link makes the
same AWS requests, in the same order, as the first one did (it was ~90 ms against ~8 ms when the API sent the
email itself), and the address still gets exactly five links."""

from __future__ import annotations

import pytest

from infra.local.engine import LocalStack
from tests.support.identity import sign_in_aws_calls
from tests.support.outbox import outbox_for


def test_a_sign_in_past_the_address_limit_costs_the_api_what_a_sent_one_does(
    stack: LocalStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    sign_in_aws_calls(stack, monkeypatch, "warm.up@example.com", "192.0.2.200")  # caches: the signing key
    stack.drain()

    sent = [sign_in_aws_calls(stack, monkeypatch, "kim@example.com", f"192.0.2.{n}") for n in range(5)]
    stack.drain()
    past_the_limit = sign_in_aws_calls(stack, monkeypatch, "kim@example.com", "192.0.2.77")
    stack.drain()

    assert past_the_limit == sent[0]
    assert not any(c.startswith("sesv2") for c in past_the_limit)  # sending happens off the request path
    assert len([m for m in outbox_for(stack, "kim@example.com") if "sign-in" in m["subject"]]) == 5
