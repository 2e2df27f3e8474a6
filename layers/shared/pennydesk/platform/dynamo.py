"""Shared model plumbing: every table is keyed by a generic pk/sk pair."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Collection
from functools import cache
from typing import Any

from pynamodb.attributes import UnicodeAttribute
from pynamodb.connection import Connection
from pynamodb.exceptions import TransactWriteError
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from pennydesk.platform import botocore_models  # noqa: F401  (one botocore session per thread for pynamodb)
from pennydesk.platform.errors import Conflict
from pennydesk.platform.settings import get_settings


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


def client() -> Any:
    """The botocore DynamoDB client the models use (one per configuration: platform.botocore_models), for code
    that speaks DynamoDB's own API, such as Powertools' idempotency layer."""
    return _connection().client


def transaction() -> TransactWrite:
    """A TransactWriteItems across any of the tables: all its writes and conditions hold, or none."""
    return TransactWrite(connection=_connection())


MAX_ATTEMPTS = 8
# Between attempts, a random pause of up to BACKOFF_BASE * 2^attempt seconds (capped): writers that collided
# on a hot item (a month's running total) spread out instead of colliding again at once ("full jitter").
BACKOFF_BASE = 0.02
BACKOFF_CAP = 1.0
# A read-then-conditional-write lost a race: read again and try again.
RACES = frozenset({"ConditionalCheckFailed", "TransactionConflict"})


def cancellation_codes(exc: BaseException) -> list[str]:
    """Why DynamoDB cancelled a transaction, one code per failing item."""
    return [r.code for r in getattr(exc, "cancellation_reasons", None) or [] if r]


def failed_condition(exc: BaseException, position: int) -> bool:
    """Whether the cancelled transaction's item at `position` failed its condition (DynamoDB gives one reason per
    item; pynamodb sends condition checks, then deletes, puts and updates, each kind in the order staged)."""
    reasons = list(getattr(exc, "cancellation_reasons", None) or [])
    reason = reasons[position] if position < len(reasons) else None
    return reason is not None and reason.code == "ConditionalCheckFailed"


def retrying[T](
    attempt: Callable[[], T],
    *,
    retry_on: Collection[str] = RACES,
    final: Collection[str] = (),
    message: str = "This changed while we were saving it. Please try again.",
    attempts: int = MAX_ATTEMPTS,
) -> T:
    """Run `attempt` (it reads, then writes one transaction) again while it loses races, a bounded number of
    times: a cancellation with a code in `retry_on` and none in `final` is retried, any other is raised."""
    for tries in range(attempts):
        try:
            return attempt()
        except TransactWriteError as exc:
            codes = set(cancellation_codes(exc))
            if not codes & set(retry_on) or codes & set(final):
                raise
        if tries + 1 < attempts:
            time.sleep(random.uniform(0, min(BACKOFF_CAP, BACKOFF_BASE * 2**tries)))  # noqa: S311 (jitter)
    raise Conflict(message)
