"""POST /api/tickets: a good form opens a ticket; anything else is a 4xx that stores and sends nothing."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from infra.local.engine import LocalStack
from tests.support.helpdesk import VALID_TICKET, submit_ticket
from tests.support.outbox import outbox_for
from tests.support.records import stored_items, stored_ticket

JSON = {"content-type": "application/json"}


def test_customer_opens_a_ticket_and_gets_its_number_back(stack: LocalStack) -> None:
    response = submit_ticket(stack, email="Maya@Example.com", subject="  Charged   twice ", priority="high")

    assert response.status == 201
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert {"id", "number", "status", "subject", "description", "category", "priority", "name", "email",
            "created_at", "updated_at"} <= set(body)
    assert not {"pk", "sk", "agent_id", "customer_email", "assignment_seq"} & set(body), "internal fields leaked"
    assert re.fullmatch(r"[0-9a-f]{32}", body["id"])
    assert body["number"] == 1001
    assert body["status"] == "new"
    assert body["subject"] == "Charged twice"
    assert body["email"] == "maya@example.com"
    assert body["priority"] == "high"
    assert body["category"] == VALID_TICKET["category"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", body["created_at"])
    assert stored_ticket(body["id"])["status"] == "new"
    assert stored_ticket(body["id"])["customer_email"] == "maya@example.com"


def test_second_ticket_gets_the_next_number(stack: LocalStack) -> None:
    first, second = submit_ticket(stack).json(), submit_ticket(stack, email="sam@example.com").json()

    assert (first["number"], second["number"]) == (1001, 1002)
    assert first["id"] != second["id"]


def without(field: str) -> dict[str, Any]:
    return {k: v for k, v in VALID_TICKET.items() if k != field}


# (id, request kwargs for stack.http, expected status, field the errors must name or None)
BAD_REQUESTS: list[tuple[str, dict[str, Any], int, str | None]] = [
    *[(f"missing-{f}", {"json_body": without(f)}, 422, f)
      for f in ("name", "email", "subject", "description", "category")],
    ("oversized-name", {"json_body": {**VALID_TICKET, "name": "n" * 121}}, 422, "name"),
    ("oversized-subject", {"json_body": {**VALID_TICKET, "subject": "s" * 201}}, 422, "subject"),
    ("oversized-description", {"json_body": {**VALID_TICKET, "description": "d" * 20_001}}, 422, "description"),
    ("oversized-email", {"json_body": {**VALID_TICKET, "email": "e" * 250 + "@example.com"}}, 422, "email"),
    ("invalid-email", {"json_body": {**VALID_TICKET, "email": "maya.example.com"}}, 422, "email"),
    ("two-emails", {"json_body": {**VALID_TICKET, "email": "maya@example.com,eve@evil.example"}}, 422, "email"),
    ("unknown-category", {"json_body": {**VALID_TICKET, "category": "refunds"}}, 422, "category"),
    ("unknown-priority", {"json_body": {**VALID_TICKET, "priority": "asap"}}, 422, "priority"),
    ("blank-subject", {"json_body": {**VALID_TICKET, "subject": "   "}}, 422, "subject"),
    ("control-char-name", {"json_body": {**VALID_TICKET, "name": "Eve\x1b[2J"}}, 422, "name"),
    ("number-as-name", {"json_body": {**VALID_TICKET, "name": 42}}, 422, "name"),
    ("extra-field", {"json_body": {**VALID_TICKET, "status": "resolved"}}, 422, "status"),
    ("malformed-json", {"body": '{"name": "Maya",', "headers": JSON}, 400, None),
    ("json-string", {"body": '"hello"', "headers": JSON}, 422, None),
    ("empty-body", {"body": "", "headers": JSON}, 422, None),
    ("body-over-64kb", {"json_body": {**VALID_TICKET, "description": "d" * (64 * 1024)}}, 413, None),
]


def assert_refused_without_trace(
    stack: LocalStack, kwargs: dict[str, Any], status: int, field: str | None = None
) -> dict[str, Any]:
    """The request gets `status` with the API's error shape, and nothing is stored or emailed for it."""
    stack.drain()  # settle anything earlier, so this request is judged alone
    items_before, mail_before = stored_items(), stack.outbox()

    response = stack.http("POST", "/api/tickets", **kwargs)

    assert response.status == status, response.body[:300]
    assert response.headers.get("content-type", "").startswith("application/json")
    body = response.json()
    assert isinstance(body.get("message"), str) and body["message"], body
    if field is not None:
        assert field in [e["field"] for e in body["errors"]], body
    stack.drain()
    assert stored_items() == items_before
    assert stack.outbox() == mail_before
    return body


