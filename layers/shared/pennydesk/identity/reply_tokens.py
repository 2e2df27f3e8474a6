"""Reply addresses: `reply+<token>@<inbound domain>`, the token signed and scoped to one ticket and one role.

A link's token is too long for an address's 64-character local part, so this one is compact: the role's
letter, the ticket id (32 hex digits), the hour it was issued (6 hex digits) and 16 base32 characters of an
HMAC-SHA256 under the links' own keys (so rotating them rotates these too). Lower-case only, because mail
systems may change the case of a local part. It expires with the role's link.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass

from pennydesk.identity import tokens
from pennydesk.platform.clock import utcnow
from pennydesk.platform.errors import Unauthorized
from pennydesk.platform.settings import get_settings

ROLES = {"c": "customer", "a": "agent"}
LETTERS = {role: letter for letter, role in ROLES.items()}
TOKEN = re.compile(r"^(?P<role>[ca])(?P<ticket>[0-9a-f]{32})(?P<hour>[0-9a-f]{6})(?P<sig>[a-z2-7]{16})$")
ADDRESS_PREFIX = "reply+"


@dataclass(frozen=True)
class ReplyGrant:
    role: str  # customer | agent
    ticket_id: str


def _signature(key: str, body: str) -> str:
    digest = hmac.new(key.encode(), f"pennydesk.reply|{body}".encode(), hashlib.sha256).digest()
    return base64.b32encode(digest[:10]).decode().lower()


def _hour_now() -> int:
    return int(utcnow().timestamp()) // 3600


def issue(role: str, ticket_id: str) -> str:
    if role not in LETTERS or not re.fullmatch(r"[0-9a-f]{32}", ticket_id):
        raise ValueError(f"no reply token for role {role!r} and ticket {ticket_id!r}")
    body = f"{LETTERS[role]}{ticket_id}{_hour_now():06x}"
    return body + _signature(tokens.signing_keys()[-1], body)


def address(role: str, ticket_id: str) -> str:
    """The Reply-To address that brings a reply back to this ticket, as this role."""
    return f"{ADDRESS_PREFIX}{issue(role, ticket_id)}@{get_settings().inbound_domain}"


def verify(token: str) -> ReplyGrant:
    """The ticket and role a token names, or Unauthorized (forged, tampered, malformed or expired)."""
    found = TOKEN.match(token.strip().lower())
    if found is None:
        raise Unauthorized("This reply address is not valid.")
    body = token.strip().lower()[:-16]
    if not any(hmac.compare_digest(found["sig"], _signature(key, body)) for key in tokens.signing_keys()):
        raise Unauthorized("This reply address is not valid.")
    role = ROLES[found["role"]]
    age_seconds = (_hour_now() - int(found["hour"], 16)) * 3600
    if age_seconds > get_settings().token_ttl_seconds[role]:
        raise Unauthorized("This reply address has expired.")
    return ReplyGrant(role=role, ticket_id=found["ticket"])


def token_in(recipient: str) -> str | None:
    """The token of a `reply+<token>@<inbound domain>` recipient, else None."""
    local, _, domain = recipient.strip().lower().rpartition("@")
    if domain != get_settings().inbound_domain or not local.startswith(ADDRESS_PREFIX):
        return None
    return local[len(ADDRESS_PREFIX):]
