"""The one place the product asks the time, always timezone-aware UTC.

Scheduled work passes the EventBridge event's `time` instead; the local stack moves this clock with
time-machine so tokens and timestamps agree with a replayed moment.
"""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    """ISO 8601 in UTC with a Z, second precision: sorts as text and reads well in JSON."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_precise(moment: datetime) -> str:
    """Microsecond ISO 8601 in UTC: for orderings that must hold within a burst of requests."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
