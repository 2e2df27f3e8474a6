"""A client that retries with the same Idempotency-Key opens one ticket, never two."""

from __future__ import annotations

import pytest

from infra.local.engine import LocalStack
from tests.support.helpdesk import VALID_TICKET, submit_ticket
from tests.support.outbox import outbox_for
from tests.support.records import stored_tickets
from tests.support.stack import ADMIN


def test_retrying_with_the_same_key_returns_the_same_ticket_and_sends_one_confirmation(stack: LocalStack) -> None:
    first = submit_ticket(stack, headers={"Idempotency-Key": "form-7f3a"})
    retry = submit_ticket(stack, headers={"Idempotency-Key": "form-7f3a"})
    stack.drain()

    assert (first.status, retry.status) == (201, 201)
    assert retry.json() == first.json()
    assert len(stored_tickets()) == 1
    assert len(outbox_for(stack, VALID_TICKET["email"])) == 1


def test_without_a_key_each_post_is_a_new_ticket(stack: LocalStack) -> None:
    first, second = submit_ticket(stack), submit_ticket(stack)

    assert first.json()["id"] != second.json()["id"]
    assert len(stored_tickets()) == 2


def reuse_key_with_another_ticket(stack: LocalStack) -> None:
    first = submit_ticket(stack, headers={"Idempotency-Key": "form-7f3a"})
    other = submit_ticket(stack, subject="Something else entirely", headers={"Idempotency-Key": "form-7f3a"})
    stack.drain()

    assert first.status == 201
    assert other.status == 422, other.body
    assert "Idempotency-Key" in [e["field"] for e in other.json()["errors"]]
    assert len(stored_tickets()) == 1
    assert len(outbox_for(stack, VALID_TICKET["email"])) == 1


def test_reusing_a_key_for_a_different_ticket_is_refused(stack: LocalStack) -> None:
    reuse_key_with_another_ticket(stack)


def test_reusing_a_key_is_refused_even_after_the_api_has_sent_an_email(stack: LocalStack) -> None:
    """A warm API function has sent sign-in links before; the ticket check must not depend on that.

    Requests and emails both go through the product's idempotency setup, and which kind a container
    happened to run first must not change what the other kind does.
    """
    assert stack.http("POST", "/api/auth/sign-in", json_body={"email": ADMIN}).status == 202
    stack.drain()  # the worker sends the link
    assert len(outbox_for(stack, ADMIN)) == 1

    reuse_key_with_another_ticket(stack)


def test_a_malformed_key_is_refused_and_nothing_is_stored(stack: LocalStack, subtests: pytest.Subtests) -> None:
    malformed = [("too-long", "k" * 256), ("space", "two words"), ("tab", "tab\there"), ("non-ascii", "caf\u00e9")]
    for case, key in malformed:
        with subtests.test(case):
            response = submit_ticket(stack, headers={"Idempotency-Key": key})

            assert 400 <= response.status < 500
            assert "Idempotency-Key" in [e["field"] for e in response.json()["errors"]]
    assert stored_tickets() == []


def test_the_longest_allowed_key_works(stack: LocalStack) -> None:
    assert submit_ticket(stack, headers={"Idempotency-Key": "k" * 255}).status == 201


def test_keys_are_scoped_to_the_sender_so_two_customers_can_use_the_same_one(stack: LocalStack) -> None:
    maya = submit_ticket(stack, email="maya@example.com", headers={"Idempotency-Key": "attempt-1"})
    sam = submit_ticket(stack, email="sam@example.com", headers={"Idempotency-Key": "attempt-1"})
    stack.drain()

    assert (maya.status, sam.status) == (201, 201)
    assert maya.json()["id"] != sam.json()["id"]
    assert sam.json()["email"] == "sam@example.com"
    assert len(stored_tickets()) == 2
    assert len(outbox_for(stack, "maya@example.com")) == 1
    assert len(outbox_for(stack, "sam@example.com")) == 1
