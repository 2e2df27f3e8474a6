"""Mail in: replies from real mail clients reach their ticket as the pages would add them, tokens never
reach another ticket, automated mail is never recorded nor answered, and bad mail crashes nothing."""

from __future__ import annotations

import json
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from pennydesk.helpdesk import inbound_mail, workflow
from pennydesk.platform import ratelimit
from pennydesk.platform.email.inbound import parse

from infra.local.engine import LocalStack
from infra.local.inbound import deliver, receipt_event, receipt_rule
from tests.support.helpdesk import open_ticket, resolve
from tests.support.outbox import outbox_for
from tests.support.records import stored_items, stored_tickets

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
MAIL = FIXTURES / "mail"
LATIN = (
    "Fusce bibendum, quam hendrerit sagittis tempor, dui turpis tempus erat, pharetra sodales ante sem sit amet "
    "metus.\nNulla malesuada, orci non vulputate lobortis, massa felis pharetra ex, convallis consectetur ex libero "
    "eget ante.\nNam vel turpis posuere, rhoncus ligula in, venenatis orci. Duis interdum venenatis ex a rutrum.\n"
    "Duis ut libero eu lectus consequat consequat ut vel lorem. Vestibulum convallis lectus urna,\net mollis ligula "
    "rutrum quis. Fusce sed odio id arcu varius aliquet nec nec nibh."
)
# What each client's reply says this time, read by a person (quoted history, sign-offs and phone lines gone).
NEW_TEXT = {
    "gmail_en": LATIN,
    "gmail_fr": "Bonjour Anna,\n\nMerci pour votre message. Les conditions me semblent correctes, je serai\n"
    "disponible la semaine prochaine.",
    "outlook_de": LATIN,
    "outlook_ios_fr": LATIN,
    "apple_iphone_fr": "Bonjour,\n\nCeci est un simple exemple d'email en français pour tester les accents. Voici "
    "une phrase supplémentaire pour vérifier qu'elle ne divise pas plusieurs phrases sur une seule ligne.\n\n"
    "Au revoir,\n\nKelsier",
    # Thunderbird writes format=flowed, quoted-printable: the soft line breaks join the first paragraph into one
    # line. Its /italic/ line is words, not a Swedish "/Anna" sign-off; the reader strips each line's ends, so the
    # lists lose their indent.
    "thunderbird_en": "This is a *really* complex issue, this really long line that I'm writing shouldn't be break "
    "because it doesn't contain a new line, so we don't have          to have a new line, but we should have spaces"
    "    .\n\nThis is formatting now.\n\n*bold*\n\n/italic/\n\n_underline_\n\n"
    "_/*now I will use more than one format*/_\n\nAnd now a list:\n\n* item1\n* item2\n* item3\n\n"
    "another list:\n\n1. item1\n2. item2\n3. item3",
}


def reply_from_client(client: str, mail: dict[str, Any], sender: str = "maya@example.com") -> bytes:
    """The client's real reply, addressed as its user's mail client addresses a reply to `mail`."""
    raw = (MAIL / f"{client}.eml").read_bytes()
    return (
        raw.replace(b"reply+TOKEN@pennydesk.local", mail["reply_to"].encode())
        .replace(b"Re: SUBJECT", f"Re: {mail['subject']}".encode())
        .replace(b"<IN-REPLY-TO>", mail["headers"]["Message-ID"].encode())
        .replace(b"maya@example.com", sender.encode())
    )


def written(sender: str, to: str, body: str, subject: str = "Question", **headers: str) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body)
    return message.as_bytes()


def public_messages(ticket_id: str) -> list[tuple[str, str]]:
    return [(e.actor_type, e.body) for e in workflow.entries(ticket_id) if e.kind == "message"]


def only_ticket() -> Any:
    (item,) = stored_tickets()
    return workflow.get_ticket(item["ticket_id"]["S"])


def receive(stack: LocalStack, raw: bytes, **kwargs: Any) -> None:
    deliver(stack, raw, **kwargs)
    stack.drain()


# ---------------------------------------------------------------------------------------------- reading


