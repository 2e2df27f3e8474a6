"""The digest timer: when the next weekly or monthly digest is due, armed and moved with the account.

The account module calls these when an account is created or its preference or time zone changes; the
worker half (composing and sending the digest) lives in ``digests`` and reads the account, never the reverse.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pynamodb.exceptions import PutError
from pynamodb.transactions import TransactWrite

from pennydesk.platform.clock import iso
from pennydesk.scheduling import registry, timers
from pennydesk.scheduling.records import timer_pk, timer_sk
from pennydesk.spending.months import shift_month
from pennydesk.spending.records import Profile, SpendingTimer, user_pk

KIND = "digest"
SEND_HOUR = time(8, 0)
PREFERENCES = ("weekly", "monthly")
registry.register(
    registry.Kind(KIND, "spending", SpendingTimer, timer_pk(user_pk("")), "pennydesk.spending.digests:on_due")
)


def zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def next_moment(preference: str, timezone: str | None, after: datetime) -> datetime:
    """The first digest moment strictly after `after`: Monday or the 1st, 08:00 local, as UTC."""
    local_zone = zone(timezone)
    local = after.astimezone(local_zone)
    if preference == "weekly":
        day = local.date() - timedelta(days=local.weekday())
        step = lambda d: d + timedelta(days=7)  # noqa: E731
    else:
        day = local.date().replace(day=1)
        step = lambda d: date.fromisoformat(shift_month(d.strftime("%Y-%m"), 1) + "-01")  # noqa: E731
    while True:
        moment = datetime.combine(day, SEND_HOUR, tzinfo=local_zone).astimezone(UTC)
        if moment > after:
            return moment
        day = step(day)


def latest_moment(preference: str, timezone: str | None, fire: datetime, now: datetime) -> datetime:
    """The last digest moment at or before `now`, counting from the moment the timer fired for: a run that
    was missed for longer than a period reports on the latest period only."""
    latest = fire
    while (following := next_moment(preference, timezone, latest)) <= now:
        latest = following
    return latest


def new_timer(profile: Profile, now: datetime) -> SpendingTimer | None:
    """The account's digest timer as it should be for its preference and time zone (None when off)."""
    if profile.digest not in PREFERENCES:
        return None
    timer = SpendingTimer(
        pk=timer_pk(user_pk(profile.user_id)),
        sk=timer_sk(KIND),
        kind=KIND,
        subject=profile.user_id,
        preference=profile.digest,
        timezone=profile.timezone,
        generation=0,
        created_at=iso(now),
        updated_at=iso(now),
    )
    return timers.arm(timer, next_moment(profile.digest, profile.timezone, now))  # type: ignore[return-value]


def ensure_timer(profile: Profile, now: datetime) -> None:
    """Arm the digest timer if the account has none (one conditional write; an armed one is left alone)."""
    timer = new_timer(profile, now)
    if timer is None:
        return
    try:
        timer.save(condition=SpendingTimer.pk.does_not_exist())
    except PutError as exc:
        if exc.cause_response_code != "ConditionalCheckFailedException":
            raise


def stage_move(tx: TransactWrite, preference: str, timezone: str, user_id: str, now: datetime) -> None:
    """Preference or time zone changed: re-arm the digest timer (or delete it for "off"), in the
    profile change's transaction. An upsert, so an account from before digests existed gets one too."""
    key = SpendingTimer(pk=timer_pk(user_pk(user_id)), sk=timer_sk(KIND))
    if preference not in PREFERENCES:
        tx.delete(key)
        return
    actions = timers.upsert_actions(SpendingTimer, key, KIND, user_id, next_moment(preference, timezone, now), now)
    tx.update(key, actions=[*actions, SpendingTimer.preference.set(preference), SpendingTimer.timezone.set(timezone)])
