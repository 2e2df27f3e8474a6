"""The help center where tickets are: the customer's confirmation lists the articles that may answer the
ticket already, and the agent's ticket page offers them to link in a reply."""

from __future__ import annotations

from typing import Any

import pytest

from infra.local.engine import LocalStack
from tests.support.helpdesk import open_ticket, submit_ticket
from tests.support.identity import bearer, sign_in
from tests.support.outbox import links_in, outbox_for, query_of
from tests.support.stack import ADMIN

DOUBLE_CHARGE = {
    "title": "Charged twice for one order",
    "body": "If your card shows **two charges** for one order, the second is a hold that disappears in days.",
    "category": "billing", "published": True,
}
REFUNDS = {"title": "How refunds work", "body": "A refund for a charge reaches your card within five days.",
           "category": "billing", "published": True}
CARD_HOLDS = {"title": "Holds on your card", "body": "A hold is not a charge: your bank releases it.",
              "category": "billing", "published": True}
PASSWORD = {"title": "Reset your password", "body": "Open the sign-in page and ask for a new link.",
            "category": "technical", "published": True}
DRAFT = {"title": "Charged twice: the new process", "body": "Charged twice? Not ready yet.", "published": False}


def write(stack: LocalStack, admin: dict[str, str], **article: Any) -> dict[str, Any]:
    created = stack.http("POST", "/api/admin/articles", headers=admin, json_body=article)
    assert created.status == 201, created.body
    return created.json()


@pytest.fixture
def admin(stack: LocalStack) -> dict[str, str]:
    return bearer(sign_in(stack, ADMIN))


def confirmation(stack: LocalStack, email: str) -> dict[str, Any]:
    [mail] = [m for m in outbox_for(stack, email) if "We received your request" in m["subject"]]
    return mail


def article_links(text: str) -> list[str]:
    return [query_of(url)["slug"] for url in links_in(text) if "/help/article.html" in url]


def test_the_confirmation_lists_the_best_two_published_articles_for_the_ticket(
    stack: LocalStack, admin: dict[str, str]
) -> None:
    best = write(stack, admin, **DOUBLE_CHARGE)
    second = write(stack, admin, **REFUNDS)
    third = write(stack, admin, **CARD_HOLDS)
    write(stack, admin, **PASSWORD)
    write(stack, admin, **DRAFT)
    assert submit_ticket(stack, email="two@example.com", subject="I was charged twice",
                         description="My card shows two charges for one order; I want a refund.").status == 201
    stack.drain()
    mail = confirmation(stack, "two@example.com")
    assert article_links(mail["text"]) == [best["slug"], second["slug"]]
    assert third["slug"] not in mail["html"]  # two at most, and the draft never
    assert "Charged twice for one order" in mail["text"] and "these articles" in mail["text"]
    assert article_links(mail["html"].replace("&amp;", "&")) == [best["slug"], second["slug"]]
    assert "the new process" not in mail["text"]


def test_an_article_sharing_one_chance_word_is_not_offered_and_none_means_nothing_is_shown(
    stack: LocalStack, admin: dict[str, str]
) -> None:
    write(stack, admin, **DOUBLE_CHARGE)  # shares "order" with the ticket, nothing else
    write(stack, admin, **PASSWORD)
    submit_ticket(stack, email="none@example.com", subject="Where is my order?",
                  description="It was due last week and has not arrived.")
    stack.drain()
    mail = confirmation(stack, "none@example.com")
    assert article_links(mail["text"]) == [] and "help center" not in mail["text"]
    assert "/help/" not in mail["html"]


def test_an_article_title_is_text_in_the_confirmation_never_markup(stack: LocalStack, admin: dict[str, str]) -> None:
    write(stack, admin, title='Charged twice <img src=x onerror="alert(1)">', body="A second charge is a hold.",
          published=True)
    submit_ticket(stack, email="markup@example.com", subject="Charged twice", description="Two charges.")
    stack.drain()
    html = confirmation(stack, "markup@example.com")["html"]
    assert "<img src=x" not in html and "&lt;img src=x" in html


def test_a_ticket_is_confirmed_as_before_when_the_help_center_is_empty(stack: LocalStack) -> None:
    ticket = open_ticket(stack)
    assert ticket.number > 0


def test_the_agents_page_offers_the_articles_that_answer_the_ticket(stack: LocalStack, admin: dict[str, str]) -> None:
    best = write(stack, admin, **DOUBLE_CHARGE)
    second = write(stack, admin, **REFUNDS)
    write(stack, admin, **PASSWORD)
    write(stack, admin, **DRAFT)
    ticket = open_ticket(stack, subject="I was charged twice",
                         description="My card shows two charges for one order; I want a refund.")
    answer = stack.http("GET", f"/api/agent/tickets/{ticket.id}/articles", headers=ticket.agent)
    assert answer.status == 200, answer.body
    offered = answer.json()["articles"]
    assert [query_of(a["url"])["slug"] for a in offered] == [best["slug"], second["slug"]]
    assert offered[0]["title"] == DOUBLE_CHARGE["title"] and "/help/article.html?slug=" in offered[0]["url"]
    refused = stack.http("GET", f"/api/agent/tickets/{ticket.id}/articles", headers=ticket.customer)
    assert refused.status in (401, 403), refused.body


def test_a_ticket_no_article_answers_offers_none(stack: LocalStack, admin: dict[str, str]) -> None:
    write(stack, admin, **PASSWORD)
    ticket = open_ticket(stack, subject="Where is my order?", description="It has not arrived.")
    answer = stack.http("GET", f"/api/agent/tickets/{ticket.id}/articles", headers=ticket.agent)
    assert answer.status == 200 and answer.json() == {"articles": []}
