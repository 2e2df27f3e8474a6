"""Every operation in /api/openapi.json, fuzzed by schemathesis with valid tokens: no input makes a 5xx, and
every answer is one the published contract describes (status, content type and body schema).

The fuzzer drives the local stack's own WSGI app (infra/local/server.py) in this process: the same
werkzeug front, the same payload 2.0 events and the same handlers `make dev` serves over a socket, at a
fraction of the cost of a subprocess (no port, no polling), which is what lets a few thousand cases fit the
time budget. Generation uses a fixed Hypothesis seed, so CI sees the same cases on every run;
PENNYDESK_FUZZ_EXAMPLES raises the per-operation budget for a longer hunt.

Path parameters that are well-formed ids are pointed at real records (the ticket, the expense, an agent)
so the fuzzer reaches the domain code behind the access check, not only the refusal in front of it.
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, seed, settings
from pennydesk.identity import tokens
from schemathesis.config import SchemathesisConfig
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from infra.local.engine import LocalStack
from infra.local.server import LocalServer
from tests.support.helpdesk import OpenTicket, act, open_ticket, submit_ticket
from tests.support.identity import sign_in
from tests.support.records import stored_items, stored_ticket
from tests.support.stack import ADMIN

FUZZ_SEED = 20261122
MAX_EXAMPLES = int(os.environ.get("PENNYDESK_FUZZ_EXAMPLES", "20"))
REPORT = Path(__file__).resolve().parents[1] / "artifacts" / "fuzz-report.json"
HEX_ID = re.compile(r"^[0-9a-f]{32}$")
CHECKS = [
    schemathesis.checks.not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
]


@dataclass
class World:
    """The records and tokens the fuzzer's requests are about."""

    stack: LocalStack
    ticket: OpenTicket
    survey_ticket: str
    survey_token: str
    agent_session: str
    admin_session: str
    user_session: str
    expense_id: str
    agent_id: str
    cases: Counter[str] = field(default_factory=Counter)
    statuses: Counter[int] = field(default_factory=Counter)
    outcomes: Counter[str] = field(default_factory=Counter)
    tickets_opened: int = 0

    def token_for(self, path: str) -> str:
        """The token a real caller of this path would hold."""
        if path.startswith("/api/auth/sign-out"):
            # Ending sessions: each call ends a session of its own, of an address nothing else here uses.
            return tokens.issue("session", "leaving@example.com", sid=uuid.uuid4().hex,
                                iat=time.time_ns() // 1_000_000 + 2)
        if path.endswith("/feedback"):
            return self.survey_token
        if path.startswith("/api/tickets/{"):
            return self.ticket.customer_token
        if path.startswith("/api/agent/tickets/"):
            return self.ticket.agent_token
        if path.startswith(("/api/agent/", "/api/admin/")):
            return self.agent_session if path.startswith("/api/agent/") else self.admin_session
        return self.user_session


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    stack = LocalStack().start()
    try:
        ticket = open_ticket(stack)
        rated = open_ticket(stack, subject="Resolved already", email="lee@example.com")
        assert act(stack, rated, "resolve", body="Done")[0] == 200
        admin = sign_in(stack, ADMIN)
        # The admin's PATCH gets an agent of its own: deactivating the ticket's agent would turn every later
        # agent request into a 403 and hide the code behind it from the fuzzer.
        spare = stack.http(
            "POST", "/api/admin/agents", headers={"Authorization": f"Bearer {admin}"},
            json_body={"email": "spare@pennydesk.local", "name": "Spare Agent", "categories": ["general"]},
        )
        assert spare.status == 201, spare.body
        survey = tokens.issue("survey", rated.id, resolution=1, agent=tokens.verify("agent", rated.agent_token).subject)
        user = sign_in(stack, "fuzz.user@example.com")
        created = stack.http(
            "POST", "/api/expenses", headers={"Authorization": f"Bearer {user}"},
            json_body={"amount": "12.34", "category": "dining", "date": "2026-11-02", "payee": "Cafe"},
        )
        assert created.status == 201, created.body
        yield World(
            stack=stack, ticket=ticket, survey_ticket=rated.id, survey_token=survey,
            agent_session=sign_in(stack, ticket.agent_email), admin_session=admin,
            user_session=user, expense_id=created.json()["id"], agent_id=spare.json()["id"],
        )
    finally:
        stack.stop()


@pytest.fixture(scope="module")
def api_schema(world: World):
    config = SchemathesisConfig.from_dict(
        {"seed": FUZZ_SEED, "generation": {"mode": "all", "deterministic": True, "database": "none"}}
    )
    return schemathesis.openapi.from_wsgi("/api/openapi.json", LocalServer(world.stack), config=config)


@pytest.fixture(scope="module", autouse=True)
def report(world: World, request: pytest.FixtureRequest) -> Iterator[None]:
    started = time.perf_counter()
    yield
    if not world.cases:
        return
    summary = {
        "seed": FUZZ_SEED,
        "max_examples_per_operation": MAX_EXAMPLES,
        "cases": sum(world.cases.values()),
        "operations": len(world.cases),
        "seconds": round(time.perf_counter() - started, 1),
        "statuses": {str(k): v for k, v in sorted(world.statuses.items())},
        "tickets_reopened_for_agent_cases": world.tickets_opened,
        "cases_per_operation": dict(sorted(world.cases.items())),
        "statuses_per_operation": dict(sorted(world.outcomes.items())),
    }
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(json.dumps(summary, indent=2) + "\n")
    line = (
        f"\nopenapi fuzz: {summary['cases']} cases over {summary['operations']} operations in "
        f"{summary['seconds']} s; statuses {summary['statuses']} (details: {REPORT.name})\n"
    )
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.getplugin("capturemanager")
    if reporter is None or capture is None:
        sys.stderr.write(line)
        return
    with capture.global_and_fixture_disabled():  # shown even when output is captured (under xdist: the JSON)
        reporter.write_line(line.strip())


def _keep_the_ticket_with_its_agent(world: World) -> None:
    """A fuzzed reassign hands the ticket on and its agent link stops working; open a fresh one so later
    agent cases reach the actions again instead of a 403."""
    ticket = stored_ticket(world.ticket.id)
    if ticket.get("agent_id") != tokens.verify("agent", world.ticket.agent_token).subject:
        world.ticket = open_ticket(world.stack, subject=f"Fresh ticket {world.tickets_opened}")
        world.tickets_opened += 1


def _point_at_real_records(case, world: World) -> None:
    """A well-formed id becomes the id of a real record; a malformed one stays, to test the 422."""
    if case.operation.path.startswith("/api/agent/tickets/"):
        _keep_the_ticket_with_its_agent(world)
    params = case.path_parameters or {}
    for name, real in (
        ("ticket_id", world.survey_ticket if case.operation.path.endswith("/feedback") else world.ticket.id),
        ("expense_id", world.expense_id),
        ("agent_id", world.agent_id),
    ):
        if isinstance(params.get(name), str) and HEX_ID.match(params[name]):
            params[name] = real


# One test, one subtest per operation and mode, each a Hypothesis run over schemathesis's strategy for it:
# schemathesis.pytest.from_fixture (the lazy parametrize) reads a private pytest attribute that pytest 9 no
# longer has (`Function._nodeid`), and a schema loaded at import would need the stack before any fixture.
def test_no_generated_request_breaks_the_contract(
    api_schema, world: World, subtests: pytest.Subtests
) -> None:
    """Valid (positive) and invalid (negative) requests for every operation, each checked by schemathesis."""
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 20
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            if mode is GenerationMode.NEGATIVE and not _takes_input(operation):
                continue  # nothing to get wrong: no parameters, no body
            with subtests.test(f"{operation.label} ({mode.value})"):
                _fuzz(operation, mode, world)
    assert set(world.cases) == {op.label for op in operations}


def _takes_input(operation) -> bool:
    return any(len(group) for group in (operation.body, operation.query, operation.path_parameters, operation.headers))


def _fuzz(operation, mode: GenerationMode, world: World) -> None:
    @seed(FUZZ_SEED)
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def one_operation(case) -> None:
        _point_at_real_records(case, world)
        headers = {"Authorization": f"Bearer {world.token_for(case.operation.path)}"}
        response = case.call(headers=headers)
        world.cases[case.operation.label] += 1
        world.statuses[response.status_code] += 1
        world.outcomes[f"{case.operation.label} {response.status_code}"] += 1
        case.validate_response(response, checks=CHECKS, headers=headers)

    one_operation()


# ------------------------------------------------------------------------------------------------------------------
# What the generator does not reach by itself: the error contract, and bodies that are not JSON at all.

ERROR_REF = "#/components/schemas/ApiError"
DATA_TABLES = ("TicketsTable", "AgentsTable", "SpendingTable")


def _operations(document: dict) -> list[tuple[str, str, dict]]:
    return [(method.upper(), path, op) for path, ops in document["paths"].items() for method, op in ops.items()]


def _has_body(method: str, path: str, operation: dict) -> bool:
    return "requestBody" in operation or path == "/api/expenses/import"


def test_every_error_a_route_answers_is_published_with_the_api_error_shape(world: World) -> None:
    document = world.stack.http("GET", "/api/openapi.json").json()
    error = document["components"]["schemas"]["ApiError"]
    assert set(error["required"]) == {"message", "code"}
    assert {"message", "code", "errors"} <= set(error["properties"])
    assert "HTTPValidationError" not in json.dumps(document)  # Powertools' {"detail": ...} is not what we send

    missing = []
    for method, path, operation in _operations(document):
        expected = {"413", "422", "429"}
        if _has_body(method, path, operation):
            expected |= {"400", "415"}
        if operation.get("security"):
            expected |= {"401", "403"}
        for status in sorted(expected):
            answer = operation["responses"].get(status, {})
            if answer.get("content", {}).get("application/json", {}).get("schema", {}).get("$ref") != ERROR_REF:
                missing.append(f"{method} {path} {status}")
    assert missing == []


def _stored_counts() -> dict[str, int]:
    return {table: len(stored_items(table)) for table in DATA_TABLES}


def _body_requests(world: World) -> list[tuple[str, str, dict[str, str]]]:
    """Every operation that takes a body, with a real path and the token its caller would hold."""
    document = world.stack.http("GET", "/api/openapi.json").json()
    requests = []
    for method, path, operation in _operations(document):
        if not _has_body(method, path, operation):
            continue
        real = (
            path.replace("{ticket_id}", world.survey_ticket if path.endswith("/feedback") else world.ticket.id)
            .replace("{expense_id}", world.expense_id)
            .replace("{agent_id}", world.agent_id)
        )
        requests.append((method, real, {"authorization": f"Bearer {world.token_for(path)}"}))
    return requests


UNREADABLE_BODIES = {
    # name: (content type, body, the status the API answers)
    "not UTF-8": ("application/json", b'{"email": "ma\xffya@example.com"}', 400),
    "truncated JSON": ("application/json", b'{"email": "maya@exa', 400),
    "JSON null": ("application/json", b"null", 422),
    "JSON array": ("application/json", b'[{"email": "maya@example.com"}]', 422),
    "JSON string": ("application/json", b'"maya@example.com"', 422),
    "NUL byte": ("application/json", b"\x00", 400),
    "nested 30,000 deep": ("application/json", b"[" * 30_000 + b"]" * 30_000, 400),
    "a 5,000-digit number": ("application/json", b'{"rating": ' + b"9" * 5000 + b"}", 400),
    "a number past float range": ("application/json", b'{"rating": 1e400, "amount": -1e400}', 422),
    "form-encoded": ("application/x-www-form-urlencoded", b"email=maya%40example.com", 415),
    "multipart, broken boundary": (
        "multipart/form-data; boundary=xyz", b"--abc\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\nx", 415,
    ),
    "multipart, no boundary": ("multipart/form-data", b"--\r\n\r\n--", 415),
    "XML": ("application/xml", b"<ticket><email>maya@example.com</email></ticket>", 415),
}


def test_a_body_the_api_cannot_read_is_a_clear_4xx_and_stores_nothing(
    world: World, subtests: pytest.Subtests
) -> None:
    """The CSV import reads text, so JSON-shaped refusals do not apply to it: its own rules are tested in
    test_csv_import_export.py; here it must only never fail."""
    before = _stored_counts()
    for method, path, auth in _body_requests(world):
        for name, (content_type, body, status) in UNREADABLE_BODIES.items():
            with subtests.test(f"{method} {path}: {name}"):
                answer = world.stack.http(method, path, headers={**auth, "content-type": content_type}, body=body)
                assert answer.status < 500, answer.body[:300]
                assert answer.headers["content-type"].startswith("application/json")
                refusal = answer.json()
                if path == "/api/expenses/import":
                    continue
                if path.endswith("/attachments") and content_type.startswith("multipart/form-data"):
                    status = 422  # a type these routes read: a broken form is refused by what it lacks
                assert answer.status == status, refusal
                assert refusal["message"] and refusal["code"]
    assert _stored_counts() == before


ODD_TEXT = {
    "lone surrogate": "\ud800",
    "right-to-left override": "refund\u202eexe.pdf",
    "zero-width joiners": "a\u200d\u200d\u200db",
    "combining marks": "Z\u0351\u0352\u0353\u0354\u0355" * 50,
    "astral emoji": "\U0001f4b8" * 100,
    "noncharacter": "\uffff\ufffe",
    "NUL": "before\x00after",
}


def test_odd_unicode_in_any_text_field_is_stored_exactly_or_refused_clearly(
    world: World, subtests: pytest.Subtests
) -> None:
    stack = world.stack
    user = {"authorization": f"Bearer {world.user_session}"}
    for name, text in ODD_TEXT.items():
        with subtests.test(name):
            ticket = submit_ticket(stack, subject=f"Help {text}", name=text, description=text)
            expense = stack.http(
                "POST", "/api/expenses", headers=user,
                json_body={"amount": "1.00", "category": "dining", "date": "2026-11-03", "payee": text, "note": text},
            )
            message = stack.http(
                "POST", f"/api/tickets/{world.ticket.id}/messages", headers=world.ticket.customer,
                json_body={"body": text},
            )
            sign_in_answer = stack.http("POST", "/api/auth/sign-in", json_body={"email": f"{text}@example.com"})
            for answer in (ticket, expense, message, sign_in_answer):
                assert answer.status < 500, answer.body[:300]
                assert "message" in answer.json() if answer.status >= 400 else True
            if expense.status == 201:
                assert expense.json()["payee"] == text.strip()


MALFORMED_CSV = {
    "unterminated quote": b'date,amount,payee\n2026-11-01,-1.00,"Corner shop\n2026-11-02,-2.00,Bakery\n',
    "NUL in a cell": b"date,amount,payee\n2026-11-01,-1.00,Cor\x00ner\n",
    "one 100,000-character cell": b"date,amount,payee\n2026-11-01,-1.00," + b"x" * 100_000 + b"\n",
    "10,000 columns": b"date,amount," + b",".join(b"c%d" % i for i in range(10_000)) + b"\n2026-11-01,-1.00\n",
    "CR line endings": b"date,amount\r2026-11-01,-1.00\r2026-11-02,-2.00\r",
    "BOM and blank lines": b"\xef\xbb\xbfdate,amount\n\n\n2026-11-01,-1.00\n\n",
    "header only": b"date,amount\n",
    "no header": b"2026-11-01,-1.00\n",
    "binary": bytes(range(256)) * 4,
    "JSON instead": b'{"date": "2026-11-01", "amount": "-1.00"}',
    "multipart upload": b'--b\r\nContent-Disposition: form-data; name="file"; filename="x.csv"\r\n\r\n'
    b"date,amount\r\n--b--",
}


def test_a_malformed_csv_upload_is_judged_line_by_line_or_refused_never_a_5xx(
    world: World, subtests: pytest.Subtests
) -> None:
    auth = {"authorization": f"Bearer {world.user_session}"}
    before = _stored_counts()
    for name, body in MALFORMED_CSV.items():
        for content_type in ("text/csv", "multipart/form-data; boundary=b"):
            with subtests.test(f"{name} as {content_type}"):
                answer = world.stack.http(
                    "POST", "/api/expenses/import", query="preview=true&payee=payee",
                    headers={**auth, "content-type": content_type}, body=body,
                )
                assert answer.status < 500, answer.body[:300]
                reply = answer.json()
                if answer.status >= 400:
                    assert reply["message"] and reply["code"], reply
                else:
                    assert reply["rows"] == reply["would_import"] + reply["duplicates"] + reply["credits"] + reply[
                        "invalid"
                    ], reply
                if content_type.startswith("multipart"):
                    assert answer.status == 415, reply
    assert _stored_counts() == before  # previews store nothing, whatever the file


def test_a_method_a_path_does_not_take_is_a_405_naming_those_it_does(world: World, subtests: pytest.Subtests) -> None:
    document = world.stack.http("GET", "/api/openapi.json").json()
    for path, operations in document["paths"].items():
        real = path.replace("{ticket_id}", world.ticket.id).replace("{expense_id}", world.expense_id).replace(
            "{agent_id}", world.agent_id
        )
        published = {method.upper() for method in operations}
        for method in sorted({"GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"} - published):
            with subtests.test(f"{method} {path}"):
                answer = world.stack.http(method, real, headers={"authorization": f"Bearer {world.user_session}"})
                assert answer.status == 405, answer.body[:200]
                assert set(answer.headers["allow"].split(", ")) == published
                assert answer.json()["message"] and answer.json()["code"]
