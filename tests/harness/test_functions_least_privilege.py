"""Every function, not only the API, may do what its code does and nothing more: item by item on its tables
(no Scan, no BatchWriteItem: SAM's DynamoDB policy templates grant both), and with SES only send mail (SAM's
SESCrudPolicy would also let it verify and delete identities)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from infra.local.template import load_yaml

DOC = load_yaml(Path(__file__).resolve().parents[2] / "template.yaml")
FUNCTIONS = sorted(k for k, v in DOC["Resources"].items() if v["Type"] == "AWS::Serverless::Function")
BROAD_TEMPLATES = {
    "DynamoDBCrudPolicy", "DynamoDBReadPolicy", "DynamoDBWritePolicy", "AmazonDynamoDBFullAccess",
    "SESCrudPolicy", "SESBulkTemplatedCrudPolicy", "AmazonSESFullAccess",
}


def policies(function: str) -> list[Any]:
    return DOC["Resources"][function]["Properties"].get("Policies", [])


def granted(function: str) -> set[str]:
    actions: set[str] = set()
    for policy in policies(function):
        for statement in policy.get("Statement", []) if isinstance(policy, dict) else []:
            action = statement["Action"]
            actions |= {action} if isinstance(action, str) else set(action)
    return actions


def test_the_template_has_the_functions_these_checks_are_about() -> None:
    assert {"ApiFunction", "TicketStreamFunction", "SpendingStreamFunction", "SchedulerFunction",
            "WorkerFunction", "InboundFunction"} <= set(FUNCTIONS)


@pytest.mark.parametrize("function", FUNCTIONS)
def test_no_function_uses_a_policy_template_broader_than_its_code(function: str) -> None:
    used = {name for policy in policies(function) if isinstance(policy, dict) for name in policy}
    assert used & BROAD_TEMPLATES == set()


@pytest.mark.parametrize("function", FUNCTIONS)
def test_no_function_can_scan_batch_write_or_manage_ses(function: str) -> None:
    actions = granted(function)
    assert {"dynamodb:Scan", "dynamodb:BatchWriteItem", "dynamodb:*", "ses:*"} & actions == set()
    assert {a for a in actions if a.startswith("ses:")} <= {"ses:SendEmail", "ses:SendRawEmail"}


@pytest.mark.parametrize("function", FUNCTIONS)
def test_every_function_that_sends_mail_sends_from_our_identity_through_the_set(function: str) -> None:
    sending = [
        s for p in policies(function) if isinstance(p, dict) for s in p.get("Statement", [])
        if "ses:SendRawEmail" in (s["Action"] if isinstance(s["Action"], list) else [s["Action"]])
    ]
    for statement in sending:
        resources = str(statement["Resource"])
        assert ":identity/" in resources and ":configuration-set/" in resources
