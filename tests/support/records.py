"""What the stack holds, read straight from moto: table items, stream records, queue depths."""

from __future__ import annotations

from typing import Any

import boto3

from infra.local.engine import REGION, LocalStack


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


def timers_of(ticket_id: str) -> dict[str, dict[str, Any]]:
    """The ticket's armed timers, by sort key (TIMER#<kind>...)."""
    return {
        item["sk"]["S"]: item
        for item in stored_items()
        if item["pk"]["S"] == f"TIMERS#TICKET#{ticket_id}" and item["sk"]["S"].startswith("TIMER#")
    }


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
    """The stream records of the ticket item itself (not of the history entries in its partition)."""
    key = {"pk": f"TICKET#{ticket_id}", "sk": "TICKET"}
    return [r for r in records if {k: v["S"] for k, v in r["dynamodb"]["Keys"].items()} == key]


def queue_depth(stack: LocalStack, logical_id: str) -> int:
    """Messages on a queue, visible or in flight."""
    attributes = boto3.client("sqs", region_name=REGION).get_queue_attributes(
        QueueUrl=stack.resolved[logical_id]["Ref"],
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]) + int(attributes["ApproximateNumberOfMessagesNotVisible"])
