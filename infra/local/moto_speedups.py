"""moto, without its O(table) costs.

moto answers with DynamoDB's results but pays for them in ways DynamoDB does not: TransactWriteItems
deep-copies every table it touches (once per item) so it can roll back, and a Query sorts the whole table
before it looks at one partition. Both grow with the data, so a local stack with thousands of items
slowed every test and made the bench measure moto. speed_up_moto() keeps the results and drops the costs:
a transaction backs up only the items it touches (and its stream's length) and restores them if it is
cancelled; a Query on the table or a local index reads its partition; a global index query skips the
whole-table sort (its matches are sorted by their full key anyway). tests/integration cover rollback,
conditional failures and stream delivery after a cancelled transaction.
"""

from __future__ import annotations

import threading
from typing import Any

_moto_sped_up = False
_in_transaction = threading.local()
_query_scope = threading.local()


def speed_up_moto() -> None:
    """Install the patches this module describes, once per process (they keep moto's answers, so they never
    come off)."""
    global _moto_sped_up
    if _moto_sped_up:
        return
    import copy

    from moto.dynamodb import models as dynamodb_models
    from moto.dynamodb.models.dynamo_type import DynamoType
    from moto.dynamodb.models.table import Table

    real_transact = dynamodb_models.DynamoDBBackend.transact_write_items
    real_query, real_all_items = Table.query, Table.all_items

    class _CopyWithoutTables:
        """moto's `copy` inside a transaction we back up ourselves: its whole-table backup is skipped."""

        @staticmethod
        def deepcopy(value: Any, memo: Any = None) -> Any:
            if isinstance(value, Table) and getattr(_in_transaction, "active", False):
                return value
            return copy.deepcopy(value, memo)

    def backup(self: Any, entry: dict[str, Any]) -> tuple[Any, Any, Any, Any] | None:
        """The item one transaction entry names, as it is now (None if the entry is malformed: moto then
        cancels the transaction without writing that entry)."""
        try:
            op_type, op = next(iter(entry.items()))
            table = self.tables.get(op.get("TableName"))
            if table is None:
                return None
            key = op["Item"] if op_type == "Put" else op["Key"]
            hash_value = DynamoType(key[table.hash_key_attr])
            range_value = DynamoType(key[table.range_key_attr]) if table.range_key_attr else None
            before = copy.deepcopy(table.get_item(hash_value, range_value))
        except Exception:  # moto itself reports what is wrong with the entry
            return None
        return table, hash_value, range_value, before

    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        saved = [b for b in (backup(self, entry) for entry in transact_items[:100]) if b is not None]
        stream_lengths = {
            id(table): (table.stream_shard, len(table.stream_shard.items))
            for table, *_ in saved
            if table.stream_shard is not None
        }
        _in_transaction.active = True
        try:
            return real_transact(self, transact_items)
        except Exception:
            for table, hash_value, range_value, before in reversed(saved):
                partition = table.items[hash_value] if range_value is not None else table.items
                slot = range_value if range_value is not None else hash_value
                if before is None:
                    partition.pop(slot, None)
                else:
                    partition[slot] = before
            for shard, length in stream_lengths.values():
                del shard.items[length:]
            raise
        finally:
            _in_transaction.active = False

    def query(self: Any, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
        index_name = args[6] if len(args) > 6 else kwargs.get("index_name")
        local = index_name is None or any(i.name == index_name for i in self.indexes or [])
        _query_scope.value = (self, "partition", hash_key) if local and hash_key is not None else (self, "any", None)
        try:
            return real_query(self, hash_key, *args, **kwargs)
        finally:
            _query_scope.value = None

    def all_items(self: Any) -> list[Any]:
        scope = getattr(_query_scope, "value", None)
        if scope is None or scope[0] is not self or not self.range_key_attr:
            return real_all_items(self)
        if scope[1] == "partition":
            return sorted(self.items.get(scope[2], {}).values(), key=lambda item: item.range_key)
        return [item for partition in self.items.values() for item in partition.values()]

    dynamodb_models.copy = _CopyWithoutTables  # type: ignore[assignment]
    dynamodb_models.DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]
    Table.query, Table.all_items = query, all_items  # type: ignore[method-assign]
    _moto_sped_up = True
