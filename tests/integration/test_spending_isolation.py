"""Each person's spending is theirs alone: no id, cursor or borrowed link reaches someone else's, and sign-in can't be
used to flood an inbox."""

from __future__ import annotations

import base64
import json
import re
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pennydesk.spending import account

from infra.local.engine import LocalStack
from tests.support.actors import Spender, signed_in
from tests.support.helpdesk import open_ticket
from tests.support.outbox import link_to, outbox_for, query_of

SPENDING_PREFIXES = ("/api/me", "/api/expenses", "/api/reports")


@pytest.fixture
def ada_and_bo(stack: LocalStack) -> tuple[Spender, Spender]:
    """Two people with accounts and spending of their own in October."""
    ada = signed_in(stack, "ada.lovelace@example.com")
    bo = signed_in(stack, "bo@example.com")
    ada.settle(monthly_limit="900.00", categories=["analytical engines"])
    ada.add("450.00", "analytical engines", "2026-10-03", payee="Babbage & Co", note="gears")
    ada.add("12.00", "dining", "2026-10-04")
    bo.add("3.50", "dining", "2026-10-05")
    return ada, bo


def cursor_key(cursor: str) -> dict[str, Any]:
    return json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))


def as_cursor(key: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(key, sort_keys=True).encode()).decode().rstrip("=")


def test_someone_else_cannot_read_change_or_delete_my_expense_by_its_id(
    stack: LocalStack, ada_and_bo: tuple[Spender, Spender]
) -> None:
    ada, bo = ada_and_bo
    engines = ada.listing("2026-10", category="analytical engines")[0]
    report_before = ada.report("2026-10")

    read = bo.call("GET", f"/api/expenses/{engines['id']}")
    changed = bo.call("PUT", f"/api/expenses/{engines['id']}",
                      body={"amount": "0.01", "category": "dining", "date": "2026-10-03"})
    deleted = bo.call("DELETE", f"/api/expenses/{engines['id']}")

    assert (read.status, changed.status, deleted.status) == (404, 404, 404)
    for answer in (read, changed, deleted):
        assert b"450" not in answer.body and b"Babbage" not in answer.body
    assert ada.call("GET", f"/api/expenses/{engines['id']}").json() == engines
    assert ada.report("2026-10") == report_before
    assert bo.report("2026-10")["total"] == "3.50"


def test_my_listing_and_reports_never_show_anyone_elses_spending(
    stack: LocalStack, ada_and_bo: tuple[Spender, Spender]
) -> None:
    _, bo = ada_and_bo

    listing = bo.listing("2026-10")
    for_engines = bo.call("GET", "/api/expenses", query="month=2026-10&category=analytical%20engines")
    report = bo.report("2026-10")
    trend = bo.call("GET", "/api/reports/trend", query="months=36").json()
    me = bo.me()

    assert [(e["amount"], e["category"]) for e in listing] == [("3.50", "dining")]
    assert for_engines.status == 200 and for_engines.json()["expenses"] == []
    assert (report["total"], report["limit"]) == ("3.50", None)
    assert [c["category"] for c in report["categories"]] == ["dining"]
    assert {p["total"] for p in trend if p["month"] != "2026-10"} == {"0.00"}
    assert {p["limit"] for p in trend} == {None}
    assert me["email"] == "bo@example.com" and "analytical engines" not in me["categories"]
    everything_bo_sees = b"".join(
        bo.call("GET", path, query=query).body
        for path, query in (("/api/expenses", "month=2026-10"), ("/api/reports/monthly", "month=2026-10"),
                            ("/api/reports/trend", "months=36"), ("/api/me", ""))
    )
    for trace in (b"450", b"Babbage", b"gears", b"ada", b"900", b"engines"):
        assert trace not in everything_bo_sees, trace


