"""The local stack's moto speed-ups (engine.speed_up_moto) keep DynamoDB's answers.

A cancelled transaction leaves every item it named, and the table's stream, exactly as they were; a Query
reads the same items in the same order whether or not other partitions hold thousands of items.
"""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto.core import DEFAULT_ACCOUNT_ID
from moto.dynamodb.models import dynamodb_backends

from infra.local.engine import REGION, LocalStack

TABLE = "SpendingTable"  # pk/sk, a stream, and a local index (by_date)


def _client() -> Any:
    return boto3.client("dynamodb", region_name=REGION)


def _item(pk: str, sk: str, **attrs: str) -> dict[str, Any]:
    return {"pk": {"S": pk}, "sk": {"S": sk}, **{k: {"S": v} for k, v in attrs.items()}}


def _stream_length(table: str) -> int:
    return len(dynamodb_backends[DEFAULT_ACCOUNT_ID][REGION].get_table(table).stream_shard.items)


def _everything(table: str) -> list[dict[str, Any]]:
    pages = _client().get_paginator("scan").paginate(TableName=table, ConsistentRead=True)
    return sorted((i for p in pages for i in p["Items"]), key=lambda i: (i["pk"]["S"], i["sk"]["S"]))


@pytest.fixture
def seeded(stack: LocalStack) -> LocalStack:
    client = _client()
    client.put_item(TableName=TABLE, Item=_item("USER#a", "TOTAL#2026-11", note="kept"))
    client.put_item(TableName=TABLE, Item=_item("USER#a", "EXP#1", note="to delete"))
    client.put_item(TableName=TABLE, Item=_item("USER#a", "PROFILE", note="checked"))
    return stack


def _cancelled_transaction(last: dict[str, Any]) -> list[dict[str, Any]]:
    """A put of a new item (new partition too), an update and a delete of existing ones, then `last`."""
    return [
        {"Put": {"TableName": TABLE, "Item": _item("USER#new", "PROFILE", note="new")}},
        {"Update": {"TableName": TABLE, "Key": _item("USER#a", "TOTAL#2026-11"), "UpdateExpression": "SET note = :n",
                    "ExpressionAttributeValues": {":n": {"S": "changed"}}}},
        {"Delete": {"TableName": TABLE, "Key": _item("USER#a", "EXP#1")}},
        last,
    ]


def test_a_transaction_cancelled_by_a_condition_leaves_items_and_stream_as_they_were(seeded: LocalStack) -> None:
    before, stream_before = _everything(TABLE), _stream_length(TABLE)
    failing_check = {"ConditionCheck": {"TableName": TABLE, "Key": _item("USER#a", "PROFILE"),
                                        "ConditionExpression": "attribute_not_exists(pk)"}}

    with pytest.raises(ClientError) as raised:
        _client().transact_write_items(TransactItems=_cancelled_transaction(failing_check))

    assert raised.value.response["Error"]["Code"] == "TransactionCanceledException"
    reasons = [r["Code"] for r in raised.value.response["CancellationReasons"]]
    assert reasons == ["None", "None", "None", "ConditionalCheckFailed"]
    assert _everything(TABLE) == before
    assert _stream_length(TABLE) == stream_before


def test_a_transaction_refused_as_invalid_leaves_items_and_stream_as_they_were(seeded: LocalStack) -> None:
    before, stream_before = _everything(TABLE), _stream_length(TABLE)
    same_item_again = {"Put": {"TableName": TABLE, "Item": _item("USER#new", "PROFILE", note="twice")}}

    with pytest.raises(ClientError) as raised:
        _client().transact_write_items(TransactItems=_cancelled_transaction(same_item_again))

    assert raised.value.response["Error"]["Code"] == "ValidationException"
    assert _everything(TABLE) == before
    assert _stream_length(TABLE) == stream_before


def test_a_malformed_entry_is_refused_by_moto_not_by_the_backup(seeded: LocalStack) -> None:
    before = _everything(TABLE)
    no_sort_key = {"Put": {"TableName": TABLE, "Item": {"pk": {"S": "USER#b"}}}}

    with pytest.raises(ClientError) as raised:
        _client().transact_write_items(TransactItems=_cancelled_transaction(no_sort_key))

    assert raised.value.response["Error"]["Code"] in {"ValidationException", "TransactionCanceledException"}
    assert _everything(TABLE) == before


def test_a_committed_transaction_writes_every_item_and_one_stream_record_each(seeded: LocalStack) -> None:
    stream_before = _stream_length(TABLE)
    passing_check = {"ConditionCheck": {"TableName": TABLE, "Key": _item("USER#a", "PROFILE"),
                                        "ConditionExpression": "attribute_exists(pk)"}}

    _client().transact_write_items(TransactItems=_cancelled_transaction(passing_check))

    keys = {(i["pk"]["S"], i["sk"]["S"]): i.get("note", {}).get("S") for i in _everything(TABLE)}
    assert keys == {
        ("USER#a", "TOTAL#2026-11"): "changed",
        ("USER#a", "PROFILE"): "checked",
        ("USER#new", "PROFILE"): "new",
    }
    assert _stream_length(TABLE) == stream_before + 3


def test_queries_answer_the_same_beside_thousands_of_other_items(stack: LocalStack) -> None:
    client = _client()
    mine = [_item("USER#me", f"EXP#{n:03d}", date_key=f"2026-11-{1 + n % 28:02d}#{n:03d}") for n in range(30)]
    others = [_item(f"USER#{n:05d}", f"EXP#{n:03d}", date_key=f"2026-11-01#{n:05d}") for n in range(3000)]
    for start in range(0, len(mine) + len(others), 25):
        chunk = (mine + others)[start : start + 25]
        client.batch_write_item(RequestItems={TABLE: [{"PutRequest": {"Item": i}} for i in chunk]})

    table_page = client.query(TableName=TABLE, KeyConditionExpression="pk = :p AND begins_with(sk, :e)",
                              ExpressionAttributeValues={":p": {"S": "USER#me"}, ":e": {"S": "EXP#"}},
                              ScanIndexForward=False, Limit=7)
    index_page = client.query(TableName=TABLE, IndexName="by_date",
                              KeyConditionExpression="pk = :p AND begins_with(date_key, :m)",
                              ExpressionAttributeValues={":p": {"S": "USER#me"}, ":m": {"S": "2026-11-"}})

    assert [i["sk"]["S"] for i in table_page["Items"]] == [f"EXP#{n:03d}" for n in range(29, 22, -1)]
    assert table_page["LastEvaluatedKey"] == {"pk": {"S": "USER#me"}, "sk": {"S": "EXP#023"}}
    expected = sorted(mine, key=lambda i: i["date_key"]["S"])
    assert [i["date_key"]["S"] for i in index_page["Items"]] == [i["date_key"]["S"] for i in expected]
