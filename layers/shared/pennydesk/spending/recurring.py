"""Recurring expenses (rent, subscriptions): series kept in the spending table, and the worker that creates
each occurrence once.

A series (``SERIES#<id>``) holds its terms and ``next``, the first occurrence not created yet; its timer
(`recurring_timers`) fires on that day. The worker creates every occurrence due by then (at most
`recurrence.MAX_CATCH_UP` a run: after an outage the rest follow at the next run), each as an expense whose id
is derived from the series id and the date, written on condition it does not exist, in the same transaction as
its running totals: a redelivered or doubled message stores nothing twice and totals stay the sum of the
expenses. Then one transaction moves ``next`` and re-arms the timer, on condition neither changed meanwhile.

Changing a series changes it from its next occurrence on; an occurrence already created is an ordinary
expense (changing it leaves the series alone), and deleting a series keeps the expenses it created.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from aws_lambda_powertools import Logger
from pynamodb.exceptions import DoesNotExist, PutError, TransactWriteError

from pennydesk.platform.clock import iso, utcnow
from pennydesk.platform.dynamo import cancellation_codes, retrying, transaction
from pennydesk.platform.errors import Conflict, NotFound, PennydeskError
from pennydesk.scheduling import timers
from pennydesk.spending import account, expenses, money, recurrence, recurring_timers
from pennydesk.spending.digest_timers import zone
from pennydesk.spending.records import (
    SERIES_COUNT_SK,
    SERIES_PREFIX,
    Marker,
    Profile,
    Series,
    SpendingTimer,
    series_sk,
    user_pk,
)

MAX_SERIES = 100
LATEST_END = date(2099, 12, 31)
logger = Logger(child=True)


@dataclass(frozen=True)
class SeriesInput:
    amount: str
    category: str
    every: str
    start: str
    end: str | None = None
    payee: str = ""
    note: str = ""


def occurrence_id(series_id: str, day: date) -> str:
    """The expense id of one occurrence, the same for every attempt to create it: the milliseconds of its
    day's run (ids sort as entered, as expenses.new_expense_id's do), then a digest of series and day."""
    millis = int(datetime.combine(day, recurring_timers.RUN_HOUR, tzinfo=UTC).timestamp() * 1000)
    return f"{millis:012x}" + hashlib.sha256(f"{series_id}#{day.isoformat()}".encode()).hexdigest()[:20]


def schedule_of(series: Series) -> recurrence.Schedule:
    end = date.fromisoformat(series.end) if series.end else None
    return recurrence.Schedule(series.every, date.fromisoformat(series.start), end)


def today_for(profile: Profile, now: datetime) -> date:
    return now.astimezone(zone(profile.timezone)).date()


def _clean(profile: Profile, data: SeriesInput) -> tuple[expenses.Clean, recurrence.Schedule]:
    try:
        value = expenses.clean(profile, expenses.ExpenseInput(
            amount=data.amount, category=data.category, date=data.start, payee=data.payee, note=data.note))
    except PennydeskError as exc:
        if exc.field != "date":
            raise
        raise PennydeskError(exc.message, field="start") from None
    end = _end_date(data.end) if data.end else None
    schedule = recurrence.Schedule(data.every, date.fromisoformat(value.date), end)
    problem = recurrence.check(data.every, schedule.start, end, today_for(profile, utcnow()))
    if problem:
        raise PennydeskError(problem, field="end" if "end" in problem else "every" if "every" in problem
                             else "start")
    return value, schedule


def _end_date(text: str) -> date:
    """An end date may lie years ahead (a two-year contract), unlike an expense's date."""
    try:
        day = date.fromisoformat(str(text).strip())
    except ValueError:
        raise PennydeskError("Use a date like 2027-12-31.", field="end") from None
    if day > LATEST_END:
        raise PennydeskError(f"End by {LATEST_END.isoformat()} at the latest, or leave it empty.", field="end")
    return day


def _fire(profile: Profile, day: date) -> datetime:
    return recurring_timers.moment(day, profile.timezone)


