"""The API function may do what its code does and nothing more: item by item on its tables (no Scan, no
BatchWriteItem), and send mail from its identity (no SES identity management)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from infra.local.template import load_yaml

DOC = load_yaml(Path(__file__).resolve().parents[2] / "template.yaml")
API = DOC["Resources"]["ApiFunction"]["Properties"]
# SAM's policy templates that grant more than this function uses (Scan, BatchWriteItem, ses:Verify*, ...).
BROAD_TEMPLATES = {"DynamoDBCrudPolicy", "SESCrudPolicy", "DynamoDBWritePolicy", "AmazonDynamoDBFullAccess"}
NEEDED = {
    "dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:PutItem", "dynamodb:UpdateItem",
    "dynamodb:DeleteItem", "dynamodb:ConditionCheckItem",
}


def statements() -> list[dict[str, Any]]:
    found = []
    for policy in API["Policies"]:
        if isinstance(policy, dict) and "Statement" in policy:
            found += policy["Statement"]
    return found


def actions_of(statement: dict[str, Any]) -> set[str]:
    action = statement["Action"]
    return {action} if isinstance(action, str) else set(action)


def table_of(resource: Any) -> str | None:
    if isinstance(resource, dict) and "Fn::GetAtt" in resource:
        return resource["Fn::GetAtt"][0]
    return None


def test_the_api_uses_no_policy_template_broader_than_its_code() -> None:
    used = {name for policy in API["Policies"] if isinstance(policy, dict) for name in policy}
    assert used & BROAD_TEMPLATES == set()


def test_the_api_can_neither_scan_nor_batch_write_nor_manage_ses_identities() -> None:
    granted = set().union(*(actions_of(s) for s in statements()))
    assert {"dynamodb:Scan", "dynamodb:BatchWriteItem", "dynamodb:*", "ses:*"} & granted == set()
    assert not any(a.startswith(("ses:Verify", "ses:Delete", "ses:Create")) for a in granted)


def test_the_api_reads_and_writes_item_by_item_every_table_it_is_told_about() -> None:
    tables = {v["Ref"] for v in API["Environment"]["Variables"].values() if isinstance(v, dict) and "Ref" in v}
    tables |= {"TicketsTable", "AgentsTable", "SpendingTable", "IdempotencyTable"}  # named in Globals
    reachable = {
        table_of(r)
        for s in statements() if actions_of(s) >= NEEDED
        for r in (s["Resource"] if isinstance(s["Resource"], list) else [s["Resource"]])
    }
    assert {t for t in tables if t.endswith("Table")} <= reachable


def test_the_api_sends_mail_and_nothing_else_with_ses() -> None:
    ses = {a for s in statements() for a in actions_of(s) if a.startswith("ses:")}
    assert ses == {"ses:SendEmail", "ses:SendRawEmail"}
