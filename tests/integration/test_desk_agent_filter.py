"""The desk's agent filter: the agents to choose from (GET /api/agent/agents), and `agent=` narrowing a view."""

from __future__ import annotations

from urllib.parse import urlencode

from infra.local.engine import LocalStack
from tests.support.helpdesk import open_ticket
from tests.support.identity import bearer, sign_in
from tests.support.records import agents_by_email
from tests.support.stack import ADMIN


def test_the_desk_lists_its_agents_and_filters_a_view_by_one(stack: LocalStack) -> None:
    tickets = [open_ticket(stack, category="billing", email=f"c{n}@example.com") for n in range(3)]
    ids = {email: a["agent_id"] for email, a in agents_by_email().items()}
    agent = sign_in(stack, "ada@pennydesk.local")

    for session in (agent, sign_in(stack, ADMIN)):
        listed = stack.http("GET", "/api/agent/agents", headers=bearer(session))
        assert listed.status == 200, listed.body
        agents = listed.json()["agents"]
        assert {a["id"] for a in agents} == set(ids.values())
        assert [a["name"] for a in agents] == sorted((a["name"] for a in agents), key=str.lower)
        assert all(a["active"] is True for a in agents)

    for email in {t.agent_email for t in tickets}:
        answer = stack.http("GET", "/api/agent/tickets", headers=bearer(agent),
                            query=urlencode({"view": "open", "agent": ids[email]}))
        assert answer.status == 200, answer.body
        assert sorted(t["number"] for t in answer.json()["tickets"]) == sorted(
            t.number for t in tickets if t.agent_email == email
        )
        assert {t["agent"]["id"] for t in answer.json()["tickets"]} == {ids[email]}

    refused = stack.http("GET", "/api/agent/agents", headers=bearer(sign_in(stack, "kim@example.com")))
    assert refused.status == 403 and "agents" not in refused.json()