def list_series(profile: Profile) -> list[Series]:
    query = Series.query(user_pk(profile.user_id), Series.sk.startswith(SERIES_PREFIX), consistent_read=True)
    return sorted(query, key=lambda s: (s.created_at, s.series_id))


def get(profile: Profile, series_id: str) -> Series:
    try:
        return Series.get(user_pk(profile.user_id), series_sk(series_id), consistent_read=True)
    except DoesNotExist:
        raise NotFound("No such recurring expense.") from None


def _counter(profile: Profile) -> Marker:
    """``SERIES``: how many series the person has, moved in each create's and delete's own transaction, so the
    cap holds when two tabs create at once (a count by query let both through)."""
    return Marker(pk=user_pk(profile.user_id), sk=SERIES_COUNT_SK)


def _counted(profile: Profile, write: Callable[[], None]) -> None:
    """Run `write`, a transaction that moves the counter on a condition a missing counter fails too (races
    retried). When the counter was missing (series from before it), make it from a count and run `write` again:
    one read on that rare path, none on every create and delete."""
    try:
        retrying(write, retry_on={"TransactionConflict"}, final={"ConditionalCheckFailed"})
    except TransactWriteError as exc:
        if "ConditionalCheckFailed" not in cancellation_codes(exc) or not _made_counter(profile):
            raise
        retrying(write, retry_on={"TransactionConflict"}, final={"ConditionalCheckFailed"})


def _made_counter(profile: Profile) -> bool:
    """Whether the counter was missing, and now is there (made here, or by a request racing this one)."""
    try:
        Marker.get(user_pk(profile.user_id), SERIES_COUNT_SK, consistent_read=True)
        return False
    except DoesNotExist:
        pass
    counter = _counter(profile)
    counter.count = len(list_series(profile))
    try:
        counter.save(condition=Marker.pk.does_not_exist())
    except PutError as exc:
        if exc.cause_response_code != "ConditionalCheckFailedException":
            raise  # otherwise another request made it first
    return True


def create(profile: Profile, data: SeriesInput) -> Series:
    value, schedule = _clean(profile, data)
    now = utcnow()
    series_id = uuid.uuid4().hex
    first = recurrence.next_on_or_after(schedule, schedule.start)
    series = Series(
        pk=user_pk(profile.user_id), sk=series_sk(series_id), series_id=series_id, amount=value.amount,
        category=value.category, payee=value.payee, note=value.note, every=schedule.every,
        start=schedule.start.isoformat(), end=schedule.end.isoformat() if schedule.end else None,
        next=first.isoformat() if first else None, created_at=iso(now), updated_at=iso(now), version=1,
    )

    def write() -> None:
        with transaction() as tx:
            tx.save(series, condition=Series.pk.does_not_exist())
            tx.update(_counter(profile), actions=[Marker.count.add(1)], condition=Marker.count < MAX_SERIES)
            if first is not None:
                recurring_timers.stage_arm(tx, profile.user_id, series_id, _fire(profile, first), now)

    try:
        _counted(profile, write)
    except TransactWriteError as exc:
        if "ConditionalCheckFailed" in cancellation_codes(exc):  # the id is new: only the counter's can fail
            raise PennydeskError(f"Keep to {MAX_SERIES} recurring expenses.", field="every") from None
        raise
    return series