def test_bad_input_is_refused_with_a_clear_4xx_and_leaves_no_trace(
    stack: LocalStack, subtests: pytest.Subtests
) -> None:
    """One stack for the whole matrix: starting one per case would be most of the suite's time."""
    for case, kwargs, status, field in BAD_REQUESTS:
        with subtests.test(case):
            assert_refused_without_trace(stack, kwargs, status, field)


def test_a_json_array_is_refused_not_read_as_its_first_element(stack: LocalStack) -> None:
    body = assert_refused_without_trace(
        stack, {"body": json.dumps([VALID_TICKET, {**VALID_TICKET, "email": "sam@example.com"}]), "headers": JSON}, 422
    )

    assert "body" in [e["field"] for e in body["errors"]]


def test_a_body_that_is_not_utf8_is_a_400_not_a_500(stack: LocalStack) -> None:
    assert_refused_without_trace(
        stack, {"body": b'{"name": "Ma\xffya", "email": "maya@example.com"}', "headers": JSON}, 400
    )


def test_a_body_that_is_not_json_by_content_type_is_a_415_with_the_api_error_shape(stack: LocalStack) -> None:
    body = assert_refused_without_trace(
        stack, {"body": json.dumps(VALID_TICKET), "headers": {"content-type": "text/plain"}}, 415
    )

    assert body.get("code")


def test_malformed_json_is_reported_as_invalid_json(stack: LocalStack) -> None:
    response = stack.http("POST", "/api/tickets", body="{not json", headers=JSON)

    assert response.status == 400
    assert response.json()["code"] == "invalid_json"


def test_every_problem_in_a_form_is_reported_at_once(stack: LocalStack) -> None:
    response = submit_ticket(stack, email="nope", category="refunds", subject="")

    assert response.status == 422
    assert {e["field"] for e in response.json()["errors"]} == {"email", "category", "subject"}


def test_a_body_just_under_64kb_is_read_not_refused_for_size(stack: LocalStack) -> None:
    padding = 64 * 1024 - len(json.dumps({**VALID_TICKET, "description": ""})) - 10
    response = submit_ticket(stack, description="d" * padding)

    assert response.status == 422  # too long a description, but not 413: the size limit is 64 KB
    assert [e["field"] for e in response.json()["errors"]] == ["description"]


def test_a_subject_with_a_smuggled_bcc_reaches_nobody_else(stack: LocalStack) -> None:
    response = submit_ticket(stack, subject="Refund\r\nBcc: eve@evil.example")
    stack.drain()

    assert response.status == 201
    assert response.json()["subject"] == "Refund Bcc: eve@evil.example"
    assert outbox_for(stack, "eve@evil.example") == []
    assert len(outbox_for(stack, VALID_TICKET["email"])) == 1


# The hosted form carries a hidden `website` field that people never see or fill; bots fill every field.
def test_a_filled_honeypot_answers_like_a_ticket_but_stores_and_sends_nothing(
    stack: LocalStack, caplog: pytest.LogCaptureFixture
) -> None:
    stack.drain()
    tickets_before, idempotency_before, mail_before = (
        stored_items(), stored_items("IdempotencyTable"), stack.outbox()
    )

    response = submit_ticket(stack, website="https://cheap-pills.example", headers={"Idempotency-Key": "bot-1"})
    stack.drain()

    assert response.status == 201, response.body[:300]
    decoy = response.json()
    assert re.fullmatch(r"[0-9a-f]{32}", decoy["id"])
    assert (decoy["status"], decoy["email"], decoy["number"]) == ("new", VALID_TICKET["email"], 1001)
    assert stored_items() == tickets_before, "a filled honeypot stored something"
    kept = [i for i in stored_items("IdempotencyTable") if i not in idempotency_before]
    # Only its IP's rate counter (intake.TICKETS_PER_IP), so decoy answers can't be used to flood.
    assert [i["id"]["S"].split("#")[:2] for i in kept] == [["rate", "ticket-ip"]], "a honeypot kept a record"
    assert stack.outbox() == mail_before, "a filled honeypot sent email"
    assert "honeypot filled" in caplog.text

    real = submit_ticket(stack, email="someone@example.com")
    assert set(real.json()) == set(decoy), "the decoy must have a real ticket's shape"
    assert real.json()["number"] == decoy["number"], "the decoy's number is the one a real ticket gets next"


def test_an_empty_honeypot_is_an_ordinary_ticket(stack: LocalStack) -> None:
    response = submit_ticket(stack, website="")
    stack.drain()

    assert response.status == 201
    assert stored_ticket(response.json()["id"])["status"] in {"new", "assigned"}
    assert len(outbox_for(stack, VALID_TICKET["email"])) == 1


def test_an_oversized_honeypot_is_a_422_like_any_other_field(stack: LocalStack) -> None:
    assert_refused_without_trace(stack, {"json_body": {**VALID_TICKET, "website": "w" * 2001}}, 422, "website")
