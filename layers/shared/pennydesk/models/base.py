"""Shared model plumbing: every table is keyed by a generic pk/sk pair."""

from __future__ import annotations

from functools import cache

from pynamodb.attributes import UnicodeAttribute
from pynamodb.connection import Connection
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from pennydesk.settings import get_settings


def table_meta(table_name: str) -> type:
    """A PynamoDB Meta for one of the template's tables, in the configured region."""

    class Meta:
        pass

    Meta.table_name = table_name  # type: ignore[attr-defined]
    Meta.region = get_settings().region  # type: ignore[attr-defined]
    return Meta


class KeyedModel(Model):
    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)


@cache
def _connection() -> Connection:
    return Connection(region=get_settings().region)


def transaction() -> TransactWrite:
    """A TransactWriteItems across any of the tables: all its writes and conditions hold, or none."""
    return TransactWrite(connection=_connection())