@pytest.mark.parametrize("client", sorted(NEW_TEXT))
def test_only_the_new_text_of_a_real_reply_is_read(client: str) -> None:
    mail = {"reply_to": "reply+x@pennydesk.local", "subject": "[#1001] Re: Charged", "headers": {"Message-ID": "<a@b>"}}
    email = parse(reply_from_client(client, mail))

    assert email.text == NEW_TEXT[client]
    assert (email.sender, email.sender_name, email.ticket_number) == ("maya@example.com", "Maya Okafor", 1001)
    assert email.automated is None


def test_the_local_receipt_event_has_the_shape_aws_publishes(stack: LocalStack) -> None:
    sample = json.loads((FIXTURES / "ses" / "lambda_receipt_event.json").read_text())
    raw = written("maya@example.com", "support@pennydesk.local", "Hi")
    local = receipt_event(raw, "abc", ["support@pennydesk.local"], None, "InboundFunction")

    def shape(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: shape(v) for k, v in value.items() if k not in ("cc", "headers")}
        if isinstance(value, list):
            return [shape(value[0])] if value and isinstance(value[0], dict) else "list"
        return type(value).__name__

    assert shape(local) == shape(sample)
    receipt = inbound_mail.Receipt.from_event(sample["Records"][0]["ses"])
    assert receipt.message_id == "EXAMPLE7c191be45-e9aedb9a-02f9-4d12-a87d-dd0099a07f8a-000000"
    assert receipt.recipients == ("recipient@example.com",)
    assert receipt.failed_verdicts == ()  # DMARC GRAY is not a failure


def test_the_receipt_rule_stores_mail_in_the_inbound_bucket_and_invokes_the_inbound_function(stack: LocalStack) -> None:
    rule = receipt_rule(stack)
    assert (rule.recipients, rule.bucket, rule.prefix, rule.function) == (
        ("pennydesk.local",), "inboundbucket", "inbound/", "InboundFunction"
    )


# ---------------------------------------------------------------------------------------------- replies


@pytest.mark.parametrize("client", ["gmail_en", "outlook_ios_fr", "apple_iphone_fr", "thunderbird_en"])
def test_a_customer_reply_from_a_mail_client_reaches_the_agent_once(stack: LocalStack, client: str) -> None:
    ticket = open_ticket(stack)
    confirmation = outbox_for(stack, "maya@example.com")[0]

    raw = reply_from_client(client, confirmation)
    receive(stack, raw)

    assert public_messages(ticket.id) == [("customer", NEW_TEXT[client])]
    to_agent = outbox_for(stack, ticket.agent_email)
    assert len(to_agent) == 2 and "replied" in to_agent[1]["subject"]
    assert NEW_TEXT[client].splitlines()[0] in to_agent[1]["text"]
    originals = inbound_mail.originals(ticket.id)
    assert len(originals) == 1 and originals[0].object_key.startswith("inbound/")


def test_a_customer_reply_reopens_a_resolved_ticket(stack: LocalStack) -> None:
    ticket = open_ticket(stack)
    resolve(stack, ticket)
    resolved_mail = outbox_for(stack, "maya@example.com")[-1]

    receive(stack, reply_from_client("gmail_fr", resolved_mail))

    assert workflow.get_ticket(ticket.id).status == "in_progress"
    assert public_messages(ticket.id)[-1] == ("customer", NEW_TEXT["gmail_fr"])


def test_the_agent_answers_by_replying_and_notes_with_a_first_line_of_hash_note(stack: LocalStack) -> None:
    ticket = open_ticket(stack)
    assigned = outbox_for(stack, ticket.agent_email)[0]

    receive(stack, written(ticket.agent_email, assigned["reply_to"], "#note\nStripe shows two charges."))
    receive(stack, written(ticket.agent_email, assigned["reply_to"], "Refunded the second one.\n\n> quoted"))

    entries = [(e.kind, e.body) for e in workflow.entries(ticket.id) if e.kind in ("message", "note")]
    assert entries == [("note", "Stripe shows two charges."), ("message", "Refunded the second one.")]
    to_customer = outbox_for(stack, "maya@example.com")
    assert [m["subject"] for m in to_customer] == [
        f"[#{ticket.number}] We received your request: Charged twice for March",
        f"[#{ticket.number}] Re: Charged twice for March",
    ]
    assert "Stripe" not in to_customer[1]["text"]


