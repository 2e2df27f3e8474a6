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
from datetime import date, datetime, timedelta
from typing import Any

from aws_lambda_powertools import Logger

from pennydesk.platform import locale as locales
from pennydesk.platform.clock import iso
from pennydesk.platform.email.render import render
from pennydesk.platform.email.send import send
from pennydesk.platform.errors import NotFound
from pennydesk.platform.settings import get_settings
from pennydesk.scheduling import timers
from pennydesk.spending import account, digest_timers, money, unsubscribe
from pennydesk.spending.months import shift_month
from pennydesk.spending.records import Expense, Profile, SpendingTimer, Total, total_sk, user_pk

logger = Logger(child=True)

NEAR_PERCENT = 80
CHART_ROWS = 8


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
    today = moment.astimezone(digest_timers.zone(timezone)).date()
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


def period_label(period: Period, locale: str) -> str:
    """The period in the person's locale: "Dezember 2026", or the week's first and last days."""
    if period.preference == "monthly":
        return locales.format_month(period.key, locale)
    return locales.format_day_range(period.first, period.last, locale)


def context(profile: Profile, period: Period, numbers: Figures) -> dict[str, Any]:
    """What the template shows: money, months and percentages written in the person's locale (issue 15),
    categories by their names."""
    currency, locale = profile.currency, account.locale_of(profile)
    places = money.decimals(currency)
    fmt = lambda minor: locales.format_money(minor, currency, locale, decimals=places)  # noqa: E731
    pct = lambda value: locales.format_percent(value, locale) if value is not None else None  # noqa: E731
    limits = account.limits(profile)
    limit = int(profile.monthly_limit) if profile.monthly_limit else None
    watch = []
    for category, category_limit in sorted(limits.items()):
        used = numbers.month_by_category.get(category, 0)
        if category_limit > 0 and used * 100 >= category_limit * NEAR_PERCENT:
            watch.append({
                "category": account.category_label(profile, category),
                "total": fmt(used),
                "limit": fmt(category_limit),
                "share": money.percent(used, category_limit),
                "percent": pct(money.percent(used, category_limit)),
                "over": used >= category_limit,
            })
    watch.sort(key=lambda w: (-float(w["share"] or 0), w["category"]))
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
            "category": account.category_label(profile, category),  # "everything else" reads as itself
            "total": fmt(amount),
            "width": max(1, round(amount * 100 / largest)) if largest and amount > 0 else 0,
            "state": state,
        })
    change = numbers.spent - numbers.previous
    return {
        "period": period,
        "period_label": period_label(period, locale),
        "weekly": period.preference == "weekly",
        "currency": currency,
        "spent": fmt(numbers.spent),
        "previous": fmt(numbers.previous),
        "change": fmt(abs(change)),
        "change_direction": "up" if change > 0 else "down" if change < 0 else "same",
        "change_percent": pct(money.percent(abs(change), numbers.previous)) if numbers.previous else None,
        "month": locales.format_month(period.budget_month, locale),
        "month_total": fmt(numbers.month_total),
        "limit": fmt(limit) if limit else None,
        "limit_percent": pct(money.percent(numbers.month_total, limit)) if limit else None,
        "limit_bar": (money.percent(numbers.month_total, limit) or 0) if limit else 0,
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
        profile = account.get(str(timer.subject))
    except NotFound:
        timers.finish(timer)
        return "no account"
    preference, timezone = profile.digest, profile.timezone
    if preference not in digest_timers.PREFERENCES:
        timers.finish(timer)
        return "off"
    latest = digest_timers.latest_moment(preference, timezone, fire, now)
    period = period_before(preference, timezone, latest)
    numbers = figures(profile, period)
    outcome = "nothing spent"
    if numbers.spent > 0:
        links = unsubscribe.mail_fields(profile.email, "digest")
        send(
            f"digest/{profile.user_id}/{period.key}",
            [profile.email],
            render("spending_digest", **context(profile, period, numbers), **links),
            list_unsubscribe=links["list_unsubscribe"],
        )
        outcome = "sent"
    timers.advance(
        timer, digest_timers.next_moment(preference, timezone, latest), preference=preference, timezone=timezone,
        updated_at=iso(now),
    )
    logger.info("digest", extra={"user": profile.user_id, "period": period.key, "outcome": outcome})
    return outcome
