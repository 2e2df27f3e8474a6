"""The recurring-expense timer: one per series, armed for its next occurrence (06:00 that day in the
person's time zone) in the same transaction as the series change, and re-armed after each run.

Kept apart from `recurring` (which creates the occurrences) so the scheduler, which only leases timers,
registers the kind without loading the expenses code.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from pynamodb.transactions import TransactWrite

from pennydesk.scheduling import registry, timers
from pennydesk.scheduling.records import timer_pk, timer_sk
from pennydesk.spending.digest_timers import zone
from pennydesk.spending.records import SpendingTimer, user_pk

KIND = "recurring"
RUN_HOUR = time(6, 0)
registry.register(
    registry.Kind(KIND, "spending", SpendingTimer, timer_pk(user_pk("")), "pennydesk.spending.recurring:on_due")
)


def moment(day: date, timezone: str | None) -> datetime:
    """When the occurrence of `day` is created: 06:00 that day, local, as UTC."""
    return datetime.combine(day, RUN_HOUR, tzinfo=zone(timezone)).astimezone(UTC)


def key(user_id: str, series_id: str) -> SpendingTimer:
    return SpendingTimer(pk=timer_pk(user_pk(user_id)), sk=timer_sk(f"{KIND}#{series_id}"))


def stage_arm(tx: TransactWrite, user_id: str, series_id: str, fire: datetime, now: datetime) -> None:
    """Arm (or re-arm, as a new generation) the series' timer for `fire`: an upsert in the series' change."""
    timer = key(user_id, series_id)
    actions = timers.upsert_actions(SpendingTimer, timer, KIND, user_id, fire, now)
    tx.update(timer, actions=[*actions, SpendingTimer.series_id.set(series_id)])


def stage_delete(tx: TransactWrite, user_id: str, series_id: str) -> None:
    tx.delete(key(user_id, series_id))
