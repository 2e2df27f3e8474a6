"""Emailed links: signed, scoped to one purpose, expiring, and surviving a key rotation."""

from __future__ import annotations

import json
import secrets
from datetime import UTC, datetime, timedelta

import boto3
import pytest
import time_machine
from aws_lambda_powertools.utilities import parameters
from pennydesk.identity import tokens
from pennydesk.platform.errors import Unauthorized
from pennydesk.platform.settings import get_settings

from infra.local.engine import REGION, LocalStack


def signing_secret() -> dict[str, str]:
    client = boto3.client("secretsmanager", region_name=REGION)
    return json.loads(client.get_secret_value(SecretId=get_settings().signing_secret_id)["SecretString"])


def rotate_to(current: str, previous: list[str]) -> None:
    """What an operator does: put a new secret value, then the functions pick it up."""
    boto3.client("secretsmanager", region_name=REGION).put_secret_value(
        SecretId=get_settings().signing_secret_id,
        SecretString=json.dumps({"current": current, "previous": ",".join(previous)}),
    )
    parameters.clear_caches()


def test_customer_token_round_trips(stack: LocalStack) -> None:
    token = tokens.issue("customer", "ticket-123")

    grant = tokens.verify("customer", token)

    assert grant.purpose == "customer"
    assert grant.subject == "ticket-123"


def test_agent_token_carries_its_ticket_claim(stack: LocalStack) -> None:
    grant = tokens.verify("agent", tokens.issue("agent", "agent-7", ticket="ticket-123"))

    assert grant.subject == "agent-7"
    assert grant.claims == {"ticket": "ticket-123"}


def test_tampered_token_is_refused(stack: LocalStack, subtests: pytest.Subtests) -> None:
    token = tokens.issue("customer", "ticket-123")
    for position in (0, 10, len(token) - 6, len(token) - 15):  # in the payload and in the signature
        flipped = "x" if token[position] != "x" else "Q"  # differs in high bits, not only base64 padding bits
        with subtests.test(position=position), pytest.raises(Unauthorized):
            tokens.verify("customer", token[:position] + flipped + token[position + 1 :])


def test_token_whose_subject_was_swapped_is_refused(stack: LocalStack) -> None:
    mine = tokens.issue("customer", "ticket-mine")
    theirs = tokens.issue("customer", "ticket-theirs")
    payload_of_theirs, signature_of_mine = theirs.split(".", 1)[0], mine.split(".", 1)[1]

    with pytest.raises(Unauthorized):
        tokens.verify("customer", f"{payload_of_theirs}.{signature_of_mine}")


def test_token_for_one_purpose_is_refused_for_another(stack: LocalStack, subtests: pytest.Subtests) -> None:
    for issued_for, used_for in [("customer", "agent"), ("agent", "customer"), ("survey", "customer"),
                                 ("sign_in", "session")]:
        token = tokens.issue(issued_for, "ticket-123")
        with subtests.test(issued_for=issued_for, used_for=used_for), pytest.raises(Unauthorized):
            tokens.verify(used_for, token)


def test_missing_or_garbage_token_is_refused(stack: LocalStack, subtests: pytest.Subtests) -> None:
    for token in (None, "", "not-a-token", "a.b.c"):
        with subtests.test(token=token), pytest.raises(Unauthorized):
            tokens.verify("customer", token)


def test_link_works_until_it_expires_then_says_so(stack: LocalStack) -> None:
    token = tokens.issue("customer", "ticket-123")
    lifetime = timedelta(seconds=get_settings().token_ttl_seconds["customer"])
    issued = datetime.now(UTC)

    with time_machine.travel(issued + lifetime - timedelta(minutes=1), tick=False):
        assert tokens.verify("customer", token).subject == "ticket-123"
    with (
        time_machine.travel(issued + lifetime + timedelta(minutes=1), tick=False),
        pytest.raises(Unauthorized, match="expired"),
    ):
        tokens.verify("customer", token)


def test_sign_in_links_are_short_lived(stack: LocalStack) -> None:
    token = tokens.issue("sign_in", "maya@example.com")

    with (
        time_machine.travel(datetime.now(UTC) + timedelta(hours=1), tick=False),
        pytest.raises(Unauthorized, match="expired"),
    ):
        tokens.verify("sign_in", token)


def test_links_signed_before_a_key_rotation_still_work(stack: LocalStack) -> None:
    old_key = signing_secret()["current"]
    token = tokens.issue("customer", "ticket-123")

    rotate_to(secrets.token_urlsafe(48), previous=[old_key])

    assert tokens.verify("customer", token).subject == "ticket-123"
    new_token = tokens.issue("customer", "ticket-123")
    assert new_token != token
    rotate_to(secrets.token_urlsafe(48), previous=[])  # the new key is gone too
    with pytest.raises(Unauthorized):
        tokens.verify("customer", new_token)


def test_links_signed_with_a_retired_key_are_refused(stack: LocalStack) -> None:
    token = tokens.issue("customer", "ticket-123")

    rotate_to(secrets.token_urlsafe(48), previous=[secrets.token_urlsafe(48)])

    with pytest.raises(Unauthorized, match="not valid"):
        tokens.verify("customer", token)
