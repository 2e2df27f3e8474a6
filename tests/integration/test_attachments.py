"""Attachments from the ticket pages: real files sent whole or uploaded straight to (moto's) S3 through the
presigned links the local stack serves, typed by their bytes, listed on both views with links that always
download, refused clearly and never half-stored."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import boto3
import requests
from pennydesk.helpdesk.attachments import MAX_PENDING

from infra.local.engine import LocalStack
from tests.support.blobs import download, send_whole, start, upload, uploaded
from tests.support.helpdesk import OpenTicket, open_ticket
from tests.support.records import stored_items

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "attachments"
PDF = (FIXTURES / "statement.pdf").read_bytes()
PNG = (FIXTURES / "console.png").read_bytes()
HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
BUCKET = "attachmentsbucket"


def stored_keys() -> list[str]:
    listed = boto3.client("s3", region_name="us-east-1").list_objects_v2(Bucket=BUCKET)
    return sorted(o["Key"] for o in listed.get("Contents", []))


def customer_view(stack: LocalStack, ticket: OpenTicket) -> dict[str, Any]:
    page = stack.http("GET", f"/api/tickets/{ticket.id}", headers=ticket.customer)
    assert page.status == 200, page.body
    return page.json()


def agent_view(stack: LocalStack, ticket: OpenTicket) -> dict[str, Any]:
    page = stack.http("GET", f"/api/agent/tickets/{ticket.id}", headers=ticket.agent)
    assert page.status == 200, page.body
    return page.json()


def test_a_pdf_sent_whole_is_stored_listed_and_downloads_as_a_file(stack: LocalStack) -> None:
    ticket = open_ticket(stack)
    sent = send_whole(stack, f"/api/tickets/{ticket.id}/attachments", ticket.customer, "März statement.html", PDF)
    assert sent.status == 201, sent.body
    made = sent.json()
    assert made["filename"] == "März statement.html.pdf"  # typed by its bytes: it can't open as a page
    assert (made["content_type"], made["size"]) == ("application/pdf", len(PDF))

    (listed,) = customer_view(stack, ticket)["attachments"]
    assert {k: listed[k] for k in ("id", "filename", "content_type", "size")} == {
        k: made[k] for k in ("id", "filename", "content_type", "size")
    }
    assert [a["id"] for a in agent_view(stack, ticket)["attachments"]] == [made["id"]]
    got = download(stack, listed["url"])
    assert got.status_code == 200, got.get_data(as_text=True)
    assert got.get_data() == PDF
    assert got.headers["Content-Type"] == "application/pdf"
    assert got.headers["Content-Disposition"].startswith("attachment; ")
    assert "filename*=UTF-8''M%C3%A4rz%20statement.html.pdf" in got.headers["Content-Disposition"]


def test_the_page_uploads_to_s3_and_completing_checks_what_arrived(stack: LocalStack) -> None:
    ticket = open_ticket(stack)
    done = uploaded(stack, ticket, "screenshot.png", PNG, agent=True)
    assert done.status == 201, done.body
    assert (done.json()["content_type"], done.json()["size"]) == ("image/png", len(PNG))
    again = stack.http(
        "POST", f"/api/agent/tickets/{ticket.id}/attachments/{done.json()['id']}/complete", headers=ticket.agent
    )
    assert (again.status, again.json()["id"]) == (201, done.json()["id"])  # completing twice is one file
    assert stored_keys() == [f"files/{ticket.id}/{done.json()['id']}"]  # nothing left in pending/
    assert [a["filename"] for a in customer_view(stack, ticket)["attachments"]] == ["screenshot.png"]
    assert download(stack, customer_view(stack, ticket)["attachments"][0]["url"]).get_data() == PNG


def test_the_other_sides_email_names_the_files_attached_since_the_last_message(stack: LocalStack) -> None:
    ticket = open_ticket(stack)
    assert uploaded(stack, ticket, "March statement.pdf", PDF).status == 201
    sent = stack.http("POST", f"/api/tickets/{ticket.id}/messages", headers=ticket.customer,
                      json_body={"body": "Statement attached."})
    assert sent.status == 201
    stack.drain()
    told = [m for m in stack.outbox() if ticket.agent_email in m["to"] and "replied" in m["subject"]][-1]
    assert "  - March statement.pdf (14 KB)" in told["text"] and "March statement.pdf" in told["html"]

    send_whole(stack, f"/api/agent/tickets/{ticket.id}/attachments", ticket.agent, "refund.png", PNG)
    stack.http("POST", f"/api/agent/tickets/{ticket.id}/actions", headers=ticket.agent,
               json_body={"action": "reply", "body": "Refund confirmation attached."})
    stack.http("POST", f"/api/tickets/{ticket.id}/messages", headers=ticket.customer, json_body={"body": "Thanks!"})
    stack.drain()
    answer = [m for m in stack.outbox() if m["to"] == ["maya@example.com"] and "Re:" in m["subject"]][-1]
    assert "  - refund.png (507 B)" in answer["text"] and "March statement" not in answer["text"]
    thanks = [m for m in stack.outbox() if ticket.agent_email in m["to"] and "replied" in m["subject"]][-1]
    assert "Files" not in thanks["text"]  # nothing new since the customer's previous message


def test_html_is_refused_and_deleted_whichever_way_it_comes(stack: LocalStack) -> None:
    ticket = open_ticket(stack)
    whole = send_whole(stack, f"/api/tickets/{ticket.id}/attachments", ticket.customer, "invoice.pdf", HTML)
    assert whole.status == 422 and "Web pages" in whole.json()["message"]
    by_upload = uploaded(stack, ticket, "invoice.pdf", HTML)
    assert by_upload.status == 422 and "Web pages" in by_upload.json()["message"]
    assert stored_keys() == []  # the refused upload is gone from pending/
    assert customer_view(stack, ticket)["attachments"] == []


def test_too_large_is_refused_before_and_after_the_upload(stack: LocalStack) -> None:
    ticket = open_ticket(stack)
    base = f"/api/tickets/{ticket.id}/attachments"
    assert start(stack, base, ticket.customer, "big.pdf", 10 * 1024 * 1024 + 1).status == 413
    started = start(stack, base, ticket.customer, "small.pdf", 1000)  # it says small, then sends 11 MB
    big = PDF + b"\n%" + b"0" * (11 * 1024 * 1024)
    sent = upload(stack, started.json()["upload"], big, "small.pdf")
    assert sent.status_code == 400 and b"EntityTooLarge" in sent.get_data()  # S3 enforces the policy's range
    done = stack.http("POST", f"{base}/{started.json()['id']}/complete", headers=ticket.customer)
    assert done.status == 422 and "Upload the file" in done.json()["message"]
    whole = send_whole(stack, base, ticket.customer, "big.pdf", big)
    assert whole.status == 413
    assert stored_keys() == []


def test_an_upload_goes_only_where_its_policy_says(stack: LocalStack) -> None:
    ticket = open_ticket(stack)
    started = start(stack, f"/api/tickets/{ticket.id}/attachments", ticket.customer, "a.png", len(PNG)).json()
    elsewhere = {**started["upload"], "fields": {**started["upload"]["fields"], "key": f"files/{ticket.id}/x"}}
    assert upload(stack, elsewhere, PNG).status_code == 403  # the signed policy names pending/<id> alone
    forged = {**started["upload"], "fields": {**started["upload"]["fields"], "x-amz-signature": "0" * 64}}
    assert upload(stack, forged, PNG).status_code == 403
    assert stored_keys() == []


def test_download_links_expire_and_cannot_be_pointed_at_another_file(stack: LocalStack) -> None:
    ticket = open_ticket(stack)
    first = send_whole(stack, f"/api/tickets/{ticket.id}/attachments", ticket.customer, "a.png", PNG).json()
    second = send_whole(stack, f"/api/tickets/{ticket.id}/attachments", ticket.customer, "b.pdf", PDF).json()
    assert download(stack, first["url"].replace(first["id"], second["id"])).status_code == 403
    assert download(stack, first["url"].replace("image%2Fpng", "text%2Fhtml")).status_code == 403
    stack.advance_clock(stack.now() + timedelta(minutes=6))
    assert download(stack, first["url"]).status_code == 403


def test_another_tickets_link_attaches_nothing(stack: LocalStack) -> None:
    ticket = open_ticket(stack)
    other = open_ticket(stack, email="lee@example.com", subject="Another")
    refused = send_whole(stack, f"/api/tickets/{ticket.id}/attachments", other.customer, "a.png", PNG)
    assert refused.status == 403
    assert start(stack, f"/api/agent/tickets/{ticket.id}/attachments", ticket.customer, "a.png", 9).status == 401
    assert stored_keys() == []


def test_a_form_without_one_file_field_is_a_clear_422(stack: LocalStack) -> None:
    ticket = open_ticket(stack)
    ready = requests.Request("POST", "http://x/", files={"photo": ("a.png", PNG)}).prepare()
    answer = stack.http(
        "POST", f"/api/tickets/{ticket.id}/attachments",
        headers={**ticket.customer, "content-type": ready.headers["Content-Type"]}, body=ready.body,
    )
    assert answer.status == 422 and "`file`" in answer.json()["message"]
    bad = stack.http("POST", f"/api/tickets/{ticket.id}/attachments", headers=ticket.customer,
                     json_body={"filename": "a.png"})
    assert bad.status == 422 and answer.json()["code"] == "validation_failed"


def test_a_file_posted_by_another_sites_page_is_refused(stack: LocalStack) -> None:
    ticket = open_ticket(stack)
    ready = requests.Request("POST", "http://x/", files={"file": ("a.png", PNG)}).prepare()
    answer = stack.http(
        "POST", f"/api/tickets/{ticket.id}/attachments", body=ready.body,
        headers={**ticket.customer, "content-type": ready.headers["Content-Type"], "sec-fetch-site": "cross-site"},
    )
    assert (answer.status, answer.json()["code"]) == (403, "cross_site")
    assert stored_keys() == []


def test_unfinished_uploads_are_capped_and_forgotten_after_a_day(stack: LocalStack) -> None:
    ticket = open_ticket(stack)
    base = f"/api/tickets/{ticket.id}/attachments"
    for _ in range(MAX_PENDING):
        assert start(stack, base, ticket.customer, "a.png", len(PNG)).status == 201
    refused = start(stack, base, ticket.customer, "a.png", len(PNG))
    assert refused.status == 422 and "not finished yet" in refused.json()["message"]

    stack.advance_clock(stack.now() + timedelta(days=1, minutes=1))  # the bucket's lifecycle rule's day
    again = start(stack, base, ticket.customer, "a.png", len(PNG))
    assert again.status == 201, again.body
    assert len([i for i in stored_items() if i["sk"]["S"].startswith("PENDING#")]) == 1
