"""A retried POST /api/expenses with the same Idempotency-Key records the money once."""

from __future__ import annotations

from infra.local.engine import LocalStack
from tests.support.actors import signed_in

EXPENSE = {"amount": "42.10", "category": "groceries", "date": "2026-10-03", "payee": "Market"}


def post(spender, body: dict, key: str | None):
    headers = {**spender.auth, **({"Idempotency-Key": key} if key else {})}
    return spender.stack.http("POST", "/api/expenses", headers=headers, json_body=body)


def test_a_retried_create_records_the_expense_once(stack: LocalStack) -> None:
    spender = signed_in(stack, "retry@example.com")

    first = post(spender, EXPENSE, "phone-tap-1")
    again = post(spender, EXPENSE, "phone-tap-1")

    assert first.status == again.status == 201
    assert first.json()["id"] == again.json()["id"]
    assert spender.report("2026-10")["total"] == "42.10"
    assert sum(len(page) for page in spender.pages("2026-10")) == 1


def test_the_same_key_with_another_expense_is_refused(stack: LocalStack) -> None:
    spender = signed_in(stack, "retry@example.com")
    post(spender, EXPENSE, "k-1")

    reused = post(spender, {**EXPENSE, "amount": "99.00"}, "k-1")

    assert reused.status == 422
    assert reused.json()["code"] == "idempotency_key_reused"
    assert spender.report("2026-10")["total"] == "42.10"


def test_two_people_may_use_the_same_key(stack: LocalStack) -> None:
    ann = signed_in(stack, "ann@example.com")
    bob = signed_in(stack, "bob@example.com")

    assert post(ann, EXPENSE, "same").status == 201
    second = post(bob, {**EXPENSE, "amount": "5.00"}, "same")

    assert second.status == 201
    assert bob.report("2026-10")["total"] == "5.00"
    assert ann.report("2026-10")["total"] == "42.10"
