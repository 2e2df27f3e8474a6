"""Attachments that come by email: stored on the ticket by the same rules as the pages' (typed by their bytes,
10 MB, a cap on count), with the message they came with; what is refused is left out and the message still
arrives; nothing is unpacked; a note's files stay internal; and the agent can open the original email."""

from __future__ import annotations

import io
import zipfile
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import boto3
import pytest
from pennydesk.platform.email.inbound import MAX_ATTACHMENTS
from pynamodb.exceptions import TransactWriteError

from infra.local.engine import LocalStack
from infra.local.inbound import deliver
from tests.support.blobs import download
from tests.support.faults import FaultInjector
from tests.support.helpdesk import OpenTicket, open_ticket
from tests.support.outbox import outbox_for
from tests.support.records import stored_tickets

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "attachments"
PDF = (FIXTURES / "statement.pdf").read_bytes()
PNG = (FIXTURES / "console.png").read_bytes()
CUSTOMER = "maya@example.com"


def reply(sender: str, to: str, body: str, files: list[tuple[str, bytes, str]] | None = None, **headers: str) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = "Re: your request"
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body)
    for filename, data, mime in files or []:
        maintype, subtype = mime.split("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return message.as_bytes()


def receive(stack: LocalStack, raw: bytes) -> None:
    deliver(stack, raw)
    stack.drain()


def customer_reply_to(stack: LocalStack, ticket: OpenTicket) -> str:
    """The Reply-To of the customer's confirmation: where their mail client sends a reply."""
    return outbox_for(stack, CUSTOMER)[0]["reply_to"]


def views(stack: LocalStack, ticket: OpenTicket) -> tuple[dict[str, Any], dict[str, Any]]:
    customer = stack.http("GET", f"/api/tickets/{ticket.id}", headers=ticket.customer)
    agent = stack.http("GET", f"/api/agent/tickets/{ticket.id}", headers=ticket.agent)
    assert customer.status == 200 and agent.status == 200, (customer.body, agent.body)
    return customer.json(), agent.json()


def stored_keys() -> list[str]:
    listed = boto3.client("s3", region_name="us-east-1").list_objects_v2(Bucket="attachmentsbucket")
    return sorted(o["Key"] for o in listed.get("Contents", []))


def test_a_customers_emailed_files_reach_the_ticket_with_their_message(stack: LocalStack) -> None:
    ticket = open_ticket(stack)
    receive(stack, reply(CUSTOMER, customer_reply_to(stack, ticket), "Statement and screenshot attached.",
                         [("march.pdf", PDF, "application/pdf"), ("screen.png", PNG, "image/png")]))

    customer, agent = views(stack, ticket)
    (message,) = [m for m in customer["messages"] if m["author_type"] == "customer"]
    assert message["body"] == "Statement and screenshot attached."
    assert [(a["filename"], a["content_type"], a["size"], a["message_id"]) for a in customer["attachments"]] == [
        ("march.pdf", "application/pdf", len(PDF), message["id"]),
        ("screen.png", "image/png", len(PNG), message["id"]),
    ]
    assert [a["id"] for a in agent["attachments"]] == [a["id"] for a in customer["attachments"]]
    assert download(stack, agent["attachments"][0]["url"]).get_data() == PDF
    (original,) = agent["originals"]
    assert (original["role"], original["sender"], original["entry_id"]) == ("customer", CUSTOMER, message["id"])
    opened = download(stack, original["url"])
    assert opened.status_code == 200 and opened.headers["Content-Type"] == "message/rfc822"
    assert opened.headers["Content-Disposition"].startswith("attachment")
    assert b"Statement and screenshot attached." in opened.get_data()
    assert "originals" not in customer  # the customer's page never lists the raw mail
    told = [m for m in outbox_for(stack, ticket.agent_email) if "replied" in m["subject"]][-1]
    assert "Files (2), on the ticket page:\n  - march.pdf (14 KB)\n  - screen.png (507 B)" in told["text"]
    assert "march.pdf" in told["html"] and told["attachments"] == []  # names only: no file goes out by mail


def test_html_svg_and_archives_are_left_out_and_the_message_still_arrives(stack: LocalStack) -> None:
    ticket = open_ticket(stack)
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr("zeros.bin", b"\0" * (64 * 1024 * 1024))  # 64 MB in ~64 KB: never unpacked
    receive(stack, reply(CUSTOMER, customer_reply_to(stack, ticket), "Files attached.", [
        ("invoice.pdf", b"<html><script>alert(1)</script></html>", "application/pdf"),
        ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "image/svg+xml"),
        ("photos.zip", bomb.getvalue(), "application/zip"),
        ("march.pdf", PDF, "application/pdf"),
    ]))

    customer, _ = views(stack, ticket)
    assert [m["body"] for m in customer["messages"] if m["author_type"] == "customer"] == ["Files attached."]
    assert [a["filename"] for a in customer["attachments"]] == ["march.pdf"]
    assert len(stored_keys()) == 1


