"""What a form accepts can't turn into something else on an agent's page or in a mail header: hostile
addresses and bidirectional controls are refused with a 422 that names the field, and nothing is stored."""

from __future__ import annotations

from typing import Any

import pytest

from infra.local.engine import LocalStack
from tests.support.identity import bearer, sign_in
from tests.support.stack import ADMIN

TICKET = {
    "name": "Maya Lin",
    "email": "maya@example.com",
    "subject": "Refund",
    "description": "I was charged twice.",
    "category": "billing",
}
HOSTILE_ADDRESSES = [
    "kim?bcc=spy%40evil.example&x@example.com",
    "nul\x00part@example.com",
    "Kim <kim@example.com>",
    "undisclosed-recipients:;",
    "kim(comment)@example.com",
]


def refused_fields(answer: Any) -> list[str]:
    assert answer.status == 422, answer.body[:300]
    return [e["field"] for e in answer.json()["errors"]]


@pytest.mark.parametrize("address", HOSTILE_ADDRESSES)
def test_a_ticket_from_a_hostile_address_is_refused_and_nothing_is_sent(stack: LocalStack, address: str) -> None:
    answer = stack.http("POST", "/api/tickets", json_body={**TICKET, "email": address})

    assert refused_fields(answer) == ["email"]
    stack.drain()
    assert stack.outbox() == []


@pytest.mark.parametrize("address", HOSTILE_ADDRESSES)
def test_a_sign_in_for_a_hostile_address_is_refused(stack: LocalStack, address: str) -> None:
    assert refused_fields(stack.http("POST", "/api/auth/sign-in", json_body={"email": address})) == ["email"]


@pytest.mark.parametrize("field", ["name", "subject", "description"])
def test_a_right_to_left_override_in_what_the_customer_typed_is_refused(stack: LocalStack, field: str) -> None:
    answer = stack.http("POST", "/api/tickets", json_body={**TICKET, field: "invoice\u202efdp.exe"})

    assert refused_fields(answer) == [field]


@pytest.mark.parametrize("name", ["Eve\r\nBcc: spy@evil.example", "Eve\nLovelace", "Ada\u202eecalevoL"])
def test_an_agent_name_that_would_break_a_mail_header_or_read_backwards_is_refused(
    stack: LocalStack, name: str
) -> None:
    admin = bearer(sign_in(stack, ADMIN))
    created = stack.http(
        "POST", "/api/admin/agents", headers=admin,
        json_body={"email": "new.agent@pennydesk.local", "name": name, "categories": ["general"]},
    )
    assert refused_fields(created) == ["name"]

    ada = next(a for a in stack.http("GET", "/api/admin/agents", headers=admin).json()["agents"] if a["name"])
    renamed = stack.http("PATCH", f"/api/admin/agents/{ada['id']}", headers=admin, json_body={"name": name})
    assert refused_fields(renamed) == ["name"]
