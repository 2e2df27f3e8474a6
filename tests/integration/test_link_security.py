"""Emailed links open exactly what they were issued for, for as long as they were issued for."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from pennydesk.identity import tokens

from infra.local.engine import LocalStack
from tests.support.helpdesk import OpenTicket, act, open_ticket
from tests.support.identity import bearer, sign_in, tamper
from tests.support.outbox import outbox_for

GENERIC = {"This link is not valid.", "This link has expired. Ask for a new one.", "A valid link token is required."}


@pytest.fixture
def two_tickets(stack: LocalStack) -> tuple[OpenTicket, OpenTicket]:
    return open_ticket(stack, subject="First"), open_ticket(stack, subject="Second", email="lee@example.com")


def customer_routes(ticket_id: str) -> list[tuple[str, str, dict | None]]:
    return [("GET", f"/api/tickets/{ticket_id}", None), ("POST", f"/api/tickets/{ticket_id}/messages", {"body": "hi"})]


def agent_routes(ticket_id: str) -> list[tuple[str, str, dict | None]]:
    return [
        ("GET", f"/api/agent/tickets/{ticket_id}", None),
        ("POST", f"/api/agent/tickets/{ticket_id}/actions", {"action": "note", "body": "x"}),
    ]


def test_tampered_tokens_are_refused_without_detail(stack: LocalStack, two_tickets) -> None:
    first, _ = two_tickets
    for method, path, body in customer_routes(first.id):
        result = stack.http(method, path, headers=bearer(tamper(first.customer_token)), json_body=body)
        assert result.status == 401 and result.json()["message"] in GENERIC
    for method, path, body in agent_routes(first.id):
        result = stack.http(method, path, headers=bearer(tamper(first.agent_token)), json_body=body)
        assert result.status == 401 and result.json()["message"] in GENERIC


def test_missing_or_malformed_authorization_is_401(stack: LocalStack, two_tickets) -> None:
    first, _ = two_tickets
    for headers in ({}, {"Authorization": "Basic abc"}, {"Authorization": "Bearer"}, {"Authorization": "Bearer x.y.z"}):
        for method, path, body in customer_routes(first.id) + agent_routes(first.id):
            assert stack.http(method, path, headers=headers, json_body=body).status == 401


def test_expired_links_are_refused(stack: LocalStack, two_tickets) -> None:
    first, _ = two_tickets
    later = datetime.now(UTC) + timedelta(days=61)
    with time_machine.travel(later, tick=False):
        customer = stack.http("GET", f"/api/tickets/{first.id}", headers=first.customer)
        agent = stack.http("GET", f"/api/agent/tickets/{first.id}", headers=first.agent)
    assert (customer.status, customer.json()["message"]) == (401, "This link has expired. Ask for a new one.")
    assert agent.status == 401


def test_agent_link_lasts_days_not_months(stack: LocalStack, two_tickets) -> None:
    first, _ = two_tickets
    with time_machine.travel(datetime.now(UTC) + timedelta(days=13), tick=False):
        assert stack.http("GET", f"/api/agent/tickets/{first.id}", headers=first.agent).status == 200
    with time_machine.travel(datetime.now(UTC) + timedelta(days=15), tick=False):
        assert stack.http("GET", f"/api/agent/tickets/{first.id}", headers=first.agent).status == 401


def test_a_token_for_another_purpose_is_refused(stack: LocalStack, two_tickets) -> None:
    first, _ = two_tickets
    # The customer's link on the agent routes, the agent's link on the customer routes.
    for method, path, body in agent_routes(first.id):
        assert stack.http(method, path, headers=first.customer, json_body=body).status in (401, 403)
    for method, path, body in customer_routes(first.id):
        assert stack.http(method, path, headers=first.agent, json_body=body).status in (401, 403)
    # A survey token naming the ticket is still not a customer token.
    survey = tokens.issue("survey", first.id)
    assert stack.http("GET", f"/api/tickets/{first.id}", headers=bearer(survey)).status == 401


def test_a_link_for_ticket_a_cannot_open_ticket_b(stack: LocalStack, two_tickets) -> None:
    first, second = two_tickets
    for method, path, body in customer_routes(second.id):
        result = stack.http(method, path, headers=first.customer, json_body=body)
        assert result.status == 403 and "Second" not in result.body.decode()
    for method, path, body in agent_routes(second.id):
        result = stack.http(method, path, headers=first.agent, json_body=body)
        assert result.status == 403 and "Second" not in result.body.decode()


def test_an_agent_session_reads_the_whole_desk_but_acts_only_on_its_own_tickets(make_stack) -> None:
    """The desk is a small team's shared inbox (issue 14): any active agent reads any ticket; only the ticket's
    own agent works it (a colleague takes it over through a reassignment)."""
    stack = make_stack(
        [
            {"name": "Ann", "email": "ann@pennydesk.local", "categories": ["billing"]},
            {"name": "Tom", "email": "tom@pennydesk.local", "categories": ["technical"]},
        ]
    )
    billing = open_ticket(stack, category="billing")
    technical = open_ticket(stack, category="technical", subject="Tom's ticket")
    ann = bearer(sign_in(stack, "ann@pennydesk.local"))

    assert stack.http("GET", f"/api/agent/tickets/{billing.id}", headers=ann).status == 200
    assert stack.http("GET", f"/api/agent/tickets/{technical.id}", headers=ann).status == 200
    refused = stack.http(
        "POST", f"/api/agent/tickets/{technical.id}/actions", headers=ann, json_body={"action": "reply", "body": "Hi"}
    )
    assert refused.status == 403 and "Tom's ticket" not in refused.body.decode()


def test_a_customer_session_or_link_cannot_read_the_agent_queue(stack: LocalStack, two_tickets) -> None:
    first, _ = two_tickets
    for headers in (first.customer, first.agent, {}):
        assert stack.http("GET", "/api/agent/queue", headers=headers).status in (401, 403)


def test_an_unknown_ticket_id_looks_like_any_other_refusal(stack: LocalStack, two_tickets) -> None:
    first, _ = two_tickets
    ghost = "0" * 32
    result = stack.http("GET", f"/api/tickets/{ghost}", headers=first.customer)
    assert result.status == 403
    assert stack.http("GET", "/api/tickets/not-an-id", headers=first.customer).status == 422


def test_script_in_ticket_text_is_escaped_in_every_email(stack: LocalStack) -> None:
    script = "<script>alert('x')</script>"
    ticket = open_ticket(stack, name=f"Eve {script}", subject=f"Help {script}", description=f"Body {script}")
    act(stack, ticket, "reply", body=f"Reply {script}")
    stack.http(
        "POST", f"/api/tickets/{ticket.id}/messages", headers=ticket.customer, json_body={"body": f"Again {script}"}
    )
    act(stack, ticket, "resolve", body=f"Bye {script}")
    stack.drain()

    mails = stack.outbox()
    assert len(mails) >= 5
    for mail in mails:
        assert "<script>" not in mail["html"], mail["subject"]
        assert "<script>" not in mail["subject"] or "\n" not in mail["subject"]
    assert any("&lt;script&gt;" in m["html"] for m in mails)
    # Plain text stays readable: the customer's own words, not entities.
    assert any(script in m["text"] for m in outbox_for(stack, ticket.agent_email))


def test_a_newline_in_a_subject_cannot_add_a_header(stack: LocalStack) -> None:
    ticket = open_ticket(stack, subject="Hello\r\nBcc: attacker@evil.example\r\nX-Injected: 1")
    stack.drain()
    assert outbox_for(stack, "attacker@evil.example") == []
    for mail in outbox_for(stack, "maya@example.com") + outbox_for(stack, ticket.agent_email):
        assert "\n" not in mail["subject"] and "\r" not in mail["subject"]
        assert "Bcc: attacker" in mail["subject"]  # kept as words in the one Subject header


def test_signing_key_rotation_keeps_old_links_working(stack: LocalStack, two_tickets) -> None:
    import json

    import boto3
    from aws_lambda_powertools.utilities import parameters

    first, _ = two_tickets
    client = boto3.client("secretsmanager", region_name="us-east-1")
    secret_id = stack.resolved["SigningKeySecret"]["Ref"]
    old = json.loads(client.get_secret_value(SecretId=secret_id)["SecretString"])
    client.put_secret_value(
        SecretId=secret_id,
        SecretString=json.dumps({"current": "a-brand-new-key-" + "x" * 40, "previous": old["current"]}),
    )
    parameters.clear_caches()
    assert stack.http("GET", f"/api/tickets/{first.id}", headers=first.customer).status == 200

    client.put_secret_value(
        SecretId=secret_id, SecretString=json.dumps({"current": "a-brand-new-key-" + "x" * 40, "previous": ""})
    )
    parameters.clear_caches()
    assert stack.http("GET", f"/api/tickets/{first.id}", headers=first.customer).status == 401
