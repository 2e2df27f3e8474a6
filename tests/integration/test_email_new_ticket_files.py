"""A ticket opened by email stores its files in the ticket's own transaction: if that write fails, there is no
ticket, no file record and no blob, and Lambda's retry of the same mail opens one ticket with its file."""

from __future__ import annotations

import json
from email.message import EmailMessage
from pathlib import Path

import boto3
import pytest
from pynamodb.exceptions import PutError, TransactWriteError

from infra.local.engine import LocalStack
from infra.local.inbound import deliver
from tests.support.faults import FaultInjector
from tests.support.records import stored_items, stored_tickets

PDF = (Path(__file__).resolve().parents[1] / "fixtures" / "attachments" / "statement.pdf").read_bytes()


def new_request_mail() -> bytes:
    message = EmailMessage()
    message["From"] = "lee@example.org"
    message["To"] = "support@pennydesk.local"
    message["Subject"] = "Receipt for my refund"
    message.set_content("Receipt attached.")
    message.add_attachment(PDF, maintype="application", subtype="pdf", filename="receipt.pdf")
    return message.as_bytes()


def stored_keys() -> list[str]:
    listed = boto3.client("s3", region_name="us-east-1").list_objects_v2(Bucket="attachmentsbucket")
    return sorted(o["Key"] for o in listed.get("Contents", []))


def file_records() -> list[dict]:
    return [i for i in stored_items() if i["sk"]["S"].startswith("FILE#")]


def test_a_new_ticket_whose_files_cannot_be_written_is_not_opened_half_way(
    stack: LocalStack, faults: FaultInjector
) -> None:
    mail = new_request_mail()
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
