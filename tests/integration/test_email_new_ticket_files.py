"""A ticket opened by email stores its files in the ticket's own transaction: if that write fails, there is no
ticket, no file record and no blob, and Lambda's retry of the same mail opens one ticket with its file."""

from __future__ import annotations

import json

import pytest
from pynamodb.exceptions import PutError, TransactWriteError

from infra.local.engine import LocalStack
from infra.local.inbound import deliver
from tests.integration.test_email_attachments import PDF, reply, stored_keys
from tests.support.faults import FaultInjector
from tests.support.records import stored_items, stored_tickets


def file_records() -> list[dict]:
    return [i for i in stored_items() if i["sk"]["S"].startswith("FILE#")]


def test_a_new_ticket_whose_files_cannot_be_written_is_not_opened_half_way(
    stack: LocalStack, faults: FaultInjector
) -> None:
    mail = reply("lee@example.org", "support@pennydesk.local", "Receipt attached.",
                 [("receipt.pdf", PDF, "application/pdf")])
    for operation in ("PutItem", "TransactWriteItems"):  # wherever the file's record is written
        faults.add("file record refused", "dynamodb", operation, "ValidationException",
                   when=lambda params: "FILE#" in json.dumps(params, default=str))
    with pytest.raises((PutError, TransactWriteError)):  # the inbound function fails: Lambda retries the mail
        deliver(stack, mail)
    assert (stored_tickets(), file_records(), stored_keys()) == ([], [], [])

    faults.off()
    deliver(stack, mail)  # Lambda's retry of the same invocation
    stack.drain()
    (ticket,) = stored_tickets()
    (record,) = file_records()
    assert record["ticket_id"]["S"] == ticket["ticket_id"]["S"]
    assert stored_keys() == [f"files/{ticket['ticket_id']['S']}/{record['attachment_id']['S']}"]
