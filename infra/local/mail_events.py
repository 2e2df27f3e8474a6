"""SES's bounce and complaint events, locally, the way the template routes them in AWS (POST /_local/ses-events):
the configuration set's EventBridge destination puts each on the default bus as an "Email Bounced" or "Email
Complaint Received" event whose `detail` is SES's event record, and every function whose EventBridgeRule
pattern matches it is invoked with it. moto sends nothing back, so a test or a person hands in the record SES
would publish (tests/fixtures/ses has AWS's samples).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from infra.event_filter import matches
from infra.local.runtime import REGION

if TYPE_CHECKING:
    from infra.local.engine import LocalStack

DETAIL_TYPES = {"Bounce": "Email Bounced", "Complaint": "Email Complaint Received", "Delivery": "Email Delivered"}
ACCOUNT = "123456789012"


class NotAnSesEvent(ValueError):
    """Neither an EventBridge event nor an SES event record; str() says what to send."""


def on_the_bus(body: Any) -> dict[str, Any]:
    """The EventBridge event for `body`: given as such, or an SES record wrapped as EventBridge wraps it."""
    if not isinstance(body, dict):
        raise NotAnSesEvent("Send SES's event record (with eventType and mail) or its EventBridge event as JSON.")
    if "detail-type" in body:
        return body
    kind = body.get("eventType")
    if kind not in DETAIL_TYPES or not isinstance(body.get("mail"), dict):
        raise NotAnSesEvent(f"eventType must be one of {', '.join(DETAIL_TYPES)}, with a mail object.")
    tags = body["mail"].get("tags") or {}
    sets = tags.get("ses:configuration-set") or []
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": DETAIL_TYPES[kind],
        "source": "aws.ses",
        "account": ACCOUNT,
        "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": REGION,
        "resources": [f"arn:aws:ses:{REGION}:{ACCOUNT}:configuration-set/{name}" for name in sets],
        "detail": body,
    }


def rules(stack: LocalStack) -> list[tuple[str, dict[str, Any]]]:
    """(function, pattern) for every EventBridgeRule event in the template, evaluated against the stack."""
    assert stack.template is not None
    found = []
    for function in stack.functions.values():
        for event in function.spec.events.values():
            if event["Type"] == "EventBridgeRule":
                pattern = stack.template.evaluate(event["Properties"]["Pattern"], stack.resolved)
                found.append((function.spec.logical_id, pattern))
    return found


def publish(stack: LocalStack, body: Any) -> list[str]:
    """Put the event on the local bus: the functions whose rules match it are invoked (their logical ids)."""
    event = on_the_bus(body)
    invoked = []
    for function, pattern in rules(stack):
        if matches(pattern, event):
            stack.invoke(function, event)
            invoked.append(function)
    stack.drain()
    return invoked
