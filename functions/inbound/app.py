"""The inbound function: SES receiving stored a message in the inbound bucket and invokes this with its
receipt (the Lambda action's event). Thin: read the receipt, hand it to the desk, count what became of it.

A message that can't be read, is automated, fails SES's verdicts or is refused as the pages would refuse it
is logged and counted, never raised: a bad message never fails the invocation. Only an unexpected error
(DynamoDB or S3 unavailable) is raised, so Lambda's retry of the asynchronous invocation tries it again;
the message's SES id is its idempotency key, so a retry never adds it twice.

It also takes SES's bounce and complaint events for the mail we send (the configuration set's EventBridge
destination, and a rule that invokes this function): mail coming back to the desk, like replies, with the same
asynchronous retries and failure queue. A malformed event is logged and counted, never raised.

Each kind of event loads what it needs on first use: under the template's default parameters (no
InboundDomain) SES receives nothing, and bounces and complaints are all this function is sent, so its cold
start doesn't load the mail reader, the desk's intake and its files until a message arrives.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from pennydesk.platform.idempotency import register_invocation
from pennydesk.platform.observability import make_tracer

logger = Logger()
tracer = make_tracer()
metrics = Metrics()


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, list[str]]:
    register_invocation(context)
    if "detail-type" in event:  # EventBridge: SES's report of a bounce or a complaint
        return {"outcomes": [_delivery_problem(event)]}
    outcomes = []
    for record in event.get("Records") or []:
        outcome = _received(record)
        metrics.add_metric(name=f"InboundMail{outcome}", unit=MetricUnit.Count, value=1)
        outcomes.append(outcome)
    return {"outcomes": outcomes}


def _received(record: Any) -> str:
    ses = record.get("ses") if isinstance(record, dict) else None
    if not isinstance(ses, dict):
        logger.warning("not an SES receipt event record", extra={"error": "no ses object"})
        return "NotAReceipt"
    from pennydesk.helpdesk import inbound_mail  # only mail received loads it

    try:
        receipt = inbound_mail.Receipt.from_event(ses)
    except (KeyError, TypeError) as exc:
        logger.warning("not an SES receipt event record", extra={"error": type(exc).__name__})
        return "NotAReceipt"
    outcome = inbound_mail.receive(receipt)
    logger.info("inbound mail", extra={"ses_message_id": receipt.message_id, "outcome": outcome})
    return outcome


def _delivery_problem(event: dict[str, Any]) -> str:
    from pennydesk.helpdesk import mail_status  # only these events load it
    from pennydesk.platform.email import delivery_events

    try:
        problem = delivery_events.read(event)
    except delivery_events.NotADeliveryProblem as exc:
        logger.warning("not an SES bounce or complaint", extra={"reason": str(exc), "event_id": event.get("id")})
        outcome = "NotADeliveryProblem"
    else:
        told = mail_status.record(problem)
        outcome = "Bounced" if problem.kind == "bounced" else "Complained"
        logger.info("delivery problem", extra={"kind": problem.kind, "permanent": problem.permanent,
                                               "feedback_id": problem.feedback_id, "tickets_told": told})
    metrics.add_metric(name=f"MailDelivery{outcome}", unit=MetricUnit.Count, value=1)
    return outcome