def test_a_zip_bomb_shaped_as_a_document_is_kept_as_an_opaque_file_never_unpacked(stack: LocalStack) -> None:
    ticket = open_ticket(stack)
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr("word/document.xml", b"\0" * (64 * 1024 * 1024))
    receive(stack, reply(CUSTOMER, customer_reply_to(stack, ticket), "My letter.",
                         [("letter.docx", bomb.getvalue(), "application/octet-stream")]))

    (kept,) = views(stack, ticket)[0]["attachments"]
    assert kept["content_type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert kept["size"] == len(bomb.getvalue()) < 1024 * 1024  # stored as it came, compressed


def test_five_hundred_attachments_add_the_message_and_at_most_ten_files(stack: LocalStack) -> None:
    ticket = open_ticket(stack)
    files = [(f"note-{n}.txt", f"note {n}\n".encode(), "text/plain") for n in range(500)]
    receive(stack, reply(CUSTOMER, customer_reply_to(stack, ticket), "Lots of notes.", files))

    customer, _ = views(stack, ticket)
    assert [m["body"] for m in customer["messages"] if m["author_type"] == "customer"] == ["Lots of notes."]
    assert [a["filename"] for a in customer["attachments"]] == [f"note-{n}.txt" for n in range(MAX_ATTACHMENTS)]


def test_a_part_that_cannot_be_decoded_is_skipped_not_the_message(stack: LocalStack) -> None:
    ticket = open_ticket(stack)
    raw = reply(CUSTOMER, customer_reply_to(stack, ticket), "One good, one broken.",
                [("good.png", PNG, "image/png"), ("broken.png", PNG, "image/png")])
    before, after = raw.split(b'filename="broken.png"')
    headers, rest = after.split(b"\n\n", 1)
    raw = before + b'filename="broken.png"' + headers + b"\n\n!!!not base64 at all%%%\n\n--" + rest.split(b"\n--", 1)[1]
    receive(stack, raw)

    customer, _ = views(stack, ticket)
    assert [m["body"] for m in customer["messages"] if m["author_type"] == "customer"] == ["One good, one broken."]
    assert [a["filename"] for a in customer["attachments"]] == ["good.png"]


def test_an_agents_note_by_email_keeps_its_files_from_the_customer(stack: LocalStack) -> None:
    ticket = open_ticket(stack)
    assigned = [m for m in outbox_for(stack, ticket.agent_email) if "Assigned to you" in m["subject"]][-1]
    receive(stack, reply(ticket.agent_email, assigned["reply_to"], "#note\nThe bank's letter, for us only.",
                         [("bank.pdf", PDF, "application/pdf")]))

    customer, agent = views(stack, ticket)
    assert customer["attachments"] == []
    (note,) = [e for e in agent["entries"] if e["kind"] == "note"]
    assert [(a["filename"], a["message_id"]) for a in agent["attachments"]] == [("bank.pdf", note["id"])]


def test_a_new_ticket_by_email_keeps_its_attachment(stack: LocalStack) -> None:
    receive(stack, reply("lee@example.org", "support@pennydesk.local", "Receipt attached.",
                         [("receipt.pdf", PDF, "application/pdf")]))

    (item,) = stored_tickets()
    ticket_id = item["ticket_id"]["S"]
    (key,) = stored_keys()
    assert key.startswith(f"files/{ticket_id}/")


def test_a_40_mb_message_is_refused_unread_and_stores_nothing(stack: LocalStack) -> None:
    ticket = open_ticket(stack)
    huge = PDF + b"\n%" + b"0" * (30 * 1024 * 1024)  # 40 MB once base64-encoded, as SES's own limit
    receive(stack, reply(CUSTOMER, customer_reply_to(stack, ticket), "Big file.",
                         [("big.pdf", huge, "application/pdf")]))

    customer, _ = views(stack, ticket)
    assert [m for m in customer["messages"] if m["author_type"] == "customer"] == []
    assert stored_keys() == []


def test_a_screenshot_with_no_words_still_arrives_with_its_file(stack: LocalStack) -> None:
    ticket = open_ticket(stack)
    receive(stack, reply(CUSTOMER, customer_reply_to(stack, ticket), "", [("screen.png", PNG, "image/png")]))

    customer, _ = views(stack, ticket)
    (message,) = [m for m in customer["messages"] if m["author_type"] == "customer"]
    assert message["body"] == "(files attached)"
    assert [(a["filename"], a["message_id"]) for a in customer["attachments"]] == [("screen.png", message["id"])]


def test_a_message_whose_write_fails_leaves_no_file_and_no_record(stack: LocalStack, faults: FaultInjector) -> None:
    ticket = open_ticket(stack)
    faults.add("ticket write refused", "dynamodb", "TransactWriteItems", "ValidationException", times=1)
    with pytest.raises(TransactWriteError):  # the inbound function fails the invocation: Lambda retries it
        deliver(stack, reply(CUSTOMER, customer_reply_to(stack, ticket), "Statement attached.",
                             [("march.pdf", PDF, "application/pdf")]))

    customer, _ = views(stack, ticket)
    assert [m for m in customer["messages"] if m["author_type"] == "customer"] == []
    assert customer["attachments"] == [] and stored_keys() == []
