"""When mail to a customer bounces or is reported as spam, SES says so through the configuration set every
email is sent with; the template's EventBridge rule hands the event to the inbound function, which marks the
address and tells the customer's open tickets, once however often the event comes. AWS's own published bounce
and complaint records (tests/fixtures/ses) are sent, addressed to the test's customer."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from botocore.client import BaseClient

from infra.local.engine import LocalStack
from infra.local.mail_events import publish
from tests.support.helpdesk import OpenTicket, act, open_ticket, resolve

SES = Path(__file__).resolve().parents[1] / "fixtures" / "ses"
KIM = "kim@example.com"
OUR_SET = "MailConfigurationSet"  # the template's configuration set, as the local stack names it


def ses_record(name: str, address: str = KIM, configuration_set: str = OUR_SET, **changes: Any) -> dict[str, Any]:
    """AWS's sample record, about mail to `address` sent through `configuration_set`."""
    text = (SES / f"{name}_event.json").read_text()
    record = json.loads(text.replace("recipient@example.com", address).replace('"ConfigSet"', f'"{configuration_set}"'))
    for path, value in changes.items():
        section, field = path.split("__")
        record[section][field] = value
    return record


def agent_view(stack: LocalStack, ticket: OpenTicket) -> dict[str, Any]:
    answer = stack.http("GET", f"/api/agent/tickets/{ticket.id}", headers=ticket.agent)
    assert answer.status == 200, answer.body
    return answer.json()


def problem_events(view: dict[str, Any]) -> list[str]:
    return [e["detail"] for e in view["entries"] if e["kind"] == "event" and e["action"] == "mail_problem"]


def test_every_email_is_sent_through_the_configuration_set(stack: LocalStack, monkeypatch: pytest.MonkeyPatch) -> None:
    sends: list[dict[str, Any]] = []
    real = BaseClient._make_api_call

    def recording(client: BaseClient, operation: str, params: dict) -> object:
        if operation == "SendEmail":
            sends.append(params)
        return real(client, operation, params)

    monkeypatch.setattr(BaseClient, "_make_api_call", recording)
    open_ticket(stack, email=KIM)
    assert len(sends) == 2  # the confirmation and the agent's
    assert {s.get("ConfigurationSetName") for s in sends} == {OUR_SET}


def test_a_bounce_marks_the_address_and_tells_each_open_ticket_once(stack: LocalStack) -> None:
    first = open_ticket(stack, email=KIM)
    second = open_ticket(stack, email=KIM, subject="Second question", category="technical")
    closed = open_ticket(stack, email=KIM, subject="Old question", category="general")
    resolve(stack, closed)
    other = open_ticket(stack, email="lee@example.com")

    assert publish(stack, ses_record("bounce")) == ["InboundFunction"]
    assert publish(stack, ses_record("bounce")) == ["InboundFunction"]  # EventBridge delivers at least once

    told = "Mail to kim@example.com bounced: mailbox does not exist"
    for ticket in (first, second):
        view = agent_view(stack, ticket)
        assert view["mail_status"] == {
            "kind": "bounced", "permanent": True, "reason": "mailbox does not exist", "at": "2017-08-05T00:41:02.669Z",
        }
        assert problem_events(view) == [told]
    assert problem_events(agent_view(stack, closed)) == []  # resolved: nobody waits on it
    assert agent_view(stack, other)["mail_status"] is None and problem_events(agent_view(stack, other)) == []


def test_a_complaint_says_the_customer_marked_our_mail_as_spam(stack: LocalStack) -> None:
    ticket = open_ticket(stack, email=KIM)
    publish(stack, ses_record("complaint"))

    view = agent_view(stack, ticket)
    assert view["mail_status"]["kind"] == "complained" and view["mail_status"]["permanent"] is True
    assert view["mail_status"]["reason"] == "marked our email as spam"
    assert problem_events(view) == [
        "kim@example.com marked our email as spam; the desk's mail to them is no longer delivered"
    ]
    customer = stack.http("GET", f"/api/tickets/{ticket.id}", headers=ticket.customer).json()
    assert "spam" not in json.dumps(customer)  # the desk's history is the agent's, not the customer's


def test_an_older_event_arriving_late_does_not_hide_the_newer_one(stack: LocalStack) -> None:
    ticket = open_ticket(stack, email=KIM)
    publish(stack, ses_record("complaint", complaint__timestamp="2017-08-06T10:00:00.000Z",
                              complaint__feedbackId="newer-complaint-000000"))
    publish(stack, ses_record("bounce"))  # 5 August: older

    assert agent_view(stack, ticket)["mail_status"]["kind"] == "complained"
    assert len(problem_events(agent_view(stack, ticket))) == 2  # both happened; both are in the history


def test_another_applications_mail_and_malformed_events_change_nothing(stack: LocalStack) -> None:
    ticket = open_ticket(stack, email=KIM)
    assert publish(stack, ses_record("bounce", configuration_set="SomeoneElsesSet")) == []

    broken = ses_record("bounce")
    broken["bounce"]["bouncedRecipients"] = [{"emailAddress": "not an address"}]
    assert publish(stack, broken) == ["InboundFunction"]  # the rule matches; the function refuses it
    event = {"version": "0", "id": "x", "detail-type": "Email Bounced", "source": "aws.ses", "detail": {"mail": []}}
    assert stack.invoke("InboundFunction", event) == {"outcomes": ["NotADeliveryProblem"]}

    view = agent_view(stack, ticket)
    assert view["mail_status"] is None and problem_events(view) == []


def test_a_ticket_opened_after_the_bounce_shows_the_address_status(stack: LocalStack) -> None:
    publish(stack, ses_record("bounce"))
    ticket = open_ticket(stack, email=KIM)
    assert agent_view(stack, ticket)["mail_status"]["reason"] == "mailbox does not exist"
    status, _ = act(stack, ticket, "note", body="Kim's mailbox is gone; call them.")
    assert status == 200


def test_the_local_hook_takes_a_record_over_http_as_make_dev_serves_it(stack: LocalStack) -> None:
    from werkzeug.test import Client

    from infra.local.server import LocalServer

    ticket = open_ticket(stack, email=KIM)
    http = Client(LocalServer(stack))
    answer = http.post("/_local/ses-events", json=ses_record("bounce"))
    assert answer.status_code == 202 and answer.get_json() == {"invoked": ["InboundFunction"]}
    assert agent_view(stack, ticket)["mail_status"]["kind"] == "bounced"

    assert http.post("/_local/ses-events", data=b"{not json").status_code == 400
    assert http.post("/_local/ses-events", json={"eventType": "Open", "mail": {}}).status_code == 400
    assert http.get("/_local/ses-events").status_code == 405
