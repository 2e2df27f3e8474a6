"""Spending digests: weekly (Monday 08:00) or monthly (the 1st, 08:00), in the user's own time zone.

Every account has one ``TIMER#digest`` in its partition, armed for the next digest moment. It is created
with the account (first sign-in) and moved in the same transaction as a change of preference or time zone
(``off`` deletes it). When it fires, the worker writes the digest of the period that just ended and arms
the timer for the next moment.

- **monthly**: the month just ended, read from the running totals (one Query covers it and the month
  before): total against the monthly limit, categories at or over 80 % of their limit, the change from
  the month before, and a chart of where the money went.
- **weekly**: the last seven days (Monday to Sunday), summed from the expenses' by-date index (one Query
  covers them and the week before), with the month so far against the budget from the totals (budgets
  are monthly), and the same chart for the week.

Nobody who spent nothing in the period gets an email. The email's dedupe key is ``digest/<user>/<period>``,
so a schedule that runs twice, a retried message or a timer moved back and forth sends one digest per
period.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from aws_lambda_powertools import Logger
from pynamodb.exceptions import PutError
from pynamodb.transactions import TransactWrite

from pennydesk import money, profiles, timers
from pennydesk.clock import iso
from pennydesk.email.render import render
from pennydesk.email.send import send
from pennydesk.errors import NotFound
from pennydesk.models.spending import Expense, Profile, Total, total_sk, user_pk
from pennydesk.models.timer import SpendingTimer, timer_pk, timer_sk
from pennydesk.reports import shift_month
from pennydesk.settings import get_settings

logger = Logger(child=True)

KIND = "digest"
SEND_HOUR = time(8, 0)
PREFERENCES = ("weekly", "monthly")
NEAR_PERCENT = 80
CHART_ROWS = 8


def _zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def next_moment(preference: str, timezone: str | None, after: datetime) -> datetime:
    """The first digest moment strictly after `after`: Monday or the 1st, 08:00 local, as UTC."""
    zone = _zone(timezone)
    local = after.astimezone(zone)
    if preference == "weekly":
        day = local.date() - timedelta(days=local.weekday())
        step = lambda d: d + timedelta(days=7)  # noqa: E731
    else:
        day = local.date().replace(day=1)
        step = lambda d: date.fromisoformat(shift_month(d.strftime("%Y-%m"), 1) + "-01")  # noqa: E731
    while True:
        moment = datetime.combine(day, SEND_HOUR, tzinfo=zone).astimezone(UTC)
        if moment > after:
            return moment
        day = step(day)


# --------------------------------------------------------------------------------------- profile hooks
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
    fire = iso(next_moment(preference, timezone, now))
    tx.update(
        key,
        actions=[
            SpendingTimer.kind.set(KIND),
            SpendingTimer.subject.set(user_id),
            SpendingTimer.preference.set(preference),
            SpendingTimer.timezone.set(timezone),
            SpendingTimer.fire_at.set(fire),
            SpendingTimer.due_at.set(fire),
            SpendingTimer.due_shard.set(timers.shard_for(KIND, key.pk)),
            SpendingTimer.attempts.set(0),
            SpendingTimer.generation.set((SpendingTimer.generation | 0) + 1),
            SpendingTimer.created_at.set(SpendingTimer.created_at | iso(now)),
            SpendingTimer.updated_at.set(iso(now)),
            SpendingTimer.enqueued_at.remove(),
            SpendingTimer.parked_at.remove(),
        ],
    )


# ---------------------------------------------------------------------------------------------- period
@dataclass(frozen=True)
class Period:
    preference: str
    key: str  # "2026-W47" or "2026-10": names the period in the dedupe key
    first: date
    last: date
    previous_first: date
    previous_last: date
    budget_month: str  # the month whose budget the digest measures against

    @property
    def label(self) -> str:
        if self.preference == "monthly":
            return self.first.strftime("%B %Y")
        return f"{self.first.day} {self.first:%b} - {self.last.day} {self.last:%b %Y}"


def period_before(preference: str, timezone: str | None, moment: datetime) -> Period:
    """The period a digest sent at `moment` reports on: the seven days or the month just ended."""
    today = moment.astimezone(_zone(timezone)).date()
    if preference == "weekly":
        monday = today - timedelta(days=today.weekday())
        first, last = monday - timedelta(days=7), monday - timedelta(days=1)
        year, week, _ = first.isocalendar()
        return Period(
            "weekly", f"{year}-W{week:02d}", first, last, first - timedelta(days=7), first - timedelta(days=1),
            last.strftime("%Y-%m"),
        )
    month = shift_month(today.strftime("%Y-%m"), -1)
    first = date.fromisoformat(f"{month}-01")
    last = date.fromisoformat(f"{today:%Y-%m}-01") - timedelta(days=1)
    previous_first = date.fromisoformat(f"{shift_month(month, -1)}-01")
    return Period("monthly", month, first, last, previous_first, first - timedelta(days=1), month)


# --------------------------------------------------------------------------------------------- figures
@dataclass
class Figures:
    spent: int
    previous: int
    by_category: dict[str, int]  # the period's spending, per category
    month_total: int  # the budget month's total (for weekly: so far)
    month_by_category: dict[str, int]


def _monthly_figures(profile: Profile, period: Period) -> Figures:
    """One Query on the totals: this month and the one before, with this month's categories."""
    month, previous_month = period.key, shift_month(period.key, -1)
    overall: dict[str, int] = {}
    categories: dict[str, int] = {}
    for item in Total.query(
        user_pk(profile.user_id), Total.sk.between(total_sk(previous_month), f"{total_sk(month)}#~"),
        consistent_read=True,
    ):
        if "#CAT#" not in item.sk:
            overall[item.sk.removeprefix("TOTAL#")] = int(item.total)
        elif item.month == month and item.category:
            categories[item.category] = int(item.total)
    spent = overall.get(month, 0)
    return Figures(spent, overall.get(previous_month, 0), categories, spent, categories)


