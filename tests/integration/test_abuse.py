"""Abuse: what a hostile or careless client can do to the public surface, and what it gets.

Already covered elsewhere, and not repeated here: sign-in's per-address limit (at most five links per
15 minutes, answered exactly like a sent one) and per-IP limit (30 per 15 minutes, then 429 with
Retry-After) in test_spending_isolation.py; the form's honeypot in test_intake_api.py and the browser
tests; the CSV import's 5 MB and 50,000-row limits in test_csv_import_export.py.
"""

from __future__ import annotations

import base64
import json
import statistics
import time
import uuid
from datetime import UTC, datetime

import boto3
import pytest
from pennydesk.helpdesk import roster
from pennydesk.platform.email.render import render
from pennydesk.platform.email.send import send
from pennydesk.spending import account

from infra.local.engine import REGION, ROOT, LocalStack
from infra.local.template import load_yaml
from tests.support.helpdesk import VALID_TICKET, open_ticket
from tests.support.identity import sign_in, sign_in_aws_calls
from tests.support.outbox import outbox_for
from tests.support.records import stored_items, stored_tickets
from tests.support.stack import ADMIN

KB = 1024
MB = 1024 * KB
SIGN_IN = "/api/auth/sign-in"
TOO_LARGE = "The request body is larger than 64 KB."
DATA_TABLES = ("TicketsTable", "AgentsTable", "SpendingTable")


def _stored_counts() -> dict[str, int]:
    return {table: len(stored_items(table)) for table in DATA_TABLES}


# ---------------------------------------------------------------------------------------------- throttling


def test_the_gateway_throttles_every_route() -> None:
    """API Gateway answers 429 before Lambda runs: the first line against a flood, in front of the app's limits."""
    api = load_yaml(ROOT / "template.yaml")["Resources"]["HttpApi"]["Properties"]
    throttling = api["DefaultRouteSettings"]

    assert 0 < throttling["ThrottlingRateLimit"] <= 100
    assert throttling["ThrottlingRateLimit"] <= throttling["ThrottlingBurstLimit"] <= 500


def test_rate_limit_counters_hold_no_address_and_expire_with_their_window(stack: LocalStack) -> None:
    stack.advance_clock(datetime(2031, 6, 2, 9, 0, 5, tzinfo=UTC))
    for _ in range(3):
        stack.http("POST", SIGN_IN, json_body={"email": "Maya@Example.com"}, source_ip="198.51.100.77")
    stack.drain()  # the worker counts the address when it sends the link (identity.sessions.send_sign_in_link)

    counters = [i for i in stored_items("IdempotencyTable") if i["id"]["S"].startswith("rate#")]
    ttl = boto3.client("dynamodb", region_name=REGION).describe_time_to_live(TableName="IdempotencyTable")

    assert ttl["TimeToLiveDescription"]["AttributeName"] == "expiration"
    assert sorted(c["id"]["S"].split("#")[1] for c in counters) == ["sign-in-email", "sign-in-ip"]
    window_end = int(datetime(2031, 6, 2, 9, 15, tzinfo=UTC).timestamp())
    for counter in counters:
        assert int(counter["hits"]["N"]) == 3
        assert window_end < int(counter["expiration"]["N"]) <= window_end + 120  # gone soon after the window
        stored = json.dumps(counter).lower()
        assert "maya" not in stored and "198.51.100.77" not in stored  # keyed by a hash, not the address


def test_a_refused_sign_in_reads_the_same_for_every_address(stack: LocalStack) -> None:
    """Past the per-IP limit the 429 is the API's error shape with Retry-After, whoever is asked about."""
    stack.advance_clock(datetime(2031, 6, 2, 10, 0, 5, tzinfo=UTC))
    for i in range(30):
        stack.http("POST", SIGN_IN, json_body={"email": f"p{i}@example.com"}, source_ip="203.0.113.50")

    refused = [
        stack.http("POST", SIGN_IN, json_body={"email": email}, source_ip="203.0.113.50")
        for email in ("ada@pennydesk.local", ADMIN, "nobody-here@example.com")
    ]

    assert {r.status for r in refused} == {429}
    assert len({r.body for r in refused}) == 1
    assert {r.json()["code"] for r in refused} == {"too_many_requests"}
    assert all(0 < int(r.headers["retry-after"]) <= 900 for r in refused)


