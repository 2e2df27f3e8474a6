"""The worker's side of a due timer: read it, check it is still due, and do its kind of work.

Every kind is idempotent (its email has a dedupe key naming the logical message, its state change is
conditional) and removes or re-arms its timer only once the work is done, so a message delivered twice,
retried after SES throttled, or enqueued again after a lease ran out does the work once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from pennydesk.platform import jobs
from pennydesk.scheduling import registry, timers
from pennydesk.scheduling.records import TIMER_PREFIX, TimerBase

# Raised by SES when we send faster than the account's rate: the message must come back later.
THROTTLING_CODES = frozenset(
    {"Throttling", "ThrottlingException", "TooManyRequestsException", "LimitExceededException"}
)


class BadMessage(ValueError):
    """A message no retry can help: it goes to the dead-letter queue for a person to read."""


def is_throttling(exc: BaseException) -> bool:
    return isinstance(exc, ClientError) and exc.response.get("Error", {}).get("Code") in THROTTLING_CODES


def parse(body: dict[str, Any]) -> tuple[str, str, str, str, datetime]:
    try:
        table, kind, pk, sk = (str(body[k]) for k in ("table", "kind", "pk", "sk"))
        now = timers.parse_iso(str(body["now"]))
    except (KeyError, TypeError, ValueError) as exc:
        raise BadMessage(f"not a due-work message: {exc}") from None
    registered = registry.find(kind)
    if body.get("v") != 1 or registered is None or registered.table != table:
        raise BadMessage(f"unknown due work {table}/{kind}")
    if not pk.startswith(registered.partition) or not sk.startswith(TIMER_PREFIX + kind):
        raise BadMessage("the key does not name a timer of that kind")
    return table, kind, pk, sk, now


def perform(body: dict[str, Any]) -> str:
    """Do the work one message names; returns what happened (for the log)."""
    if jobs.is_job(body):
        return _run_job(body)
    table, kind, pk, sk, now = parse(body)
    timer: TimerBase | None = timers.load(table, pk, sk)
    if timer is None:
        return "gone"  # done, cancelled or moved by a workflow change since it was enqueued
    return registry.handler_of(registry.find(kind))(timer, now)  # type: ignore[arg-type]


def _run_job(body: dict[str, Any]) -> str:
    """A job a request handed over (platform.jobs): its registered handler, called with its arguments."""
    handler = jobs.handler_of(str(body.get("job")))
    args = body.get("args")
    if body.get("v") != 1 or handler is None or not isinstance(args, dict):
        raise BadMessage(f"unknown job {body.get('job')!r}")
    return handler(**args)
