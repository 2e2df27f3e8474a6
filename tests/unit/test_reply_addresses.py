"""Reply addresses: short enough for an address, scoped to one ticket and one side, signed with the links'
keys (so they survive a rotation), expiring with the side's link, and indifferent to letter case."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from pennydesk.identity import reply_tokens, tokens
from pennydesk.platform.errors import Unauthorized

TICKET = "0123456789abcdef0123456789abcdef"
OTHER = "fedcba9876543210fedcba9876543210"
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def keys(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    current = ["old-key", "current-key"]
    monkeypatch.setattr(tokens, "signing_keys", lambda: list(current))
    return current


@pytest.fixture(autouse=True)
def frozen() -> object:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.mark.parametrize("role", ["customer", "agent"])
def test_a_reply_address_names_its_ticket_and_side_and_fits_a_local_part(role: str) -> None:
    address = reply_tokens.address(role, TICKET)

    local, _, domain = address.partition("@")
    assert domain == "pennydesk.local" and local.startswith("reply+") and len(local) <= 64
    assert local == local.lower()
    assert reply_tokens.verify(reply_tokens.token_in(address) or "") == reply_tokens.ReplyGrant(role, TICKET)


def test_mail_systems_that_change_the_case_of_the_address_do_not_break_it() -> None:
    address = reply_tokens.address("customer", TICKET).upper()

    assert reply_tokens.verify(reply_tokens.token_in(address) or "").ticket_id == TICKET


def test_a_changed_character_anywhere_is_refused() -> None:
    token = reply_tokens.issue("customer", TICKET)
    for index in range(len(token)):
        changed = token[:index] + ("b" if token[index] != "b" else "c") + token[index + 1:]
        with pytest.raises(Unauthorized):
            reply_tokens.verify(changed)


def test_the_ticket_or_the_side_cannot_be_swapped() -> None:
    token = reply_tokens.issue("customer", TICKET)

    with pytest.raises(Unauthorized):
        reply_tokens.verify(token.replace(TICKET, OTHER))
    with pytest.raises(Unauthorized):
        reply_tokens.verify("a" + token[1:])


def test_a_rotated_key_still_verifies_addresses_already_sent(keys: list[str]) -> None:
    token = reply_tokens.issue("agent", TICKET)
    keys[:] = ["current-key", "newest-key"]

    assert reply_tokens.verify(token).role == "agent"
    keys[:] = ["newest-key"]
    with pytest.raises(Unauthorized):
        reply_tokens.verify(token)


def test_a_reply_address_expires_with_its_sides_link(frozen: time_machine.Traveller) -> None:
    agent, customer = reply_tokens.issue("agent", TICKET), reply_tokens.issue("customer", TICKET)
    frozen.move_to(NOW + timedelta(days=20))

    assert reply_tokens.verify(customer).role == "customer"  # customers' links last 60 days
    with pytest.raises(Unauthorized):
        reply_tokens.verify(agent)  # agents' 14


@pytest.mark.parametrize(
    "recipient", ["support@pennydesk.local", "reply+abc@elsewhere.example", "reply@pennydesk.local", "nope"]
)
def test_only_reply_addresses_at_the_inbound_domain_carry_a_token(recipient: str) -> None:
    assert reply_tokens.token_in(recipient) is None
