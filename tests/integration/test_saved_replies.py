"""Saved replies: the desk's shared text with placeholders, filled in for a ticket in Jinja's sandbox."""

from __future__ import annotations

import pytest

from infra.local.engine import LocalStack
from tests.support.helpdesk import open_ticket
from tests.support.identity import bearer, sign_in

ADA = "ada@pennydesk.local"
TEMPLATE = "Hi {{customer.first_name}},\n\nAbout #{{ ticket.number }}: done.\n\n{{agent.name}}"


def test_a_saved_reply_is_filled_in_for_the_ticket_and_its_agent(stack: LocalStack) -> None:
    ticket = open_ticket(stack, name="Kim <b>Lee</b>", email="kim@example.com")
    agent = sign_in(stack, ticket.agent_email)
    saved = stack.http("PUT", "/api/agent/saved-replies/done", headers=bearer(agent),
                       json_body={"title": "  Done \n for you ", "body": TEMPLATE})
    assert saved.status == 200, saved.body
    assert saved.json()["title"] == "Done for you" and saved.json()["updated_by"] == ticket.agent_email

    filled = stack.http("GET", f"/api/agent/tickets/{ticket.id}/saved-replies", headers=ticket.agent).json()
    me = stack.http("GET", f"/api/agent/tickets/{ticket.id}", headers=ticket.agent).json()["me"]["name"]
    assert filled["replies"] == [{
        "id": "done", "title": "Done for you", "body": f"Hi Kim,\n\nAbout #{ticket.number}: done.\n\n{me}",
    }]
    listed = stack.http("GET", "/api/agent/saved-replies", headers=bearer(sign_in(stack, ADA))).json()["replies"]
    assert [r["body"] for r in listed] == [TEMPLATE]

    assert stack.http("DELETE", "/api/agent/saved-replies/done", headers=bearer(agent)).json() == {"replies": []}
    assert stack.http("DELETE", "/api/agent/saved-replies/done", headers=bearer(agent)).status == 200


@pytest.mark.parametrize(
    "body",
    ["{{ customer.password }}", "{{ nobody }}", "{{ ''.__class__.__mro__ }}", "{% for x in range(10**9) %}",
     "{{ customer.first_name", "   "],
)
def test_a_reply_that_cannot_be_filled_in_safely_is_refused_when_saved(stack: LocalStack, body: str) -> None:
    answer = stack.http("PUT", "/api/agent/saved-replies/bad", headers=bearer(sign_in(stack, ADA)),
                        json_body={"title": "Bad", "body": body})
    assert answer.status == 422, answer.body
    assert answer.json()["errors"][0]["field"] == "body" or "body" in answer.json()["message"].lower()


def test_a_customer_session_cannot_manage_saved_replies(stack: LocalStack) -> None:
    customer = sign_in(stack, "kim@example.com")
    answer = stack.http("PUT", "/api/agent/saved-replies/x", headers=bearer(customer),
                        json_body={"title": "x", "body": "y"})
    assert answer.status == 403
