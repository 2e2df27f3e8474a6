"""Configuration read once from the environment that template.yaml (or the local stack) sets."""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass, field
from functools import cache
from typing import Any

PRIORITIES = ("low", "normal", "high", "urgent")


class ConfigurationError(ValueError):
    """The deployment's settings contradict each other: the function refuses to start rather than misbehave."""


def _csv(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(",") if part.strip())


@dataclass(frozen=True)
class SlaTarget:
    """How long a ticket of one priority may wait for its first agent reply, and for its resolution."""

    first_response_seconds: int
    resolution_seconds: int


# Hours, per priority: (first response, resolution). SLA_TARGETS (JSON) overrides any of them.
DEFAULT_SLA_TARGETS_HOURS: dict[str, tuple[float, float]] = {
    "urgent": (1, 4),
    "high": (4, 24),
    "normal": (8, 72),
    "low": (24, 120),
}
DEFAULT_SURVEY_DELAY_HOURS = 48
DEFAULT_AUTO_CLOSE_DAYS = 5


@dataclass(frozen=True)
class Settings:
    tickets_table: str
    agents_table: str
    spending_table: str
    idempotency_table: str
    signing_secret_id: str
    origin_secret_id: str | None  # the secret CloudFront adds to every request it forwards (platform.edge)
    sender_email: str
    site_url: str
    admin_emails: tuple[str, ...]
    ticket_categories: tuple[str, ...]
    region: str
    articles_table: str = "ArticlesTable"
    inbound_domain: str = "pennydesk.local"  # replies come to reply+<token>@ and support@ it; "" = no inbound mail
    inbound_bucket: str = "InboundBucket"  # where SES receiving stores each raw message
    ses_configuration_set: str | None = None  # every send names it: SES publishes its bounces and complaints
    attachments_bucket: str = "AttachmentsBucket"  # tickets' attachments (helpdesk/ticket_attachments.py)
    token_ttl_seconds: dict[str, int] = field(default_factory=dict)
    agent_capacity_default: int = 25
    survey_delay_seconds: int = DEFAULT_SURVEY_DELAY_HOURS * 3600
    auto_close_seconds: int = DEFAULT_AUTO_CLOSE_DAYS * 86400
    sla_targets: dict[str, SlaTarget] = field(default_factory=lambda: parse_sla_targets(None))


# How long each kind of emailed link stays valid. Agent and customer links live for weeks because a
# ticket's conversation does; a sign-in link is short and also works only once.
DEFAULT_TOKEN_TTL_SECONDS = {
    "customer": 60 * 24 * 3600,
    "agent": 14 * 24 * 3600,
    "survey": 30 * 24 * 3600,
    "sign_in": 15 * 60,
    "session": 7 * 24 * 3600,
    # In a digest's List-Unsubscribe header: it must keep working for months, and can do nothing but that.
    "unsubscribe": 180 * 24 * 3600,
    # Handed to the ticket form with its 201: files for that one ticket, sent right after it is opened.
    "upload": 30 * 60,
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
        origin_secret_id=env.get("ORIGIN_SECRET_ID") or None,
        sender_email=env.get("SENDER_EMAIL", "desk@pennydesk.local"),
        site_url=env.get("SITE_URL", "http://127.0.0.1:3000").rstrip("/"),
        admin_emails=tuple(e.lower() for e in _csv(env.get("ADMIN_EMAILS", ""))),
        ticket_categories=_csv(env.get("TICKET_CATEGORIES", "general,billing,technical")),
        region=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "us-east-1",
        articles_table=env.get("ARTICLES_TABLE", "ArticlesTable"),
        inbound_domain=env.get("INBOUND_DOMAIN", "pennydesk.local").strip().lower(),
        inbound_bucket=env.get("INBOUND_BUCKET", "InboundBucket"),
        ses_configuration_set=env.get("SES_CONFIGURATION_SET") or None,
        attachments_bucket=env.get("ATTACHMENTS_BUCKET", "AttachmentsBucket"),
        token_ttl_seconds=ttl,
        agent_capacity_default=int(env.get("AGENT_CAPACITY_DEFAULT", "25")),
        **_follow_ups(env),
    )


def _hours(name: str, raw: Any) -> float:
    try:
        value = float(raw)
    except (TypeError, ValueError):
        raise ConfigurationError(f"{name} must be a number, not {raw!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise ConfigurationError(f"{name} must be more than zero, not {raw!r}")
    return value


def parse_sla_targets(raw: str | None) -> dict[str, SlaTarget]:
    """SLA_TARGETS: a JSON object, priority -> [first response hours, resolution hours] (or an object with
    first_response_hours / resolution_hours). Priorities left out keep their defaults."""
    hours = dict(DEFAULT_SLA_TARGETS_HOURS)
    if raw and raw.strip():
        try:
            given = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise ConfigurationError(f"SLA_TARGETS is not valid JSON: {exc.msg}") from None
        if not isinstance(given, dict):
            raise ConfigurationError('SLA_TARGETS must be a JSON object such as {"urgent": [1, 4]}')
        for priority, value in given.items():
            if priority not in PRIORITIES:
                raise ConfigurationError(f"SLA_TARGETS names {priority!r}; priorities are {', '.join(PRIORITIES)}")
            if isinstance(value, dict):
                pair = (value.get("first_response_hours"), value.get("resolution_hours"))
            elif isinstance(value, list) and len(value) == 2:
                pair = (value[0], value[1])
            else:
                raise ConfigurationError(
                    f"SLA_TARGETS[{priority!r}] must be [first response hours, resolution hours]"
                )
            hours[priority] = (
                _hours(f"SLA_TARGETS[{priority!r}] first response", pair[0]),
                _hours(f"SLA_TARGETS[{priority!r}] resolution", pair[1]),
            )
    return {p: SlaTarget(round(first * 3600), round(resolution * 3600)) for p, (first, resolution) in hours.items()}


def _follow_ups(env: Any) -> dict[str, Any]:
    """Survey delay, auto-close quiet period and SLA targets; the quiet period must outlast the survey delay,
    or a ticket would close before its customer is asked how it went."""
    survey = round(_hours("SURVEY_DELAY_HOURS", env.get("SURVEY_DELAY_HOURS", DEFAULT_SURVEY_DELAY_HOURS)) * 3600)
    close = round(_hours("AUTO_CLOSE_DAYS", env.get("AUTO_CLOSE_DAYS", DEFAULT_AUTO_CLOSE_DAYS)) * 86400)
    if close <= survey:
        raise ConfigurationError(
            f"AUTO_CLOSE_DAYS ({close / 86400:g} days) must be longer than SURVEY_DELAY_HOURS "
            f"({survey / 3600:g} hours): a ticket may not close before its survey goes out"
        )
    return {
        "survey_delay_seconds": survey,
        "auto_close_seconds": close,
        "sla_targets": parse_sla_targets(env.get("SLA_TARGETS")),
    }
