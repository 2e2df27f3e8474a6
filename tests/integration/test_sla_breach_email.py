"""The SLA-breach email tells the agent and the admins when the target was due and how late the ticket is, in
words, and takes each of them to the ticket: the agent by their own link, the admins by the desk's page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from infra.local.engine import LocalStack
from tests.support.helpdesk import open_ticket
from tests.support.outbox import link_to, outbox_for, query_of
from tests.support.stack import ADMIN

OPENED = datetime(2031, 12, 3, 6, 5, tzinfo=UTC)  # a Wednesday; normal priority: 8 hours to a first reply


def breach(stack: LocalStack, address: str) -> dict[str, Any]:
    (mail,) = [m for m in outbox_for(stack, address) if "] Missed " in m["subject"]]
    return mail


def test_the_breach_email_reads_due_and_overdue_and_links_to_the_ticket(stack: LocalStack) -> None:
    stack.advance_clock(OPENED)
    ticket = open_ticket(stack)
    stack.run_schedule(OPENED + timedelta(hours=11, minutes=20, seconds=30))  # due 14:05, seen at 17:25

    to_agent, to_admins = breach(stack, ticket.agent_email), breach(stack, ADMIN)
    for mail in (to_agent, to_admins):
        assert "due Wed 3 Dec 2031, 14:05 UTC; 3 h 20 min overdue." in mail["text"]
        assert "Wed 3 Dec 2031, 14:05 UTC" in mail["html"] and "3 h 20 min" in mail["html"]
        assert "2031-12-03T14:05" not in mail["text"] + mail["html"]  # no ISO strings for people

    agent_link = link_to(to_agent["text"], "/agent/ticket.html")
    assert urlsplit(agent_link).query == f"id={ticket.id}" and query_of(agent_link)["token"]
    opened = stack.http("GET", f"/api/agent/tickets/{ticket.id}",
                        headers={"authorization": f"Bearer {query_of(agent_link)['token']}"})
    assert opened.status == 200, opened.body

    desk_link = link_to(to_admins["text"], "/agent/ticket.html")  # the admins sign in: no one's token
    assert urlsplit(desk_link).query == f"id={ticket.id}" and "token" not in query_of(desk_link)
    assert f'href="{desk_link}"' in to_admins["html"]