def test_a_cursor_pointing_into_someone_elses_expenses_is_refused(
    stack: LocalStack, ada_and_bo: tuple[Spender, Spender]
) -> None:
    ada, bo = ada_and_bo
    for day in range(1, 5):
        bo.add("1.00", "transport", f"2026-10-{day + 10:02d}")
    ada_profile = account.find(ada.email)
    assert ada_profile is not None
    bos_cursor = bo.call("GET", "/api/expenses", query="month=2026-10&limit=2").json()["next_cursor"]
    adas_cursor = ada.call("GET", "/api/expenses", query="month=2026-10&limit=1").json()["next_cursor"]
    assert bos_cursor and adas_cursor
    key = cursor_key(bos_cursor)
    assert key["pk"]["S"] != f"USER#{ada_profile.user_id}"

    forged = as_cursor({**key, "pk": {"S": f"USER#{ada_profile.user_id}"}})
    reshaped = as_cursor({**key, "extra": {"S": "x"}})
    attempts = {"forged": forged, "ada's own": adas_cursor, "reshaped": reshaped, "garbage": "bm90IGEgY3Vyc29y"}

    for name, cursor in attempts.items():
        refused = bo.call("GET", "/api/expenses", query=f"month=2026-10&limit=2&cursor={cursor}")
        assert refused.status == 422, name
        assert [e["field"] for e in refused.json()["errors"]] == ["cursor"], name
        assert b"450" not in refused.body and b"Babbage" not in refused.body
    follow = bo.call("GET", "/api/expenses", query=f"month=2026-10&limit=2&cursor={bos_cursor}")
    assert follow.status == 200 and len(follow.json()["expenses"]) == 2


def test_ticket_links_and_sign_in_links_are_not_a_session(stack: LocalStack) -> None:
    ticket = open_ticket(stack)
    assert stack.http("POST", "/api/auth/sign-in", json_body={"email": "maya@example.com"}).status == 202
    stack.drain()
    sign_in_mail = [m for m in outbox_for(stack, "maya@example.com") if "sign-in" in m["subject"]][-1]
    sign_in_token = query_of(link_to(sign_in_mail["text"], "/signin.html"))["token"]

    for name, token in (("customer link", ticket.customer_token), ("agent link", ticket.agent_token),
                        ("sign-in link", sign_in_token), ("made up", "eyJzdWIiOiJtYXlhIn0.abc.def")):
        answer = stack.http("GET", "/api/me", headers={"Authorization": f"Bearer {token}"})
        assert answer.status == 401, name
        assert "email" not in answer.json(), name
    # The sign-in link was only looked at, so it still works once.
    assert stack.http("POST", "/api/auth/session", json_body={"token": sign_in_token}).status == 200


def test_a_session_expires(stack: LocalStack) -> None:
    maya = signed_in(stack, "maya@example.com")
    assert maya.call("GET", "/api/me").status == 200

    stack.advance_clock(datetime.now(UTC) + timedelta(days=8))

    assert maya.call("GET", "/api/me").status == 401


def sample(name: str, schema: dict[str, Any]) -> str:
    """A valid value for a required parameter, from its published schema."""
    pattern = schema.get("pattern")
    examples = {r"^\d{4}-\d{2}$": "2026-10", r"^\d{4}-\d{2}-\d{2}$": "2026-10-01", r"^[0-9a-f]{32}$": "0" * 32}
    if pattern:
        assert pattern in examples, f"no sample for {name} with pattern {pattern}: add one"
        return examples[pattern]
    if "enum" in schema:
        return str(schema["enum"][0])
    if schema.get("type") == "integer":
        return str(int(schema.get("minimum", 1)))
    if schema.get("type") == "string":
        return "x"
    raise AssertionError(f"no sample for parameter {name}: {schema}")


BODIES = {
    "ExpenseIn": {"amount": "1.00", "category": "dining", "date": "2026-10-01"},
    "MeChanges": {"digest": "weekly"},
}