def _ticket_from(stack: LocalStack, email: str, ip: str) -> tuple[int, dict]:
    answer = stack.http(
        "POST", "/api/tickets", json_body={**VALID_TICKET, "email": email}, source_ip=ip
    )
    return answer.status, answer.json()


def test_ticket_intake_takes_ten_tickets_an_hour_from_one_address_then_429_storing_nothing(
    stack: LocalStack,
) -> None:
    """Anyone can open a ticket in someone's name, and each one emails that address: ten an hour is a person."""
    stack.advance_clock(datetime(2031, 6, 2, 11, 0, 5, tzinfo=UTC))
    answers = [_ticket_from(stack, "victim@example.com", f"198.51.100.{i}") for i in range(10)]
    assert {status for status, _ in answers} == {201}
    stack.drain()
    before_tickets, before_mail = len(stored_tickets()), len(outbox_for(stack, "victim@example.com"))

    status, body = _ticket_from(stack, "Victim@Example.com", "198.51.100.99")
    stack.drain()

    assert status == 429
    assert body["code"] == "too_many_requests"
    assert "hour" in body["message"]
    assert len(stored_tickets()) == before_tickets == 10
    assert len(outbox_for(stack, "victim@example.com")) == before_mail == 10
    assert _ticket_from(stack, "someone-else@example.com", "198.51.100.99")[0] == 201

    stack.advance_clock(datetime(2031, 6, 2, 12, 0, 5, tzinfo=UTC))
    assert _ticket_from(stack, "victim@example.com", "198.51.100.99")[0] == 201  # a new hour


def test_ticket_intake_takes_sixty_tickets_per_15_minutes_from_one_ip_then_429(stack: LocalStack) -> None:
    stack.advance_clock(datetime(2031, 6, 2, 13, 0, 5, tzinfo=UTC))
    statuses = [_ticket_from(stack, f"p{i}@example.com", "203.0.113.60")[0] for i in range(60)]
    assert set(statuses) == {201}

    status, body = _ticket_from(stack, "one-more@example.com", "203.0.113.60")

    assert status == 429
    assert body["code"] == "too_many_requests"
    assert _ticket_from(stack, "one-more@example.com", "203.0.113.61")[0] == 201


def test_a_honeypot_bot_counts_against_its_ip_too(stack: LocalStack) -> None:
    """A bot that fills the hidden field learns nothing, but it can't use the decoy answers to flood us either."""
    stack.advance_clock(datetime(2031, 6, 2, 14, 0, 5, tzinfo=UTC))
    for i in range(60):
        stack.http(
            "POST", "/api/tickets",
            json_body={**VALID_TICKET, "email": f"bot{i}@example.com", "website": "http://spam.example"},
            source_ip="203.0.113.70",
        )
    assert _ticket_from(stack, "real@example.com", "203.0.113.70")[0] == 429


# ---------------------------------------------------------------------------------------------- size limits


def _json_routes(stack: LocalStack) -> list[tuple[str, str, dict[str, str]]]:
    ticket = open_ticket(stack)
    user = sign_in(stack, "big.bodies@example.com")
    admin = sign_in(stack, ADMIN)
    expense = stack.http(
        "POST", "/api/expenses", headers={"authorization": f"Bearer {user}"},
        json_body={"amount": "1.00", "category": "dining", "date": "2026-11-01"},
    ).json()["id"]
    auth = {
        "/api/tickets/": ticket.customer_token, "/api/agent/": ticket.agent_token, "/api/admin/": admin,
        "/api/me": user, "/api/expenses": user,
    }
    document = stack.http("GET", "/api/openapi.json").json()
    routes = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if "requestBody" not in operation:
                continue
            real = (
                path.replace("{ticket_id}", ticket.id).replace("{expense_id}", expense).replace("{agent_id}", "0" * 32)
            )
            token = next((t for prefix, t in auth.items() if real.startswith(prefix)), None)
            routes.append((method.upper(), real, {"authorization": f"Bearer {token}"} if token else {}))
    assert len(routes) >= 10
    return routes


