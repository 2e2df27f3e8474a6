"""Every email about a ticket names where a reply goes and threads with the ticket's earlier emails."""

from __future__ import annotations

import re

from pennydesk.identity import reply_tokens

from infra.local.engine import LocalStack
from tests.support.helpdesk import act, open_ticket
from tests.support.outbox import outbox_for

SES_MESSAGE_ID = re.compile(r"^<[0-9a-f]{16}(-[0-9a-f]+){6}@email\.amazonses\.com>$")


def test_each_side_gets_a_reply_address_signed_for_its_role_and_ticket(stack: LocalStack) -> None:
    ticket = open_ticket(stack)

    confirmation = outbox_for(stack, "maya@example.com")[0]
    assigned = outbox_for(stack, ticket.agent_email)[0]

    for mail, role in ((confirmation, "customer"), (assigned, "agent")):
        local, _, domain = mail["reply_to"].partition("@")
        assert domain == "pennydesk.local" and local.startswith("reply+") and len(local) <= 64
        grant = reply_tokens.verify(reply_tokens.token_in(mail["reply_to"]) or "")
        assert (grant.role, grant.ticket_id) == (role, ticket.id)
        assert mail["headers"]["Reply-To"] == mail["reply_to"]
        assert mail["subject"].startswith(f"[#{ticket.number}] ")


def test_the_outbox_shows_the_message_id_ses_assigns_and_each_email_follows_the_last(stack: LocalStack) -> None:
    ticket = open_ticket(stack)
    act(stack, ticket, "reply", body="Refunded the second charge.")
    act(stack, ticket, "resolve", body="Glad it's sorted.")

    to_customer = outbox_for(stack, "maya@example.com")
    ids = [m["headers"]["Message-ID"] for m in to_customer]
    assert len(to_customer) == 3 and len(set(ids)) == 3
    assert all(SES_MESSAGE_ID.match(i) for i in ids)
    assert ids[0] == f"<{to_customer[0]['id']}@email.amazonses.com>"
    assert "In-Reply-To" not in to_customer[0]["headers"]
    assert to_customer[1]["headers"]["In-Reply-To"] == ids[0]
    assert to_customer[1]["headers"]["References"] == ids[0]
    assert to_customer[2]["headers"]["In-Reply-To"] == ids[1]
    assert to_customer[2]["headers"]["References"] == f"{ids[0]} {ids[1]}"
    assert all(m["attachments"] == [] for m in to_customer)


def test_the_agents_thread_is_their_own(stack: LocalStack) -> None:
    ticket = open_ticket(stack)
    reply = stack.http(
        "POST", f"/api/tickets/{ticket.id}/messages", headers=ticket.customer, json_body={"body": "Any news?"}
    )
    assert reply.status == 201
    stack.drain()

    to_agent = outbox_for(stack, ticket.agent_email)
    to_customer_ids = {m["headers"]["Message-ID"] for m in outbox_for(stack, "maya@example.com")}
    assert [m["subject"].split(":")[0] for m in to_agent] == [
        f"[#{ticket.number}] Assigned to you (normal)", f"[#{ticket.number}] Maya Okafor replied"
    ]
    assert to_agent[1]["headers"]["In-Reply-To"] == to_agent[0]["headers"]["Message-ID"]
    assert not set(to_agent[1]["headers"]["References"].split()) & to_customer_ids
