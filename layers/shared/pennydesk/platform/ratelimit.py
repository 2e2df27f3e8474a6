"""Fixed-window rate limits on public routes: one atomic ADD per hit, on a counter that TTL removes."""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.models import Model

from pennydesk.platform.dynamo import table_meta
from pennydesk.platform.errors import PennydeskError
from pennydesk.platform.settings import get_settings


class TooManyRequests(PennydeskError):
    status = 429
    code = "too_many_requests"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class RateCounter(Model):
    Meta = table_meta(get_settings().idempotency_table)

    id = UnicodeAttribute(hash_key=True)
    hits = NumberAttribute(default=0)
    expiration = NumberAttribute()


@dataclass(frozen=True)
class Limit:
    name: str
    hits: int
    window_seconds: int


def hit(limit: Limit, key: str) -> tuple[bool, int]:
    """Count one hit for `key`; returns (allowed, seconds until the window resets)."""
    now = int(time.time())
    window = now - now % limit.window_seconds
    digest = hashlib.sha256(key.lower().encode()).hexdigest()[:32]
    counter = RateCounter(id=f"rate#{limit.name}#{digest}#{window}")
    counter.update(
        actions=[RateCounter.hits.add(1), RateCounter.expiration.set(window + limit.window_seconds + 60)]
    )
    return int(counter.hits) <= limit.hits, window + limit.window_seconds - now


def enforce(limit: Limit, key: str, message: str) -> None:
    allowed, retry_after = hit(limit, key)
    if not allowed:
        raise TooManyRequests(message, retry_after)
