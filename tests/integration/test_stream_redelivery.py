"""Stream records are delivered at least once: a second delivery must change nothing and send nothing."""

from __future__ import annotations

from collections.abc import Callable

from infra.local.engine import LocalStack
from tests.support.helpdesk import submit_ticket
from tests.support.outbox import outbox_for
from tests.support.records import agents_by_email, stored_items, stored_ticket, stream_records, ticket_records
from tests.support.stack import ADMIN


def redeliver(stack: LocalStack, records: list[dict]) -> dict:
    """Hand the stream function a batch it has already processed, as Lambda may after a timeout."""
    return stack.invoke("TicketStreamFunction", {"Records": records})


def test_redelivered_batch_sends_no_second_email_and_changes_nothing(stack: LocalStack) -> None:
    ticket_id = submit_ticket(stack).json()["id"]
    stack.drain()
    records = stream_records(stack)
    assert [r["eventName"] for r in ticket_records(records, ticket_id)][:2] == ["INSERT", "MODIFY"]
    sent, items, loads = stack.outbox(), stored_items(), agents_by_email()

    result = redeliver(stack, records)
    stack.drain()

    assert result == {"batchItemFailures": []}
    assert stack.outbox() == sent
    assert stored_items() == items
    assert agents_by_email() == loads
    assert stored_ticket(ticket_id)["status"] == "assigned"


def test_the_ticket_insert_alone_redelivered_twice_is_still_one_confirmation(stack: LocalStack) -> None:
    ticket_id = submit_ticket(stack).json()["id"]
    stack.drain()
    [insert] = [r for r in ticket_records(stream_records(stack), ticket_id) if r["eventName"] == "INSERT"]

    redeliver(stack, [insert])
    redeliver(stack, [insert])

    assert len(outbox_for(stack, "maya@example.com")) == 1
    assert sum(a["open_count"] for a in agents_by_email().values()) == 1


def test_redelivered_ticket_does_not_alarm_admins_once_its_agent_is_full(
    make_stack: Callable[..., LocalStack],
) -> None:
    """Ana (capacity 1) took the ticket; a late second delivery finds nobody free, but nobody is needed."""
    stack = make_stack([{"name": "Ana", "email": "ana@pennydesk.local", "categories": ["billing"], "capacity": 1}])
    ticket_id = submit_ticket(stack).json()["id"]
    stack.drain()
    assert stored_ticket(ticket_id)["status"] == "assigned"
    sent = stack.outbox()

    redeliver(stack, ticket_records(stream_records(stack), ticket_id))

    assert outbox_for(stack, ADMIN) == []
    assert stack.outbox() == sent
    assert stored_ticket(ticket_id)["status"] == "assigned"


def test_new_tickets_still_flow_after_a_record_was_redelivered(stack: LocalStack) -> None:
    submit_ticket(stack)
    stack.drain()
    redeliver(stack, stream_records(stack))

    later = submit_ticket(stack, email="sam@example.com").json()["id"]
    stack.drain()

    assert stored_ticket(later)["status"] == "assigned"
    assert len(outbox_for(stack, "sam@example.com")) == 1
