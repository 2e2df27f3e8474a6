"""Helpers the stories share: submit a ticket, read someone's mail, look at what was stored."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import boto3

from infra.local.engine import REGION, HttpResult, LocalStack

ADMIN = "admin@pennydesk.local"  # the admin infra/seed.json (and make_stack by default) sets up

VALID_TICKET: dict[str, Any] = {
    "name": "Maya Okafor",
    "email": "maya@example.com",
    "subject": "Charged twice for March",
    "description": "My card shows two charges of 12.00 on 3 March. Please refund one.",
    "category": "billing",
}

LINK = re.compile(r"https?://[^\s\"'<>]+")


def submit_ticket(stack: LocalStack, *, headers: dict[str, str] | None = None, **overrides: Any) -> HttpResult:
    """POST a valid ticket (with any field replaced) to /api/tickets, as the hosted form would."""
    return stack.http("POST", "/api/tickets", json_body={**VALID_TICKET, **overrides}, headers=headers)


def outbox_for(stack: LocalStack, address: str) -> list[dict[str, Any]]:
    """The messages in the local outbox addressed to `address`, oldest first."""
    wanted = address.lower()
    return [m for m in stack.outbox() if wanted in (a.lower() for a in m["to"])]


def stored_items(table: str = "TicketsTable") -> list[dict[str, Any]]:
    """Every item in a table (the tickets table unless named), read straight from DynamoDB."""
    dynamodb = boto3.client("dynamodb", region_name=REGION)
    items: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {"TableName": table, "ConsistentRead": True}
    while True:
        page = dynamodb.scan(**kwargs)
        items.extend(page["Items"])
        if "LastEvaluatedKey" not in page:
            return items
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def stored_tickets() -> list[dict[str, Any]]:
    return [item for item in stored_items() if item["sk"]["S"] == "TICKET"]


def stored_ticket(ticket_id: str) -> dict[str, Any]:
    """The ticket's item as DynamoDB holds it, plain values (strings and numbers as text)."""
    dynamodb = boto3.client("dynamodb", region_name=REGION)
    item = dynamodb.get_item(
        TableName="TicketsTable",
        Key={"pk": {"S": f"TICKET#{ticket_id}"}, "sk": {"S": "TICKET"}},
        ConsistentRead=True,
    )["Item"]
    return {key: next(iter(value.values())) for key, value in item.items()}


def agents_by_email() -> dict[str, dict[str, Any]]:
    """Every agent profile, keyed by email: id, categories, open count, capacity, active."""
    dynamodb = boto3.client("dynamodb", region_name=REGION)
    items = dynamodb.scan(TableName="AgentsTable", ConsistentRead=True)["Items"]
    return {
        item["email"]["S"]: {
            "agent_id": item["agent_id"]["S"],
            "categories": set(item["categories"]["SS"]),
            "open_count": int(item["open_count"]["N"]),
            "capacity": int(item["capacity"]["N"]),
            "active": item["active"]["BOOL"],
        }
        for item in items
        if item["sk"]["S"] == "PROFILE"
    }


def links_in(text: str) -> list[str]:
    return LINK.findall(text)


def link_to(text: str, path: str) -> str:
    """The one link in `text` whose path is `path` (e.g. /ticket.html)."""
    found = [url for url in links_in(text) if urlsplit(url.replace("&amp;", "&")).path == path]
    assert len(found) >= 1, f"no link to {path} in:\n{text}"
    assert len(set(found)) == 1, f"more than one different link to {path}: {found}"
    return found[0].replace("&amp;", "&")


def query_of(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


def stream_records(stack: LocalStack, table: str = "TicketsTable") -> list[dict[str, Any]]:
    """Every record on a table's stream so far (the tickets table unless named), shaped as Lambda delivers them."""
    streams = boto3.client("dynamodbstreams", region_name=REGION)
    arn = stack.resolved[table]["StreamArn"]
    records: list[dict[str, Any]] = []
    for shard in streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
        iterator = streams.get_shard_iterator(
            StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        while iterator:
            page = streams.get_records(ShardIterator=iterator)
            if not page["Records"]:
                break
            records.extend({**r, "eventSourceARN": arn} for r in page["Records"])
            iterator = page.get("NextShardIterator")
    return records


def ticket_records(records: list[dict[str, Any]], ticket_id: str) -> list[dict[str, Any]]:
    key = f"TICKET#{ticket_id}"
    return [r for r in records if r["dynamodb"]["Keys"]["pk"]["S"] == key]
