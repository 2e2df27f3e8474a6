"""The number a customer gets back: from 1001 up, never twice (an atomic counter in DynamoDB, so on moto)."""

from __future__ import annotations

from pennydesk.helpdesk.intake import FIRST_TICKET_NUMBER, create_ticket, next_ticket_number
from routes.helpdesk.tickets import NewTicket

from infra.local.engine import LocalStack
from tests.support.helpdesk import VALID_TICKET


def test_ticket_numbers_start_at_1001_and_count_up(stack: LocalStack) -> None:
    numbers = [int(create_ticket(NewTicket.model_validate(VALID_TICKET)).number) for _ in range(5)]

    assert FIRST_TICKET_NUMBER == 1001
    assert numbers == [1001, 1002, 1003, 1004, 1005]


def test_ticket_numbers_are_never_handed_out_twice(stack: LocalStack) -> None:
    numbers = [next_ticket_number() for _ in range(50)]

    assert len(set(numbers)) == 50
    assert min(numbers) == 1001
