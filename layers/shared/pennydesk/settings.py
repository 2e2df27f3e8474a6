"""Configuration read once from the environment that template.yaml (or the local stack) sets."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import cache


def _csv(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(",") if part.strip())


@dataclass(frozen=True)
class Settings:
    tickets_table: str
    agents_table: str
    spending_table: str
    idempotency_table: str
    signing_secret_id: str
    sender_email: str
    site_url: str
    admin_emails: tuple[str, ...]
    ticket_categories: tuple[str, ...]
    region: str
    token_ttl_seconds: dict[str, int] = field(default_factory=dict)
    agent_capacity_default: int = 25


# How long each kind of emailed link stays valid. Agent and customer links live for weeks because a
# ticket's conversation does; a sign-in link is short and also works only once.
DEFAULT_TOKEN_TTL_SECONDS = {
    "customer": 60 * 24 * 3600,
    "agent": 14 * 24 * 3600,
    "survey": 30 * 24 * 3600,
    "sign_in": 15 * 60,
    "session": 7 * 24 * 3600,
}


@cache
def get_settings() -> Settings:
    env = os.environ
    ttl = {
        purpose: int(env.get(f"TOKEN_TTL_{purpose.upper()}", default))
        for purpose, default in DEFAULT_TOKEN_TTL_SECONDS.items()
    }
    return Settings(
        tickets_table=env.get("TICKETS_TABLE", "TicketsTable"),
        agents_table=env.get("AGENTS_TABLE", "AgentsTable"),
        spending_table=env.get("SPENDING_TABLE", "SpendingTable"),
        idempotency_table=env.get("IDEMPOTENCY_TABLE", "IdempotencyTable"),
        signing_secret_id=env.get("SIGNING_SECRET_ID", "SigningKeySecret"),
        sender_email=env.get("SENDER_EMAIL", "desk@pennydesk.local"),
        site_url=env.get("SITE_URL", "http://127.0.0.1:3000").rstrip("/"),
        admin_emails=tuple(e.lower() for e in _csv(env.get("ADMIN_EMAILS", ""))),
        ticket_categories=_csv(env.get("TICKET_CATEGORIES", "general,billing,technical")),
        region=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "us-east-1",
        token_ttl_seconds=ttl,
        agent_capacity_default=int(env.get("AGENT_CAPACITY_DEFAULT", "25")),
    )
