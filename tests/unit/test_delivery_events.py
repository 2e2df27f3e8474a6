"""SES's own published bounce and complaint records (tests/fixtures/ses) read as what a person needs: which
address, what happened, why, when; anything else is refused with a reason, never half-read."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from pennydesk.platform.email.delivery_events import NotADeliveryProblem, Recipient, read

SES = Path(__file__).resolve().parents[1] / "fixtures" / "ses"
BOUNCE = json.loads((SES / "bounce_event.json").read_text())
COMPLAINT = json.loads((SES / "complaint_event.json").read_text())


def on_eventbridge(record: dict[str, Any], detail_type: str) -> dict[str, Any]:
    """The record as the configuration set's EventBridge destination delivers it: the event's detail."""
    return {
        "version": "0", "id": "5f1b4b1e-0000-4000-8000-000000000001", "detail-type": detail_type,
        "source": "aws.ses", "account": "123456789012", "time": "2017-08-05T00:41:03Z", "region": "us-east-1",
        "resources": ["arn:aws:ses:us-east-1:123456789012:configuration-set/ConfigSet"], "detail": record,
    }


def test_awss_sample_bounce_is_a_permanent_bounce_of_a_mailbox_that_does_not_exist() -> None:
    problem = read(on_eventbridge(BOUNCE, "Email Bounced"))
    assert (problem.kind, problem.permanent, problem.type, problem.subtype) == ("bounced", True, "Permanent", "General")
    assert problem.recipients == (Recipient("recipient@example.com", "mailbox does not exist"),)
    assert problem.at == "2017-08-05T00:41:02.669Z"
    assert problem.feedback_id == "01000157c44f053b-61b59c11-9236-11e6-8f96-7be8aexample-000000"
    assert problem.message_id == "EXAMPLE7c191be45-e9aedb9a-02f9-4d12-a87d-dd0099a07f8a-000000"
    assert read(BOUNCE) == problem  # the bare record, as SNS or Firehose carry it, reads the same


def test_awss_sample_complaint_is_a_spam_report() -> None:
    problem = read(on_eventbridge(COMPLAINT, "Email Complaint Received"))
    assert (problem.kind, problem.permanent, problem.type) == ("complained", True, "abuse")
    assert problem.recipients == (Recipient("recipient@example.com", "marked our email as spam"),)
    assert problem.at == "2017-08-05T00:41:02.669Z"


def test_a_soft_bounce_says_so_and_is_not_permanent() -> None:
    soft = copy.deepcopy(BOUNCE)
    soft["bounce"].update(bounceType="Transient", bounceSubType="MailboxFull")
    soft["bounce"]["bouncedRecipients"][0].update(status="4.2.2", diagnosticCode="smtp; 452 4.2.2 over quota")
    problem = read(soft)
    assert not problem.permanent and problem.recipients[0].reason == "mailbox full"


def test_the_same_event_twice_has_the_same_keys_and_another_address_another() -> None:
    first, again = read(BOUNCE), read(copy.deepcopy(BOUNCE))
    assert first.key("recipient@example.com") == again.key("recipient@example.com")
    assert first.key("recipient@example.com") != first.key("other@example.com")


@pytest.mark.parametrize(("event", "why"), [
    ({"source": "aws.ses", "detail-type": "Email Delivered", "detail": {}}, "not an SES bounce"),
    ({"source": "aws.sns", "detail-type": "Email Bounced", "detail": BOUNCE}, "not an SES bounce"),
    ({"source": "aws.ses", "detail-type": "Email Bounced", "detail": "x"}, "no detail"),
    ({"eventType": "Delivery", "mail": {}}, "not a bounce or complaint"),
    ({"eventType": "Bounce", "bounce": {"bouncedRecipients": []}, "mail": {}}, "missing"),
])
def test_anything_else_is_refused_with_a_reason(event: dict[str, Any], why: str) -> None:
    with pytest.raises(NotADeliveryProblem, match=why):
        read(event)


def test_a_recipient_that_is_not_an_address_refuses_the_whole_event() -> None:
    forged = copy.deepcopy(BOUNCE)
    forged["bounce"]["bouncedRecipients"].append({"emailAddress": "Mallory <m@evil.example>\r\nBcc: x"})
    with pytest.raises(NotADeliveryProblem, match="not an email address"):
        read(forged)