def _weekly_figures(profile: Profile, period: Period) -> Figures:
    """One Query on the by-date index for both weeks, one on the totals for the month so far."""
    spent, previous = 0, 0
    by_category: dict[str, int] = defaultdict(int)
    first_key = period.first.isoformat()
    for expense in Expense.by_date.query(
        user_pk(profile.user_id),
        Expense.date_key.between(f"{period.previous_first.isoformat()}#", f"{period.last.isoformat()}#~"),
    ):
        amount = int(expense.amount)
        if expense.date >= first_key:
            spent += amount
            by_category[expense.category] += amount
        else:
            previous += amount
    month_total, month_categories = 0, {}
    for item in Total.query(
        user_pk(profile.user_id), Total.sk.startswith(total_sk(period.budget_month)), consistent_read=True
    ):
        if item.sk == total_sk(period.budget_month):
            month_total = int(item.total)
        elif item.category:
            month_categories[item.category] = int(item.total)
    return Figures(spent, previous, dict(by_category), month_total, month_categories)


def figures(profile: Profile, period: Period) -> Figures:
    return _weekly_figures(profile, period) if period.preference == "weekly" else _monthly_figures(profile, period)


def context(profile: Profile, period: Period, numbers: Figures) -> dict[str, Any]:
    """What the template shows, money already formatted in the user's currency."""
    currency = profile.currency
    fmt = lambda minor: money.format(minor, currency)  # noqa: E731
    limits = profiles.limits(profile)
    limit = int(profile.monthly_limit) if profile.monthly_limit else None
    watch = []
    for category, category_limit in sorted(limits.items()):
        used = numbers.month_by_category.get(category, 0)
        if category_limit > 0 and used * 100 >= category_limit * NEAR_PERCENT:
            watch.append({
                "category": category,
                "total": fmt(used),
                "limit": fmt(category_limit),
                "percent": money.percent(used, category_limit),
                "over": used >= category_limit,
            })
    watch.sort(key=lambda w: (-float(w["percent"] or 0), w["category"]))
    ranked = sorted(numbers.by_category.items(), key=lambda kv: (-kv[1], kv[0]))
    top = ranked[:CHART_ROWS]
    rest = sum(v for _, v in ranked[CHART_ROWS:])
    if rest:
        top.append(("everything else", rest))
    largest = max((v for _, v in top), default=0)
    chart = []
    for category, amount in top:
        category_limit = limits.get(category)
        used = numbers.month_by_category.get(category, 0)
        state = "ok"
        if category_limit and used >= category_limit:
            state = "over"
        elif category_limit and used * 100 >= category_limit * NEAR_PERCENT:
            state = "near"
        chart.append({
            "category": category,
            "total": fmt(amount),
            "width": max(1, round(amount * 100 / largest)) if largest and amount > 0 else 0,
            "state": state,
        })
    change = numbers.spent - numbers.previous
    return {
        "period": period,
        "weekly": period.preference == "weekly",
        "currency": currency,
        "spent": fmt(numbers.spent),
        "previous": fmt(numbers.previous),
        "change": fmt(abs(change)),
        "change_direction": "up" if change > 0 else "down" if change < 0 else "same",
        "change_percent": money.percent(abs(change), numbers.previous) if numbers.previous else None,
        "month": period.budget_month,
        "month_total": fmt(numbers.month_total),
        "limit": fmt(limit) if limit else None,
        "limit_percent": money.percent(numbers.month_total, limit) if limit else None,
        "over_limit": bool(limit) and numbers.month_total >= (limit or 0),
        "watch": watch,
        "chart": chart,
        "url": f"{get_settings().site_url}/spending/",
    }


# ---------------------------------------------------------------------------------------------- worker
def on_due(timer: SpendingTimer, now: datetime) -> str:
    """Write the digest for the period that just ended (if anything was spent), then arm the next one."""
    fire = timers.fire_time(timer)
    if fire is None or not timers.is_due(timer, now):
        return "not yet"
    try:
        profile = profiles.get(str(timer.subject))
    except NotFound:
        timers.finish(timer)
        return "no account"
    preference, timezone = profile.digest, profile.timezone
    if preference not in PREFERENCES:
        timers.finish(timer)
        return "off"
    # A run that was missed for longer than a period reports on the latest period only.
    latest = fire
    while (following := next_moment(preference, timezone, latest)) <= now:
        latest = following
    period = period_before(preference, timezone, latest)
    numbers = figures(profile, period)
    outcome = "nothing spent"
    if numbers.spent > 0:
        send(
            f"digest/{profile.user_id}/{period.key}",
            [profile.email],
            render("spending_digest", **context(profile, period, numbers)),
        )
        outcome = "sent"
    timers.advance(
        timer, next_moment(preference, timezone, latest), preference=preference, timezone=timezone,
        updated_at=iso(now),
    )
    logger.info("digest", extra={"user": profile.user_id, "period": period.key, "outcome": outcome})
    return outcome
