"""Files on the ticket form: `POST /api/tickets` with `upload: true` answers with an `upload_token` that adds
files to that one ticket for half an hour, and opens nothing else (not the ticket, not its thread, not another
ticket). A POST without it mints nothing."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import boto3

from infra.local.engine import LocalStack
from tests.support.blobs import send_whole, start, upload
from tests.support.helpdesk import open_ticket, submit_ticket
from tests.support.outbox import link_to, query_of

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "attachments"
PDF = (FIXTURES / "statement.pdf").read_bytes()
PNG = (FIXTURES / "console.png").read_bytes()


def stored_keys() -> list[str]:
    listed = boto3.client("s3", region_name="us-east-1").list_objects_v2(Bucket="attachmentsbucket")
    return sorted(o["Key"] for o in listed.get("Contents", []))


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def opened_with_files(stack: LocalStack, **overrides: object) -> dict:
    created = submit_ticket(stack, upload=True, **overrides)
    assert created.status == 201, created.body
    return created.json()


def test_the_form_asks_for_an_upload_token_and_its_files_reach_the_ticket(stack: LocalStack) -> None:
    created = opened_with_files(stack)
    token = bearer(created["upload_token"])
    base = f"/api/tickets/{created['id']}/attachments"

    started = start(stack, base, token, "March statement.pdf", len(PDF))
    assert started.status == 201, started.body
    sent = upload(stack, started.json()["upload"], PDF, "March statement.pdf")
    assert sent.status_code == 204, sent.get_data(as_text=True)
    done = stack.http("POST", f"{base}/{started.json()['id']}/complete", headers=token)
    assert done.status == 201, done.body
    whole = send_whole(stack, base, token, "console.png", PNG)
    assert whole.status == 201, whole.body

    stack.drain()
    mail = [m for m in stack.outbox() if f"[#{created['number']}] We received" in m["subject"]][-1]
    link = bearer(query_of(link_to(mail["text"], "/ticket.html"))["token"])  # the confirmation goes out as usual
    seen = stack.http("GET", f"/api/tickets/{created['id']}", headers=link)
    assert seen.status == 200, seen.body
    assert [a["filename"] for a in seen.json()["attachments"]] == ["March statement.pdf", "console.png"]


def test_the_upload_token_opens_nothing_but_the_files_of_its_ticket(stack: LocalStack) -> None:
    created = opened_with_files(stack)
    token = bearer(created["upload_token"])
    stack.drain()
    assert stack.http("GET", f"/api/tickets/{created['id']}", headers=token).status == 401
    posted = stack.http("POST", f"/api/tickets/{created['id']}/messages", headers=token,
                        json_body={"body": "Hello?"})
    assert posted.status == 401
    feedback = stack.http("POST", f"/api/tickets/{created['id']}/feedback", headers=token, json_body={"rating": 5})
    assert feedback.status == 401
    assert stack.http("GET", f"/api/agent/tickets/{created['id']}", headers=token).status == 401
    assert start(stack, f"/api/agent/tickets/{created['id']}/attachments", token, "a.png", 9).status == 401
    assert stack.http("GET", "/api/me/tickets", headers=token).status == 401

    other = open_ticket(stack, email="lee@example.com", subject="Another")
    refused = send_whole(stack, f"/api/tickets/{other.id}/attachments", token, "a.png", PNG)
    assert refused.status == 403, refused.body
    assert start(stack, f"/api/tickets/{other.id}/attachments", token, "a.png", len(PNG)).status == 403
    assert stored_keys() == []
    # the ticket's own emailed link still attaches, as before
    assert send_whole(stack, f"/api/tickets/{other.id}/attachments", other.customer, "a.png", PNG).status == 201


def test_the_upload_token_expires_after_half_an_hour(stack: LocalStack) -> None:
    created = opened_with_files(stack)
    token = bearer(created["upload_token"])
    base = f"/api/tickets/{created['id']}/attachments"
    started = start(stack, base, token, "a.png", len(PNG))
    assert started.status == 201, started.body
    stack.advance_clock(stack.now() + timedelta(minutes=31))
    late = send_whole(stack, base, token, "b.png", PNG)
    assert late.status == 401 and "expired" in late.json()["message"], late.body
    assert stack.http("POST", f"{base}/{started.json()['id']}/complete", headers=token).status == 401
    assert stored_keys() == []


def test_no_token_unless_asked_and_a_replay_answers_the_same_ticket(stack: LocalStack) -> None:
    plain = submit_ticket(stack, email="plain@example.com")
    assert plain.status == 201 and "upload_token" not in plain.json()

    key = {"Idempotency-Key": "form-submit-1"}
    first = submit_ticket(stack, headers=key, upload=True)
    again = submit_ticket(stack, headers=key, upload=True)
    assert first.status == again.status == 201, again.body
    strip = lambda body: {k: v for k, v in body.items() if k != "upload_token"}  # noqa: E731
    assert strip(again.json()) == strip(first.json())
    for answer in (first, again):  # each answer's token works (a fresh one: tokens are never stored)
        token = bearer(answer.json()["upload_token"])
        sent = send_whole(stack, f"/api/tickets/{first.json()['id']}/attachments", token, "a.png", PNG)
        assert sent.status == 201, sent.body

    refused = submit_ticket(stack, upload="yes please")
    assert refused.status == 422


def test_a_spam_trap_answer_carries_a_token_that_stores_nothing(stack: LocalStack) -> None:
    decoy = opened_with_files(stack, website="http://spam.example")
    assert decoy["upload_token"]
    answer = send_whole(stack, f"/api/tickets/{decoy['id']}/attachments", bearer(decoy["upload_token"]), "a.png", PNG)
    assert answer.status == 404, answer.body
    assert stored_keys() == []
