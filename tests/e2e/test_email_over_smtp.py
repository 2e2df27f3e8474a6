"""The whole conversation by email on `make dev`'s stack: the form, then replies over SMTP from the mail
clients of the customer and the agent, an out-of-office that is ignored, a new request to support@, and
every email once, threaded."""

from __future__ import annotations

import re
import smtplib
import time
from collections import Counter
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from tests.support.live import link_in
from tests.support.stack import RunningStack, free_port, running_local_stack

pytestmark = pytest.mark.e2e
MAIL_DEADLINE = 10.0
CUSTOMER = "maya@example.com"
STATEMENT = (Path(__file__).resolve().parents[1] / "fixtures" / "attachments" / "statement.pdf").read_bytes()


@pytest.fixture(scope="module")
def mail_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RunningStack, int]]:
    """`make dev` with its SMTP listener on a free port (read back from what it prints at start)."""
    with pytest.MonkeyPatch.context() as env:
        env.setenv("SMTP_PORT", str(free_port()))
        with running_local_stack(tmp_path_factory.mktemp("smtp") / "stack.log") as running:
            found = re.search(r"SMTP 127\.0\.0\.1:(\d+)", running.output())
            assert found, running.output()
            yield running, int(found.group(1))


def outbox(base: str) -> list[dict[str, Any]]:
    return requests.get(f"{base}/_local/outbox", timeout=5).json()["messages"]


def wait_for(base: str, to: str | None, subject_contains: str) -> dict[str, Any]:
    """The first email (to `to`, or to anyone) whose subject contains the text, once it is in the outbox."""
    deadline = time.monotonic() + MAIL_DEADLINE
    while time.monotonic() < deadline:
        for message in outbox(base):
            if (to is None or to in message["to"]) and subject_contains in message["subject"]:
                return message
        time.sleep(0.05)  # polling the outbox, bounded by the deadline
    raise AssertionError(f"no email to {to} about {subject_contains!r}: {[m['subject'] for m in outbox(base)]}")


def reply_to(mail: dict[str, Any], sender: str, text: str, message_id: str, **headers: str) -> EmailMessage:
    """What a mail client sends when its user presses Reply: to the Reply-To, threaded, quoting the mail."""
    reply = EmailMessage()
    reply["From"] = sender
    reply["To"] = mail["reply_to"]
    reply["Subject"] = f"Re: {mail['subject']}"
    reply["Message-ID"] = message_id
    reply["In-Reply-To"] = mail["headers"]["Message-ID"]
    reply["References"] = " ".join(filter(None, [mail["headers"].get("References"), mail["headers"]["Message-ID"]]))
    for name, value in headers.items():
        reply[name.replace("_", "-")] = value
    quoted = "\n".join(f"> {line}" for line in mail["text"].splitlines())
    reply.set_content(f"{text}\n\nOn Tue, Dec 1, 2026 at 9:00 AM Pennydesk <{mail['from']}> wrote:\n{quoted}\n")
    return reply


def send(port: int, message: EmailMessage) -> None:
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
        smtp.send_message(message)


