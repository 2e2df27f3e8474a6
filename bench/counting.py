"""Count the AWS requests a piece of product code makes, by service and operation.

PynamoDB, Powertools and boto3 each build their own botocore clients, so the one place every request
passes is `BaseClient._make_api_call`; it is wrapped for the duration of a measurement only.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import botocore.client


def _tables(operation: str, params: dict[str, Any]) -> set[str]:
    if "TableName" in params:
        return {params["TableName"]}
    if "RequestItems" in params:  # BatchGetItem, BatchWriteItem
        return set(params["RequestItems"])
    tables = set()
    for item in params.get("TransactItems", []):  # TransactWriteItems, TransactGetItems
        for action in item.values():
            if isinstance(action, dict) and "TableName" in action:
                tables.add(action["TableName"])
    return tables


# On-demand capacity per request, for items within one unit (a write of <= 1 KB, a read of <= 4 KB; the
# cost model checks the largest stored item against those sizes): a write request unit per item written,
# two in a transaction; a read request unit per strongly consistent item read, half for an eventually
# consistent one, two in a transaction; a Query or Scan is charged by the size of what it reads, at least
# one unit (half if eventually consistent) per 4 KB.
READ_UNIT_BYTES = 4096


def _response_bytes(items: list[dict[str, Any]]) -> int:
    return sum(len(repr(item)) for item in items)  # an upper bound of DynamoDB's item size


def capacity_units(operation: str, params: dict[str, Any], response: dict[str, Any] | None) -> tuple[float, float]:
    """(write request units, read request units) an on-demand table would charge for one request."""
    def read_unit(consistent: bool) -> float:
        return 1.0 if consistent else 0.5

    if operation in ("PutItem", "UpdateItem", "DeleteItem"):
        return 1.0, 0.0
    if operation == "BatchWriteItem":
        return float(sum(len(v) for v in params.get("RequestItems", {}).values())), 0.0
    if operation == "TransactWriteItems":
        return 2.0 * len(params.get("TransactItems", [])), 0.0
    if operation == "GetItem":
        return 0.0, read_unit(bool(params.get("ConsistentRead")))
    if operation == "BatchGetItem":
        return 0.0, sum(
            len(v.get("Keys", [])) * read_unit(bool(v.get("ConsistentRead")))
            for v in params.get("RequestItems", {}).values()
        )
    if operation == "TransactGetItems":
        return 0.0, 2.0 * len(params.get("TransactItems", []))
    if operation in ("Query", "Scan"):
        size = _response_bytes((response or {}).get("Items", []))
        pages = max(1, -(-size // READ_UNIT_BYTES))
        return 0.0, pages * read_unit(bool(params.get("ConsistentRead")))
    return 0.0, 0.0


@dataclass
class Calls:
    idempotency_table: str
    by_service: Counter[str] = field(default_factory=Counter)
    dynamodb: Counter[str] = field(default_factory=Counter)  # product tables, by operation
    idempotency: Counter[str] = field(default_factory=Counter)  # idempotency-record requests, by operation
    seconds: float = 0.0  # wall time spent inside AWS calls (botocore + the emulator)
    cpu_seconds: float = 0.0  # CPU time of the calling thread inside AWS calls
    op_seconds: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    write_units: float = 0.0  # on-demand write request units, estimated per request (capacity_units)
    read_units: float = 0.0

    def record(self, service: str, operation: str, params: dict[str, Any]) -> None:
        self.by_service[service] += 1
        if service != "dynamodb":
            return
        tables = _tables(operation, params)
        if tables and tables <= {self.idempotency_table}:
            self.idempotency[operation] += 1
        else:
            self.dynamodb[operation] += 1

    @property
    def dynamodb_total(self) -> int:
        return self.by_service["dynamodb"]

    @property
    def dynamodb_product(self) -> int:
        return sum(self.dynamodb.values())

    @property
    def ses(self) -> int:
        return self.by_service["ses"] + self.by_service["sesv2"]

    def describe(self) -> str:
        def ops(counter: Counter[str]) -> str:
            return ", ".join(f"{op} {n}" for op, n in sorted(counter.items())) or "none"

        others = {s: n for s, n in sorted(self.by_service.items()) if s != "dynamodb"}
        other_text = ", ".join(f"{s} {n}" for s, n in others.items()) or "none"
        return f"tables: {ops(self.dynamodb)}; idempotency: {ops(self.idempotency)}; other services: {other_text}"


@contextmanager
def count_calls(idempotency_table: str) -> Iterator[Calls]:
    calls = Calls(idempotency_table)
    original = botocore.client.BaseClient._make_api_call

    def counting(self: botocore.client.BaseClient, operation_name: str, api_params: dict[str, Any]) -> Any:
        service = self.meta.service_model.service_name
        calls.record(service, operation_name, api_params)
        start, cpu_start = time.perf_counter(), time.thread_time()
        try:
            response = original(self, operation_name, api_params)
            if service == "dynamodb":
                writes, reads = capacity_units(operation_name, api_params, response)
                calls.write_units += writes
                calls.read_units += reads
            return response
        finally:
            elapsed = time.perf_counter() - start
            calls.seconds += elapsed
            calls.cpu_seconds += time.thread_time() - cpu_start
            calls.op_seconds[f"{service}.{operation_name}"].append(elapsed)

    botocore.client.BaseClient._make_api_call = counting  # type: ignore[method-assign]
    try:
        yield calls
    finally:
        botocore.client.BaseClient._make_api_call = original  # type: ignore[method-assign]
