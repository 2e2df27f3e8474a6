"""Rate limits hold against the cheap ways around them: tagged spellings of one inbox, and the many addresses
of one IPv6 network."""

from __future__ import annotations

from datetime import UTC, datetime

from infra.local.engine import LocalStack

SIGN_IN = "/api/auth/sign-in"


def test_tagged_spellings_of_one_inbox_share_its_five_sign_in_links(stack: LocalStack) -> None:
    stack.advance_clock(datetime(2031, 7, 1, 9, 0, 5, tzinfo=UTC))
    for i in range(15):
        address, ip = f"victim+{i}@example.com", f"198.51.100.{i}"
        answer = stack.http("POST", SIGN_IN, json_body={"email": address}, source_ip=ip)
        assert answer.status == 202

    stack.drain()
    delivered = sum(1 for m in stack.outbox() if any(t.startswith("victim+") for t in m["to"]))

    assert delivered == 5


def test_one_ipv6_network_shares_one_per_ip_sign_in_limit(stack: LocalStack) -> None:
    stack.advance_clock(datetime(2031, 7, 1, 10, 0, 5, tzinfo=UTC))
    statuses = [
        stack.http("POST", SIGN_IN, json_body={"email": f"p{i}@example.com"}, source_ip=f"2001:db8:5:6::{i:x}").status
        for i in range(1, 32)
    ]

    assert statuses[:30] == [202] * 30
    assert statuses[30] == 429
    other_network = stack.http("POST", SIGN_IN, json_body={"email": "q@example.com"}, source_ip="2001:db8:5:7::1")
    assert other_network.status == 202


def test_tagged_spellings_of_one_inbox_share_its_ten_tickets_an_hour(stack: LocalStack) -> None:
    stack.advance_clock(datetime(2031, 7, 1, 11, 0, 5, tzinfo=UTC))
    ticket = {"name": "Vic", "subject": "Hello", "description": "Hi", "category": "general"}
    statuses = [
        stack.http("POST", "/api/tickets", json_body={**ticket, "email": f"victim+{i}@example.com"},
                   source_ip=f"198.51.100.{i}").status
        for i in range(11)
    ]

    assert statuses[:10] == [201] * 10
    assert statuses[10] == 429
