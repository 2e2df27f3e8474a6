"""A customer's own tickets after sign-in (GET /api/me/tickets), and a fresh link for a ticket whose link
expired (POST /api/tickets/{id}/link)."""

from __future__ import annotations

import uuid

from infra.local.engine import LocalStack
from tests.support.helpdesk import open_ticket
from tests.support.identity import bearer, sign_in
from tests.support.outbox import link_to, outbox_for, query_of


def test_a_signed_in_customer_sees_every_ticket_raised_from_their_address_newest_first(stack: LocalStack) -> None:
    first = open_ticket(stack, email="Rosa@Example.com", subject="First question")
    second = open_ticket(stack, email="rosa@example.com", subject="Second question")
    open_ticket(stack, email="someone.else@example.com", subject="Not Rosa's")

    answer = stack.http("GET", "/api/me/tickets", headers=bearer(sign_in(stack, "rosa@example.com")))

    assert answer.status == 200, answer.body
    tickets = answer.json()["tickets"]
    assert [t["number"] for t in tickets] == [second.number, first.number]
    assert {t["subject"] for t in tickets} == {"First question", "Second question"}
    opened = stack.http("GET", f"/api/tickets/{tickets[0]['id']}", headers=bearer(query_of(tickets[0]["url"])["token"]))
    assert opened.status == 200 and opened.json()["ticket"]["subject"] == "Second question"


def test_someone_without_tickets_sees_an_empty_list_and_no_session_sees_nothing(stack: LocalStack) -> None:
    open_ticket(stack, email="rosa@example.com")
    assert stack.http("GET", "/api/me/tickets", headers=bearer(sign_in(stack, "lee@example.com"))).json() == {
        "tickets": []
    }
    assert stack.http("GET", "/api/me/tickets").status == 401


def test_a_fresh_link_goes_only_to_the_tickets_address_and_the_answer_never_changes(stack: LocalStack) -> None:
    ticket = open_ticket(stack, email="rosa@example.com", subject="Lost my link")
    answers = [stack.http("POST", f"/api/tickets/{ticket.id}/link") for _ in range(5)]
    answers.append(stack.http("POST", f"/api/tickets/{uuid.uuid4().hex}/link"))
    stack.drain()

    assert {(a.status, a.body) for a in answers} == {(answers[0].status, answers[0].body)}
    assert answers[0].status == 202
    fresh = [m for m in outbox_for(stack, "rosa@example.com") if "Your link to the ticket" in m["subject"]]
    assert len(fresh) == 3, "three an hour per ticket"
    token = query_of(link_to(fresh[0]["text"], "/ticket.html"))["token"]
    assert stack.http("GET", f"/api/tickets/{ticket.id}", headers=bearer(token)).status == 200