def test_a_ticket_is_worked_entirely_by_email(mail_stack: tuple[RunningStack, int]) -> None:
    stack, port = mail_stack
    base = stack.base
    created = requests.post(
        f"{base}/api/tickets",
        json={"name": "Maya Okafor", "email": CUSTOMER, "subject": "Charged twice for March",
              "description": "Two charges of 12.00 on 3 March.", "category": "billing"},
        timeout=10,
    ).json()
    number = created["number"]
    confirmation = wait_for(base, CUSTOMER, f"[#{number}] We received")
    assigned = wait_for(base, None, f"[#{number}] Assigned to you")
    agent = assigned["to"][0]

    first_reply = reply_to(confirmation, CUSTOMER, "It was on my Visa ending 4242.", "<maya-1@example.com>")
    first_reply.add_attachment(STATEMENT, maintype="application", subtype="pdf", filename="march.pdf")
    send(port, first_reply)  # the reply's new text reaches the thread, its PDF the ticket's attachments
    to_agent = wait_for(base, agent, f"[#{number}] Maya Okafor replied")
    assert "It was on my Visa ending 4242." in to_agent["text"]
    assert "Two charges" not in to_agent["text"].split("It was on my Visa")[1]  # only the new text came in
    agent_token = parse_qs(urlsplit(link_in(assigned, "/agent/ticket.html")).fragment)["token"][0]
    view = requests.get(f"{base}/api/agent/tickets/{created['id']}", timeout=10,
                        headers={"Authorization": f"Bearer {agent_token}"}).json()
    (statement,) = view["attachments"]
    assert (statement["filename"], statement["content_type"], statement["size"]) == (
        "march.pdf", "application/pdf", len(STATEMENT))
    downloaded = requests.get(statement["url"], timeout=10)  # the presigned link, as the agent's browser opens it
    assert downloaded.status_code == 200 and downloaded.content == STATEMENT
    assert downloaded.headers["Content-Disposition"].startswith("attachment; ")
    (original,) = view["originals"]
    assert b"It was on my Visa ending 4242." in requests.get(original["url"], timeout=10).content

    send(port, reply_to(to_agent, agent, "Refunded the second charge.", "<agent-1@pennydesk.local>"))
    answer = wait_for(base, CUSTOMER, f"[#{number}] Re:")
    assert "Refunded the second charge." in answer["text"]

    out_of_office = reply_to(answer, CUSTOMER, "I am away until Monday.", "<maya-ooo@example.com>",
                             Auto_Submitted="auto-replied")
    send(port, out_of_office)
    new_request = EmailMessage()
    new_request["From"] = "Lee Park <lee@example.org>"
    new_request["To"] = "support@pennydesk.local"
    new_request["Subject"] = "Cannot sign in"
    new_request["Message-ID"] = "<lee-1@example.org>"
    new_request.set_content("The sign-in link says it expired.")
    send(port, new_request)
    second = wait_for(base, "lee@example.org", "We received your request: Cannot sign in")
    assert second["subject"].startswith(f"[#{number + 1}] ")

    mail = outbox(base)
    assert [n for n in Counter((tuple(m["to"]), m["subject"]) for m in mail).values() if n > 1] == []  # each once
    to_maya = [m for m in mail if m["to"] == [CUSTOMER]]
    assert [m["subject"] for m in to_maya] == [
        f"[#{number}] We received your request: Charged twice for March",
        f"[#{number}] Re: Charged twice for March",
    ]  # the out-of-office reached no one: the agent heard of it no more than Maya did
    assert len([m for m in mail if m["to"] == [agent] and f"[#{number}]" in m["subject"]]) == 2
    first_id = confirmation["headers"]["Message-ID"]
    assert to_maya[1]["headers"]["In-Reply-To"] == "<maya-1@example.com>"
    assert to_maya[1]["headers"]["References"] == f"{first_id} <maya-1@example.com>"
    assert to_agent["headers"]["In-Reply-To"] == assigned["headers"]["Message-ID"]
    assert second["headers"]["In-Reply-To"] == "<lee-1@example.org>"
    to_a_side = [m for m in mail if "[#" in m["subject"] and m["to"] != ["admin@pennydesk.local"]]
    assert all(m["reply_to"].startswith("reply+") for m in to_a_side)


def test_the_outbox_page_replies_as_the_recipient_would(mail_stack: tuple[RunningStack, int]) -> None:
    stack, _ = mail_stack
    base = stack.base
    created = requests.post(
        f"{base}/api/tickets",
        json={"name": "Kim Lee", "email": "kim@example.com", "subject": "Export fails",
              "description": "The CSV export is empty.", "category": "technical"},
        timeout=10,
    ).json()
    confirmation = wait_for(base, "kim@example.com", f"[#{created['number']}] We received")
    page = requests.get(f"{base}/_local/outbox.html", timeout=5).text
    assert f'name="message" value="{confirmation["id"]}"' in page and confirmation["reply_to"] in page

    sent = requests.post(
        f"{base}/_local/inbound", data={"message": confirmation["id"], "body": "It happens for March only."},
        allow_redirects=False, timeout=10,
    )

    assert sent.status_code == 303 and sent.headers["Location"] == "/_local/outbox.html"
    assigned = wait_for(base, None, f"[#{created['number']}] Assigned to you")
    to_agent = wait_for(base, assigned["to"][0], f"[#{created['number']}] Kim Lee replied")
    assert "It happens for March only." in to_agent["text"]
