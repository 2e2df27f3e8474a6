"""Files attached on the ticket page without a message: the other side hears about them in one email, ten
minutes after the last of them (a message sent in the meantime names them instead, and then no notice goes).

Time moves through the schedule (`stack.run_schedule`), as in the other scheduled-work tests.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from infra.local.engine import LocalStack
from tests.support.blobs import send_whole, uploaded
from tests.support.faults import FaultInjector, sent_per_message, ses_throttled
from tests.support.helpdesk import VALID_TICKET, open_ticket, submit_ticket
from tests.support.identity import bearer, sign_in
from tests.support.outbox import link_to, outbox_for
from tests.support.records import queue_depth, timers_of

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "attachments"
PDF = (FIXTURES / "statement.pdf").read_bytes()  # 14 KB
PNG = (FIXTURES / "console.png").read_bytes()  # 507 B
CUSTOMER = VALID_TICKET["email"]
ANA = "ana@pennydesk.local"


def notices(stack: LocalStack, address: str) -> list[dict[str, Any]]:
    return [m for m in outbox_for(stack, address) if " added " in m["subject"]]


def replies(stack: LocalStack, address: str) -> list[dict[str, Any]]:
    return [m for m in outbox_for(stack, address) if " replied: " in m["subject"] or "] Re: " in m["subject"]]


def now(stack: LocalStack) -> datetime:
    return stack.clock.now()


def test_a_customers_file_without_a_message_reaches_the_agent_once_ten_minutes_later(stack: LocalStack) -> None:
    ticket = open_ticket(stack)
    attached_at = now(stack)
    assert uploaded(stack, ticket, "March statement.pdf", PDF).status == 201
    stack.drain()
    assert notices(stack, ticket.agent_email) == []

    stack.run_schedule(attached_at + timedelta(minutes=5))
    assert notices(stack, ticket.agent_email) == []

    stack.run_schedule(attached_at + timedelta(minutes=11))
    stack.run_schedule(attached_at + timedelta(minutes=11))  # the same run delivered again
    stack.run_schedule(attached_at + timedelta(minutes=30))
    (notice,) = notices(stack, ticket.agent_email)
    assert notice["subject"] == f"[#{ticket.number}] Maya Okafor added 1 file: {VALID_TICKET['subject']}"
    assert "  - March statement.pdf (14 KB)" in notice["text"]
    assert "March statement.pdf" in notice["html"]
    assert link_to(notice["text"], "/agent/ticket.html")  # the agent's own link to the ticket
    assert notices(stack, CUSTOMER) == []  # nobody tells the customer about their own file
    assert not any(sk.startswith("TIMER#files") for sk in timers_of(ticket.id))
    assert queue_depth(stack, "WorkQueue") == queue_depth(stack, "WorkDeadLetterQueue") == 0

    said = stack.http("POST", f"/api/tickets/{ticket.id}/messages", headers=ticket.customer,
                      json_body={"body": "Did the statement come through?"})
    assert said.status == 201, said.body
    stack.drain()
    assert "Files" not in replies(stack, ticket.agent_email)[-1]["text"]  # announced already


def test_a_message_sent_in_time_names_the_files_and_no_notice_follows(stack: LocalStack) -> None:
    ticket = open_ticket(stack)
    attached_at = now(stack)
    assert uploaded(stack, ticket, "March statement.pdf", PDF).status == 201
    said = stack.http("POST", f"/api/tickets/{ticket.id}/messages", headers=ticket.customer,
                      json_body={"body": "Statement attached."})
    assert said.status == 201, said.body
    stack.drain()
    assert "  - March statement.pdf (14 KB)" in replies(stack, ticket.agent_email)[-1]["text"]

    stack.run_schedule(attached_at + timedelta(minutes=11))
    assert notices(stack, ticket.agent_email) == []
    assert not any(sk.startswith("TIMER#files") for sk in timers_of(ticket.id))


def test_the_agents_files_reach_the_customer_in_one_notice_after_the_last_of_them(stack: LocalStack) -> None:
    ticket = open_ticket(stack)
    first_at = now(stack)
    assert send_whole(stack, f"/api/agent/tickets/{ticket.id}/attachments", ticket.agent, "refund.png",
                      PNG).status == 201
    stack.run_schedule(first_at + timedelta(minutes=6))
    assert uploaded(stack, ticket, "March statement.pdf", PDF, agent=True).status == 201  # at minute 6

    stack.run_schedule(first_at + timedelta(minutes=11))
    assert notices(stack, CUSTOMER) == []  # the second file moved the notice to minute 16

    stack.run_schedule(first_at + timedelta(minutes=17))
    (notice,) = notices(stack, CUSTOMER)
    assert notice["subject"].startswith(f"[#{ticket.number}] ")
    assert notice["subject"].endswith(f" added 2 files: {VALID_TICKET['subject']}")
    assert "  - refund.png (507 B)" in notice["text"] and "  - March statement.pdf (14 KB)" in notice["text"]
    assert link_to(notice["text"], "/ticket.html")
    assert notices(stack, ticket.agent_email) == []


def test_files_a_notice_announced_are_not_announced_again_by_the_next(stack: LocalStack) -> None:
    ticket = open_ticket(stack)
    first_at = now(stack)
    assert uploaded(stack, ticket, "March statement.pdf", PDF).status == 201
    stack.run_schedule(first_at + timedelta(minutes=11))
    assert len(notices(stack, ticket.agent_email)) == 1

    second_at = now(stack)
    assert uploaded(stack, ticket, "console.png", PNG).status == 201
    stack.run_schedule(second_at + timedelta(minutes=11))
    first, second = notices(stack, ticket.agent_email)
    assert "March statement.pdf" in first["text"] and "console.png" not in first["text"]
    assert "console.png" in second["text"] and "March statement.pdf" not in second["text"]


def test_files_on_the_form_are_in_the_assignment_email_and_no_notice_repeats_them(stack: LocalStack) -> None:
    created = submit_ticket(stack, upload=True).json()
    attached_at = now(stack)
    token = bearer(created["upload_token"])
    assert send_whole(stack, f"/api/tickets/{created['id']}/attachments", token, "refund.png", PNG).status == 201
    stack.drain()  # the stream assigns it now, with the file already there
    (given,) = [m for m in stack.outbox() if f"[#{created['number']}] Assigned to you" in m["subject"]]
    assert "refund.png" in given["text"]

    stack.run_schedule(attached_at + timedelta(minutes=11))
    assert notices(stack, given["to"][0]) == []


def test_files_attached_while_nobody_has_the_ticket_come_with_the_assignment(
    make_stack: Callable[..., LocalStack],
) -> None:
    stack = make_stack([{"name": "Ana", "email": ANA, "categories": ["billing"]}])
    created = submit_ticket(stack, category="general", upload=True).json()  # nobody covers "general"
    attached_at = now(stack)
    token = bearer(created["upload_token"])
    assert send_whole(stack, f"/api/tickets/{created['id']}/attachments", token, "refund.png", PNG).status == 201
    stack.run_schedule(attached_at + timedelta(minutes=11))  # nobody to tell yet
    assert [m for m in stack.outbox() if " added " in m["subject"]] == []
    assert not any(sk.startswith("TIMER#files") for sk in timers_of(created["id"]))

    ana = sign_in(stack, ANA)
    ana_id = stack.http("GET", "/api/agent/queue", headers=bearer(ana)).json()["me"]["id"]
    taken = stack.http("POST", f"/api/agent/tickets/{created['id']}/actions", headers=bearer(ana),
                       json_body={"action": "reassign", "to": ana_id})
    assert taken.status == 200, taken.body
    stack.drain()
    (given,) = [m for m in outbox_for(stack, ANA) if f"[#{created['number']}] Assigned to you" in m["subject"]]
    assert "  - refund.png (507 B)" in given["text"]
    stack.run_schedule(now(stack) + timedelta(minutes=11))
    assert notices(stack, ANA) == []


def test_a_notice_ses_throttles_is_retried_and_goes_out_once(stack: LocalStack, faults: FaultInjector) -> None:
    ticket = open_ticket(stack)
    attached_at = now(stack)
    assert uploaded(stack, ticket, "March statement.pdf", PDF).status == 201
    throttle = ses_throttled(faults, times=2)

    stack.run_schedule(attached_at + timedelta(minutes=11))
    stack.run_schedule(attached_at + timedelta(minutes=16))  # EventBridge fires again; nothing doubles

    assert throttle.hits == 2
    assert len(notices(stack, ticket.agent_email)) == 1
    assert all(n == 1 for n in sent_per_message(stack).values())
