"""Agents write help articles when an admin allows it: off by default, on and off at once, never deleting,
and the agent's desk learns whether it may."""

from __future__ import annotations

from typing import Any

import pytest

from infra.local.engine import HttpResult, LocalStack
from tests.support.identity import bearer, sign_in
from tests.support.stack import ADMIN

AGENT = "ada@pennydesk.local"  # an active agent of the default seed
ARTICLE = {"title": "Charged twice for one order", "body": "The second charge is a hold.", "published": True}


class People:
    def __init__(self, stack: LocalStack) -> None:
        self.stack = stack
        self.admin = bearer(sign_in(stack, ADMIN))
        self.agent = bearer(sign_in(stack, AGENT))
        self.customer = bearer(sign_in(stack, "kim@example.com"))

    def call(self, method: str, path: str, who: dict[str, str], body: Any = None) -> HttpResult:
        return self.stack.http(method, path, headers=who, json_body=body)

    def allow(self, allowed: bool) -> HttpResult:
        return self.call("PUT", "/api/admin/help/settings", self.admin, {"agents_may_write": allowed})


@pytest.fixture
def people(stack: LocalStack) -> People:
    return People(stack)


def test_by_default_only_admins_write_and_the_agent_is_told_so(people: People) -> None:
    assert people.call("GET", "/api/admin/help/settings", people.admin).json() == {"agents_may_write": False}
    assert people.call("GET", "/api/agent/help", people.agent).json() == {"may_write": False}
    refused = people.call("POST", "/api/admin/articles", people.agent, ARTICLE)
    assert refused.status == 403 and "admin" in refused.json()["message"]
    assert people.call("GET", "/api/admin/articles", people.agent).status == 403


def test_when_allowed_an_agent_writes_and_changes_articles_but_never_deletes_them(people: People) -> None:
    assert people.allow(True).json() == {"agents_may_write": True}
    assert people.call("GET", "/api/agent/help", people.agent).json() == {"may_write": True}
    created = people.call("POST", "/api/admin/articles", people.agent, ARTICLE)
    assert created.status == 201, created.body
    article = created.json()
    assert article["author"] == AGENT
    path = f"/api/admin/articles/{article['id']}"
    assert people.call("PATCH", path, people.agent, {"body": "A hold, not a charge."}).status == 200
    assert people.call("POST", "/api/admin/articles/preview", people.agent, {"body": "**x**"}).status == 200
    assert [a["id"] for a in people.call("GET", "/api/admin/articles", people.agent).json()["articles"]] == [
        article["id"]]
    assert people.call("DELETE", path, people.agent).status == 403
    assert people.stack.http("GET", f"/api/help/articles/{article['slug']}").json()["title"] == ARTICLE["title"]


def test_turning_it_off_stops_agents_at_once(people: People) -> None:
    people.allow(True)
    article = people.call("POST", "/api/admin/articles", people.agent, ARTICLE).json()
    assert people.allow(False).json() == {"agents_may_write": False}
    changed = people.call("PATCH", f"/api/admin/articles/{article['id']}", people.agent, {"title": "Mine now"})
    assert changed.status == 403
    assert people.call("GET", "/api/agent/help", people.agent).json() == {"may_write": False}


def test_only_admins_change_the_setting_and_a_customer_never_writes(people: People) -> None:
    people.allow(True)
    assert people.call("PUT", "/api/admin/help/settings", people.agent, {"agents_may_write": False}).status == 403
    assert people.call("POST", "/api/admin/articles", people.customer, ARTICLE).status == 403
    assert people.call("GET", "/api/agent/help", people.customer).status == 403
    assert people.call("GET", "/api/admin/help/settings", people.admin).json() == {"agents_may_write": True}


@pytest.mark.parametrize("body", [{}, {"agents_may_write": "yes please"}, {"agents_may_write": True, "x": 1}, []])
def test_a_bad_setting_is_a_clear_422_and_changes_nothing(people: People, body: Any) -> None:
    answer = people.call("PUT", "/api/admin/help/settings", people.admin, body)
    assert answer.status == 422, answer.body
    assert people.call("GET", "/api/admin/help/settings", people.admin).json() == {"agents_may_write": False}