def spending_requests(doc: dict[str, Any]) -> list[tuple[str, str, str, dict[str, str], str | None]]:
    """Every spending operation the API publishes, as a request that would be valid with a session."""
    requests = []
    for path, operations in doc["paths"].items():
        if not path.startswith(SPENDING_PREFIXES):
            continue
        for method, operation in operations.items():
            params = [p for p in operation.get("parameters", []) if p.get("required")]
            concrete = path
            for p in (p for p in params if p["in"] == "path"):
                concrete = concrete.replace("{" + p["name"] + "}", sample(p["name"], p["schema"]))
            query = "&".join(f"{p['name']}={sample(p['name'], p['schema'])}" for p in params if p["in"] == "query")
            headers: dict[str, str] = {}
            body: str | None = None
            content = (operation.get("requestBody") or {}).get("content", {})
            if "application/json" in content:
                schema = content["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
                assert schema in BODIES, f"no sample body for {schema} ({method.upper()} {path}): add one"
                headers, body = {"content-type": "application/json"}, json.dumps(BODIES[schema])
            elif method in ("post", "put", "patch"):
                headers, body = {"content-type": "text/csv"}, "date,amount\n2026-10-01,-1.00\n"
            requests.append((method.upper(), concrete, query, headers, body))
    return requests


def test_every_spending_route_needs_a_session(stack: LocalStack) -> None:
    maya = signed_in(stack, "maya@example.com")
    maya.add("5.00", "dining", "2026-10-01")
    doc = stack.http("GET", "/api/openapi.json").json()
    requests = spending_requests(doc)
    published = {(method, re.sub(r"0{32}", "{id}", path)) for method, path, *_ in requests}
    assert {("GET", "/api/me"), ("PUT", "/api/me"), ("POST", "/api/expenses"), ("GET", "/api/expenses"),
            ("GET", "/api/expenses/{id}"), ("PUT", "/api/expenses/{id}"), ("DELETE", "/api/expenses/{id}"),
            ("GET", "/api/reports/monthly"), ("GET", "/api/reports/trend")} <= published

    let_in = []
    for method, path, query, headers, body in requests:
        for authorization in (None, "Bearer not-a-token", "Basic bWF5YTpodW50ZXIy", f"Bearer {maya.session}x"):
            sent = {**headers, **({"authorization": authorization} if authorization else {})}
            answer = stack.http(method, path, query=query, headers=sent, body=body)
            if answer.status != 401:
                let_in.append(f"{method} {path}?{query} with {authorization}: {answer.status} {answer.body[:120]!r}")

    assert let_in == []
    assert maya.report("2026-10")["total"] == "5.00" and maya.me()["digest"] == "monthly"


# ---------------------------------------------------------------------------------------------- sign-in abuse


def sign_in_mails(stack: LocalStack, email: str) -> int:
    stack.drain()
    return sum(1 for m in outbox_for(stack, email) if m["subject"] == "Your Pennydesk sign-in link")


def test_asking_for_many_sign_in_links_looks_the_same_but_sends_at_most_five(stack: LocalStack) -> None:
    stack.advance_clock(datetime(2031, 5, 4, 9, 0, 2, tzinfo=UTC))  # just after a quarter hour starts

    answers = [
        stack.http("POST", "/api/auth/sign-in", json_body={"email": "maya@example.com"}, source_ip="198.51.100.4")
        for _ in range(8)
    ]

    assert {a.status for a in answers} == {202}
    assert len({a.body for a in answers}) == 1
    assert sign_in_mails(stack, "maya@example.com") == 5
    # Capitals are the same inbox.
    stack.http("POST", "/api/auth/sign-in", json_body={"email": "MAYA@example.com"}, source_ip="198.51.100.5")
    assert sign_in_mails(stack, "maya@example.com") == 5
    # Someone else is not held back by it.
    stack.http("POST", "/api/auth/sign-in", json_body={"email": "sam@example.com"}, source_ip="198.51.100.4")
    assert sign_in_mails(stack, "sam@example.com") == 1

    stack.advance_clock(datetime(2031, 5, 4, 9, 16, tzinfo=UTC))
    again = stack.http("POST", "/api/auth/sign-in", json_body={"email": "maya@example.com"}, source_ip="198.51.100.4")

    assert again.status == 202 and again.body == answers[0].body
    assert sign_in_mails(stack, "maya@example.com") == 6


def test_one_address_asking_for_sign_in_links_too_often_is_told_to_wait(stack: LocalStack) -> None:
    stack.advance_clock(datetime(2031, 5, 4, 10, 0, 2, tzinfo=UTC))
    crowd = [f"person{i}@example.com" for i in range(31)]

    answers = [
        stack.http("POST", "/api/auth/sign-in", json_body={"email": email}, source_ip="203.0.113.9") for email in crowd
    ]
    elsewhere = stack.http(
        "POST", "/api/auth/sign-in", json_body={"email": "sam@example.com"}, source_ip="203.0.113.10"
    )

    assert [a.status for a in answers] == [202] * 30 + [429]
    refused = answers[-1]
    retry_after = int(refused.headers["retry-after"])
    assert 0 < retry_after <= 15 * 60
    assert refused.json()["message"]
    stack.drain()
    links = Counter(to for m in stack.outbox() if m["subject"] == "Your Pennydesk sign-in link" for to in m["to"])
    assert [links[email] for email in crowd] == [1] * 30 + [0]
    assert elsewhere.status == 202

    stack.advance_clock(datetime.now(UTC) + timedelta(seconds=retry_after + 1))
    later = stack.http("POST", "/api/auth/sign-in", json_body={"email": crowd[-1]}, source_ip="203.0.113.9")

    assert later.status == 202
    assert sign_in_mails(stack, crowd[-1]) == 1