def update(profile: Profile, series_id: str, data: SeriesInput) -> Series:
    """New terms from the next occurrence not yet created on (or from today, for a series that had ended)."""
    current = get(profile, series_id)
    value, schedule = _clean(profile, data)
    now = utcnow()
    since = date.fromisoformat(current.next) if current.next else today_for(profile, now)
    following = recurrence.next_on_or_after(schedule, max(schedule.start, since))
    seen = int(current.version)
    actions = [
        Series.amount.set(value.amount), Series.category.set(value.category), Series.payee.set(value.payee),
        Series.note.set(value.note), Series.every.set(schedule.every), Series.start.set(schedule.start.isoformat()),
        Series.end.set(schedule.end.isoformat()) if schedule.end else Series.end.remove(),
        Series.next.set(following.isoformat()) if following else Series.next.remove(),
        Series.updated_at.set(iso(now)), Series.version.set(seen + 1),
    ]
    try:
        with transaction() as tx:
            tx.update(current, actions=actions, condition=Series.version == seen)
            if following is None:
                recurring_timers.stage_delete(tx, profile.user_id, series_id)
            else:
                recurring_timers.stage_arm(tx, profile.user_id, series_id, _fire(profile, following), now)
    except TransactWriteError as exc:
        if "ConditionalCheckFailed" in cancellation_codes(exc):
            raise Conflict("This recurring expense changed meanwhile; load it again.") from exc
        raise
    return get(profile, series_id)


def delete(profile: Profile, series_id: str) -> None:
    """The series and its timer go; the expenses it created stay."""

    def write() -> None:
        with transaction() as tx:
            tx.delete(Series(pk=user_pk(profile.user_id), sk=series_sk(series_id)), condition=Series.pk.exists())
            recurring_timers.stage_delete(tx, profile.user_id, series_id)
            tx.update(_counter(profile), actions=[Marker.count.add(-1)], condition=Marker.count.exists())

    try:
        _counted(profile, write)
    except TransactWriteError as exc:
        if "ConditionalCheckFailed" in cancellation_codes(exc):
            raise NotFound("No such recurring expense.") from exc
        raise


def _occur(profile: Profile, series: Series, day: date) -> int:
    """Create the occurrence of `day` unless it exists: 1 if this call stored it, 0 if it was there."""
    value = expenses.Clean(int(series.amount), series.category, day.isoformat(), series.payee, series.note, [], None)
    try:
        expenses.create_clean(profile, value, expense_id=occurrence_id(series.series_id, day),
                              recurring_id=series.series_id)
    except Conflict as exc:
        if exc.field == "id":
            return 0
        raise
    return 1


def on_due(timer: SpendingTimer, now: datetime) -> str:
    """Create the occurrences due by today (in the person's time zone), then move `next` and the timer on."""
    if not timers.is_due(timer, now):
        return "not yet"
    try:
        profile = account.get(str(timer.subject))
        series = get(profile, str(timer.series_id))
    except NotFound:
        timers.finish(timer)
        return "gone"
    if not series.next:
        timers.finish(timer)
        return "ended"
    today = today_for(profile, now)
    made, following = recurrence.due(schedule_of(series), date.fromisoformat(series.next), today)
    created = sum(_occur(profile, series, day) for day in made)
    seen = int(series.version)
    try:
        with transaction() as tx:
            tx.update(series, condition=Series.version == seen, actions=[
                Series.next.set(following.isoformat()) if following else Series.next.remove(),
                Series.version.set(seen + 1), Series.updated_at.set(iso(now))])
            if following is None:
                tx.delete(timer, condition=SpendingTimer.generation == int(timer.generation))
            else:
                fire = now if following <= today else _fire(profile, following)  # more to catch up: next run
                tx.update(timer, actions=timers.arm_actions(SpendingTimer, timer, fire),
                          condition=SpendingTimer.generation == int(timer.generation))
    except TransactWriteError as exc:
        if "ConditionalCheckFailed" not in cancellation_codes(exc):
            raise
        logger.info("recurring: series changed during the run", extra={"series": series.series_id})
        return "changed"
    logger.info("recurring", extra={"series": series.series_id, "due": len(made), "created": created})
    return f"created {created}"


def view(series: Series, currency: str) -> dict[str, Any]:
    return {
        "id": series.series_id, "amount": money.format(int(series.amount), currency), "currency": currency,
        "category": series.category, "payee": series.payee, "note": series.note, "every": series.every,
        "start": series.start, "end": series.end, "next": series.next,
        "created_at": series.created_at, "updated_at": series.updated_at,
    }
