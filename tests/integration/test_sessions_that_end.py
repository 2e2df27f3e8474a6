"""A session can end before it expires: signing out ends it on the server, "sign out everywhere" ends every
session of the address, and deactivating an agent ends theirs."""

from __future__ import annotations

from infra.local.engine import LocalStack
from tests.support.identity import bearer, sign_in
from tests.support.stack import ADMIN


def me(stack: LocalStack, session: str) -> int:
    return stack.http("GET", "/api/me", headers=bearer(session)).status


def test_signing_out_ends_that_session_and_no_other(stack: LocalStack) -> None:
    laptop, phone = sign_in(stack, "kim@example.com"), sign_in(stack, "kim@example.com")

    answer = stack.http("POST", "/api/auth/sign-out", headers=bearer(laptop))

    assert answer.status == 204
    assert me(stack, laptop) == 401
    assert me(stack, phone) == 200
    assert stack.http("POST", "/api/auth/sign-out", headers=bearer(laptop)).status == 401  # already ended


def test_signing_out_everywhere_ends_every_session_of_the_address_and_a_new_sign_in_works(
    stack: LocalStack,
) -> None:
    laptop, phone = sign_in(stack, "kim@example.com"), sign_in(stack, "kim@example.com")
    other = sign_in(stack, "lee@example.com")

    answer = stack.http("POST", "/api/auth/sign-out-everywhere", headers=bearer(phone))

    assert answer.status == 204
    assert (me(stack, laptop), me(stack, phone), me(stack, other)) == (401, 401, 200)
    assert me(stack, sign_in(stack, "kim@example.com")) == 200


def test_a_deactivated_agent_s_sessions_end_and_reactivating_does_not_bring_them_back(stack: LocalStack) -> None:
    agent_session = sign_in(stack, "grace@pennydesk.local")
    admin = bearer(sign_in(stack, ADMIN))
    grace = next(a for a in stack.http("GET", "/api/admin/agents", headers=admin).json()["agents"]
                 if a["email"] == "grace@pennydesk.local")

    for active in (False, True):
        changed = stack.http("PATCH", f"/api/admin/agents/{grace['id']}", headers=admin, json_body={"active": active})
        assert changed.status == 200

    assert me(stack, agent_session) == 401
    assert me(stack, sign_in(stack, "grace@pennydesk.local")) == 200
