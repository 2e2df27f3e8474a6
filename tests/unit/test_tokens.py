"""Emailed links: signed, scoped to one purpose, expiring, and surviving a key rotation."""

from __future__ import annotations

import json
import secrets
from datetime import UTC, datetime, timedelta

import boto3
import pytest
import time_machine
from aws_lambda_powertools.utilities import parameters

from infra.local.engine import REGION, LocalStack
from pennydesk import tokens
from pennydesk.errors import Unauthorized
from pennydesk.settings import get_settings


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


@pytest.mark.parametrize("position", [0, 10, -6, -15])
def test_tampered_token_is_refused(stack: LocalStack, position: int) -> None:
    token = tokens.issue("customer", "ticket-123")
    index = position % len(token)
    flipped = "x" if token[index] != "x" else "Q"  # differs in high bits, not just base64 padding bits
    tampered = token[:index] + flipped + token[index + 1 :]

    with pytest.raises(Unauthorized):
        tokens.verify("customer", tampered)


def test_token_whose_subject_was_swapped_is_refused(stack: LocalStack) -> None:
    mine = tokens.issue("customer", "ticket-mine")
    theirs = tokens.issue("customer", "ticket-theirs")
    payload_of_theirs, signature_of_mine = theirs.split(".", 1)[0], mine.split(".", 1)[1]

    with pytest.raises(Unauthorized):
        tokens.verify("customer", f"{payload_of_theirs}.{signature_of_mine}")


@pytest.mark.parametrize(("issued_for", "used_for"), [("customer", "agent"), ("agent", "customer"),
                                                        ("survey", "customer"), ("sign_in", "session")])
def test_token_for_one_purpose_is_refused_for_another(stack: LocalStack, issued_for: str, used_for: str) -> None:
    token = tokens.issue(issued_for, "ticket-123")

    with pytest.raises(Unauthorized):
        tokens.verify(used_for, token)


@pytest.mark.parametrize("token", [None, "", "not-a-token", "a.b.c"])
def test_missing_or_garbage_token_is_refused(stack: LocalStack, token: str | None) -> None:
    with pytest.raises(Unauthorized):
        tokens.verify("customer", token)


def test_link_works_until_it_expires_then_says_so(stack: LocalStack) -> None:
    token = tokens.issue("customer", "ticket-123")
    lifetime = timedelta(seconds=get_settings().token_ttl_seconds["customer"])
    issued = datetime.now(UTC)

    with time_machine.travel(issued + lifetime - timedelta(minutes=1), tick=False):
        assert tokens.verify("customer", token).subject == "ticket-123"
    with time_machine.travel(issued + lifetime + timedelta(minutes=1), tick=False):
        with pytest.raises(Unauthorized, match="expired"):
            tokens.verify("customer", token)


def test_sign_in_links_are_short_lived(stack: LocalStack) -> None:
    token = tokens.issue("sign_in", "maya@example.com")

    with time_machine.travel(datetime.now(UTC) + timedelta(hours=1), tick=False):
        with pytest.raises(Unauthorized, match="expired"):
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
