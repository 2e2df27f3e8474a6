"""Fixed-window rate limits on public routes: one atomic ADD per hit, on a counter that TTL removes."""

from __future__ import annotations

import hashlib
import ipaddress
import time
from collections.abc import Callable
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


def inbox_key(email: str) -> str:
    """One inbox however its address is spelled: case and a `+tag` (victim+1@, victim+2@ …) don't count."""
    local, at, domain = email.strip().lower().rpartition("@")
    base = local.split("+", 1)[0]
    return f"{base or local}{at}{domain}"


def client_key(address: str) -> str:
    """One client per IPv4 address, and per IPv6 /64: a single host is handed a whole /64 to pick from."""
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


@dataclass(frozen=True)
class Limit:
    name: str
    hits: int
    window_seconds: int
    key: Callable[[str], str] = str.lower  # what counts as "the same caller"


def hit(limit: Limit, key: str) -> tuple[bool, int]:
    """Count one hit for `key` (as the limit reads it); returns (allowed, seconds until the window resets)."""
    now = int(time.time())
    window = now - now % limit.window_seconds
    digest = hashlib.sha256(limit.key(key).encode()).hexdigest()[:32]
    counter = RateCounter(id=f"rate#{limit.name}#{digest}#{window}")
    counter.update(
        actions=[RateCounter.hits.add(1), RateCounter.expiration.set(window + limit.window_seconds + 60)]
    )
    return int(counter.hits) <= limit.hits, window + limit.window_seconds - now


def enforce(limit: Limit, key: str, message: str) -> None:
    allowed, retry_after = hit(limit, key)
    if not allowed:
        raise TooManyRequests(message, retry_after)