def test_an_agent_reply_address_works_only_from_the_agent_it_was_sent_to(stack: LocalStack) -> None:
    ticket = open_ticket(stack)
    assigned = outbox_for(stack, ticket.agent_email)[0]
    tickets_before = len(stored_tickets())

    receive(stack, written("mallory@example.net", assigned["reply_to"], "Resolve it, I'm the agent."))

    assert public_messages(ticket.id) == []
    assert len(stored_tickets()) == tickets_before + 1  # a new request from mallory, as support@ would take it
    assert outbox_for(stack, "mallory@example.net")[0]["subject"].endswith("We received your request: Question")


# ---------------------------------------------------------------------------------------------- tokens


def test_a_forged_or_foreign_token_never_touches_the_ticket(stack: LocalStack) -> None:
    first = open_ticket(stack)
    second = open_ticket(stack, email="kim@example.com")
    second_reply_to = outbox_for(stack, "kim@example.com")[0]["reply_to"]
    local, _, domain = outbox_for(stack, "maya@example.com")[0]["reply_to"].partition("@")
    forged = f"{local[:-1]}{'a' if local[-1] != 'a' else 'b'}@{domain}"
    swapped = f"reply+c{first.id}{local[-22:]}@{domain}".replace(f"c{first.id}", f"c{second.id}")

    for address in (forged, swapped):
        receive(stack, written("maya@example.com", address, "Let me in."))
    receive(stack, written("maya@example.com", second_reply_to, "Kim's link, Maya's hand."))

    assert public_messages(first.id) == []
    assert public_messages(second.id) == [("customer", "Kim's link, Maya's hand.")]  # a token is the key, like a link
    assert len(stored_tickets()) == 4  # both forged addresses became requests of their own


def test_a_customer_writing_about_her_ticket_number_threads_onto_it_and_no_one_else_can(stack: LocalStack) -> None:
    ticket = open_ticket(stack)
    subject = f"Re: [#{ticket.number}] about my refund"

    receive(stack, written("Maya@Example.com", "support@pennydesk.local", "Any news?", subject=subject))
    receive(stack, written("eve@example.net", "support@pennydesk.local", "Add this to 1001", subject=subject))

    assert public_messages(ticket.id) == [("customer", "Any news?")]
    assert len(stored_tickets()) == 2


def test_mail_to_support_opens_a_ticket_with_the_usual_confirmation(stack: LocalStack) -> None:
    raw = written(
        "Lee Park <lee@example.org>", "support@pennydesk.local", "The printer is on fire.\n", subject="Printer",
        Message_ID="<lee-1@example.org>",
    )
    receive(stack, raw)

    created = only_ticket()
    assert (created.subject, created.description, created.category, created.priority) == (
        "Printer", "The printer is on fire.", "general", "normal"
    )
    assert (created.customer_name, created.customer_email) == ("Lee Park", "lee@example.org")
    (confirmation,) = outbox_for(stack, "lee@example.org")
    assert confirmation["headers"]["In-Reply-To"] == "<lee-1@example.org>"


def test_the_same_message_delivered_twice_is_added_once(stack: LocalStack) -> None:
    ticket = open_ticket(stack)
    raw = reply_from_client("outlook_de", outbox_for(stack, "maya@example.com")[0])
    message_id = deliver(stack, raw)
    reply_to = outbox_for(stack, "maya@example.com")[0]["reply_to"]
    event = receipt_event(raw, message_id, [reply_to], None, "InboundFunction")
    stack.invoke("InboundFunction", event)
    stack.drain()

    assert public_messages(ticket.id) == [("customer", NEW_TEXT["outlook_de"])]
    assert len(outbox_for(stack, ticket.agent_email)) == 2


def test_records_that_are_not_receipts_are_counted_and_fail_nothing(stack: LocalStack) -> None:
    event = {"Records": [{"eventSource": "aws:ses"}, "not a record", {"ses": "not an object"}, {"ses": {"mail": {}}}]}
    assert stack.invoke("InboundFunction", event) == {"outcomes": ["NotAReceipt"] * 4}


# ---------------------------------------------------------------------------------------------- loops and abuse

AUTOMATED = [
    {"Auto_Submitted": "auto-replied"},
    {"Auto_Submitted": "auto-generated"},
    {"Precedence": "bulk"},
    {"Precedence": "list"},
    {"Precedence": "junk"},
    {"X_Autoreply": "yes"},
]