def _padded(size: int, character: str = "x") -> bytes:
    """A JSON object of exactly `size` bytes (UTF-8) whose one field is padding."""
    shell = json.dumps({"padding": ""}).encode()
    width = len(character.encode())
    body = json.dumps({"padding": character * ((size - len(shell)) // width)}, ensure_ascii=False).encode()
    return body + b" " * (size - len(body))


def test_every_json_route_refuses_a_body_over_64_kb_whole_and_stores_nothing(
    stack: LocalStack, subtests: pytest.Subtests
) -> None:
    routes = _json_routes(stack)
    before = _stored_counts()
    mail_before = len(stack.outbox())
    for method, path, auth in routes:
        headers = {**auth, "content-type": "application/json"}
        with subtests.test(f"{method} {path}"):
            at_limit = stack.http(method, path, headers=headers, body=_padded(64 * KB))
            over = stack.http(method, path, headers=headers, body=_padded(64 * KB + 1))
            # Bytes, not characters: 22,000 three-byte characters are 66 KB.
            wide = stack.http(method, path, headers=headers, body=_padded(66 * KB, "\u20ac"))

            assert at_limit.status != 413 and at_limit.status < 500, at_limit.body[:200]
            for answer in (over, wide):
                assert answer.status == 413, answer.body[:200]
                assert answer.json() == {"message": TOO_LARGE, "code": "payload_too_large"}
    stack.drain()
    assert _stored_counts() == before
    assert len(stack.outbox()) == mail_before


def test_the_csv_import_takes_up_to_5_mb_and_counts_encoded_bytes(stack: LocalStack) -> None:
    auth = {"authorization": f"Bearer {sign_in(stack, 'importer@example.com')}", "content-type": "text/csv"}
    header = b"date,amount\n"
    row = b"2026-11-01,-1.00\n"
    just_over = header + b"#" * (5 * MB + 1 - len(header))

    over = stack.http("POST", "/api/expenses/import", query="preview=true", headers=auth, body=just_over)
    # A body that is not UTF-8 reaches the function base64-encoded: the limit is on the decoded bytes.
    over_binary = stack.http(
        "POST", "/api/expenses/import", query="preview=true", headers=auth, body=b"\xff" * (5 * MB + 1)
    )
    bigger_than_json_limit = stack.http(
        "POST", "/api/expenses/import", query="preview=true", headers=auth, body=header + row * (200 * KB // len(row))
    )

    assert (over.status, over.json()["code"]) == (413, "payload_too_large")
    assert (over_binary.status, over_binary.json()["code"]) == (413, "payload_too_large")
    assert bigger_than_json_limit.status == 200, bigger_than_json_limit.body[:300]
    assert bigger_than_json_limit.json()["would_import"] == 200 * KB // len(row)


def test_a_binary_body_is_measured_as_sent_not_as_base64(stack: LocalStack) -> None:
    """API Gateway base64-encodes a body that is not text (a third larger); the limit is on the bytes sent."""
    under = b"\xff" * (50 * KB)  # 68 KB once encoded
    over = b"\xff" * (64 * KB + 1)

    assert len(base64.b64encode(under)) > 64 * KB
    assert stack.http("POST", "/api/tickets", headers={"content-type": "application/json"}, body=under).status == 400
    assert stack.http("POST", "/api/tickets", headers={"content-type": "application/json"}, body=over).status == 413


# ---------------------------------------------------------------------------------------------- enumeration

TIMING_SAMPLES = 30


def _sign_in_timed(stack: LocalStack, email: str, ip: str) -> tuple[float, tuple]:
    """CPU seconds of this thread for one sign-in: the handler and the AWS it calls (moto, in-process) run
    here, so this is the request's whole cost, and other load on the machine does not inflate it."""
    started = time.thread_time()
    answer = stack.http("POST", SIGN_IN, json_body={"email": email}, source_ip=ip)
    elapsed = time.thread_time() - started
    return elapsed, (answer.status, answer.body, sorted(answer.headers.items()))


def test_sign_in_makes_the_same_aws_requests_whoever_the_address_belongs_to(
    stack: LocalStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Timing can't tell what the requests don't differ in: an agent, the admin, a spending account and a
    stranger cost the same reads and writes, so no side channel says which addresses are staff."""
    account.ensure("known.user@example.com")
    sign_in_aws_calls(stack, monkeypatch, "warm.up@example.com", "192.0.2.9")  # caches: the signing key

    seen = {
        email: sign_in_aws_calls(stack, monkeypatch, email, f"192.0.2.{n}")
        for n, email in enumerate(("ada@pennydesk.local", ADMIN, "known.user@example.com", "stranger@example.com"))
    }

    assert len({tuple(calls) for calls in seen.values()}) == 1, json.dumps(seen, indent=1)


def test_sign_in_answers_known_and_unknown_addresses_alike_in_words_and_time(stack: LocalStack) -> None:
    """The answer is byte-identical for an agent, the admin, a spending account and a stranger. Timing: medians
    of the CPU time (the whole request runs in this thread; wall time swung with the other test worker) of
    30 sign-ins each for agents' addresses (the one kind of address the sign-in path looks up) and for
    addresses nobody has, interleaved so load on the machine falls on both alike, each from its own IP and
    address so no rate limit changes the path.

    The timing bound is calibrated in the same run: half of what one extra email send (SES plus its
    idempotency record) costs here. A branch that sent or wrote more for one kind of address would move its
    median by about the whole of that; noise between two interleaved medians of 30 stays well under half.
    """
    known = [f"known.agent{i}@pennydesk.local" for i in range(TIMING_SAMPLES)]
    for i, email in enumerate(known):
        roster.create_agent(email=email, name=f"Agent {i}", categories=["general"])
    account.ensure("known.user@example.com")
    unknown = [f"stranger{i}.{uuid.uuid4().hex[:6]}@example.com" for i in range(TIMING_SAMPLES)]
    answers = {
        json.dumps(_sign_in_timed(stack, email, f"192.0.2.{n}")[1], default=str)
        for n, email in enumerate(("ada@pennydesk.local", ADMIN, "known.user@example.com", "first.time@example.com"))
    }

    known_times, unknown_times = [], []
    for i, (old, new) in enumerate(zip(known, unknown, strict=True)):
        for email, times, ip in ((old, known_times, f"10.1.{i}.1"), (new, unknown_times, f"10.2.{i}.1")):
            elapsed, answer = _sign_in_timed(stack, email, ip)
            times.append(elapsed)
            answers.add(json.dumps(answer, default=str))
    extra_send = []
    for i in range(TIMING_SAMPLES):
        mail = render("sign_in", url=f"https://example.com/s?token={i}", minutes=15, name="")
        started = time.thread_time()
        send(f"calibration/{uuid.uuid4().hex}", [f"calibration{i}@example.com"], mail)
        extra_send.append(time.thread_time() - started)

    assert len(answers) == 1, answers
    known_median, unknown_median = statistics.median(known_times), statistics.median(unknown_times)
    bound = statistics.median(extra_send) / 2
    print(
        f"\nsign-in timing: known {known_median * 1000:.2f} ms, unknown {unknown_median * 1000:.2f} ms "
        f"(ratio {known_median / unknown_median:.3f}); one extra send costs {bound * 2000:.2f} ms, bound "
        f"{bound * 1000:.2f} ms"
    )
    assert abs(known_median - unknown_median) < bound
    stack.drain()
    sent = {to for m in stack.outbox() if m["subject"] == "Your Pennydesk sign-in link" for to in m["to"]}
    assert set(known) | set(unknown) <= sent