@pytest.mark.parametrize("headers", AUTOMATED)
def test_automated_mail_is_recorded_nowhere_and_answered_never(stack: LocalStack, headers: dict[str, str]) -> None:
    ticket = open_ticket(stack)
    confirmation = outbox_for(stack, "maya@example.com")[0]
    mails, items = len(stack.outbox()), len(stored_items())

    receive(stack, written("maya@example.com", confirmation["reply_to"], "I am out of office.", **headers))
    receive(stack, written("maya@example.com", "support@pennydesk.local", "I am out of office.", **headers))

    assert public_messages(ticket.id) == []
    assert len(stack.outbox()) == mails
    assert len(stored_items()) == items  # nothing in the tickets table


def test_bounces_are_recorded_nowhere(stack: LocalStack) -> None:
    mails = len(stack.outbox())
    receive(stack, written("MAILER-DAEMON@mx.example.com", "support@pennydesk.local", "Delivery failed"))
    receive(stack, written("maya@example.com", "support@pennydesk.local", "Undeliverable"), mail_from="")

    assert stored_tickets() == []
    assert len(stack.outbox()) == mails


@pytest.mark.parametrize("verdict", ["spamVerdict", "virusVerdict", "spfVerdict", "dkimVerdict", "dmarcVerdict"])
def test_mail_failing_an_ses_verdict_is_dropped(stack: LocalStack, verdict: str) -> None:
    receive(stack, written("maya@example.com", "support@pennydesk.local", "Hello"), verdicts={verdict: "FAIL"})

    assert stored_tickets() == []
    assert stack.outbox() == []


TO_SUPPORT = b"To: support@pennydesk.local\r\n"
BAD_MAIL = {
    "control characters in From": b"From: Maya\x07 <maya@example.com>\r\n" + TO_SUPPORT + b"\r\nhi\r\n",
    "two From headers": b"From: a@example.com\r\nFrom: b@example.com\r\n" + TO_SUPPORT + b"\r\nhi\r\n",
    "no From": TO_SUPPORT + b"Subject: x\r\n\r\nhi\r\n",
    "undecodable charset": b"From: a@example.com\r\n" + TO_SUPPORT
    + b"Content-Type: text/plain; charset=x-no-such\r\n\r\n\xff\xfe hi\r\n",
    "malformed MIME": b"From: a@example.com\r\n" + TO_SUPPORT + b"Content-Type: multipart/mixed\r\n\r\n--\r\ngarbage",
    "an address with a mailto trick": b"From: kim?bcc=spy%40evil.example@example.com\r\n" + TO_SUPPORT + b"\r\nhi\r\n",
    "a huge message": b"From: a@example.com\r\n" + TO_SUPPORT + b"\r\n" + b"x" * (26 * 1024 * 1024),
}


@pytest.mark.parametrize("raw", BAD_MAIL.values(), ids=BAD_MAIL.keys())
def test_bad_mail_stores_nothing_sends_nothing_and_fails_no_invocation(stack: LocalStack, raw: bytes) -> None:
    receive(stack, raw)  # the function returned: nothing was raised

    assert stored_tickets() == []
    assert stack.outbox() == []


def test_html_only_mail_is_read_as_its_text_without_scripts(stack: LocalStack) -> None:
    message = EmailMessage()
    message["From"] = "lee@example.org"
    message["To"] = "support@pennydesk.local"
    message["Subject"] = "HTML"
    message.set_content("<p>Hello <b>desk</b><script>alert(1)</script></p><p>Second &amp; last</p>", subtype="html")
    receive(stack, message.as_bytes())

    assert only_ticket().description == "Hello desk\nSecond & last"


def test_one_sender_adds_at_most_the_limit_of_replies_to_a_ticket_an_hour(
    stack: LocalStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(inbound_mail, "REPLIES_PER_SENDER", ratelimit.Limit("mail-reply-test", 2, 3600))
    ticket = open_ticket(stack)
    confirmation = outbox_for(stack, "maya@example.com")[0]

    for n in range(3):
        receive(stack, written("maya@example.com", confirmation["reply_to"], f"Reply {n}"))

    assert public_messages(ticket.id) == [("customer", "Reply 0"), ("customer", "Reply 1")]
    assert len(outbox_for(stack, ticket.agent_email)) == 3  # assigned, then two replies: the third reached no one
