"""Budget alerts from the running totals' stream: 80 % and 100 % (configurable), once per month each.

"Reaches" means total >= threshold. A threshold is announced once per budget (overall or a category) and
month, however the total moves afterwards: the total item remembers which thresholds it announced, and
the email is sent with an idempotency key naming user, month, budget and threshold before that is
recorded, so a crash between the two can neither lose the email nor send it twice. Someone who turned
budget alerts off (settings, or the email's one-click unsubscribe) gets none, and nothing is recorded as
announced, so turning them back on tells of the month's next threshold crossing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aws_lambda_powertools import Logger

from pennydesk.platform import locale as locales
from pennydesk.platform.email.render import render
from pennydesk.platform.email.send import send
from pennydesk.platform.settings import get_settings
from pennydesk.spending import account, money, unsubscribe
from pennydesk.spending.records import Profile, Total

logger = Logger(child=True)


def limit_for(profile: Profile, category: str | None) -> int | None:
    if category is None:
        return int(profile.monthly_limit) if profile.monthly_limit else None
    return account.limits(profile).get(category)


def due_thresholds(total: int, limit: int, thresholds: list[int], announced: set[str]) -> list[int]:
    """Thresholds the total has reached and that were not announced yet, lowest first."""
    return [t for t in sorted(thresholds) if total * 100 >= limit * t and str(t) not in announced]


@dataclass(frozen=True)
class Alert:
    """The one email a total calls for: the highest threshold newly reached, and every threshold it
    announces (the lower ones it jumped past too, so none of them is sent later)."""

    threshold: int
    announces: frozenset[str]


def alert_for(total: int, limit: int | None, thresholds: list[int], announced: set[str]) -> Alert | None:
    """What a budget's new total announces, given what was announced this month; None when nothing
    (nothing spent, no budget, or every threshold reached is announced already)."""
    if total <= 0 or not limit:
        return None
    due = due_thresholds(total, limit, thresholds, announced)
    return Alert(due[-1], frozenset(str(t) for t in due)) if due else None


def on_total_changed(new: Total) -> None:
    user_id = new.pk.removeprefix("USER#")
    total = int(new.total or 0)
    if total <= 0:  # nothing spent: not even the account is read
        return
    profile = account.get(user_id)
    if not account.alerts_on(profile):
        return
    limit = limit_for(profile, new.category)
    if not limit:
        return
    # The record's image can predate an alert sent for a later record (a quick edit after a big expense),
    # so what was announced comes from the item as it is now.
    current = Total.get(new.pk, new.sk, consistent_read=True)
    announced = set(new.alerted or []) | set(current.alerted or [])
    alert = alert_for(total, limit, [int(t) for t in profile.thresholds or [80, 100]], announced)
    if alert is None:
        return
    budget = new.category or "overall"
    month = new.month or new.sk.split("#")[1]
    links = unsubscribe.mail_fields(profile.email, "budget_alerts")
    send(
        f"alert/{user_id}/{month}/{budget}/{alert.threshold}",
        [profile.email],
        render("budget_alert", **_context(profile, new, total, limit, alert.threshold, month), **links),
        list_unsubscribe=links["list_unsubscribe"],
    )
    Total(pk=new.pk, sk=new.sk).update(actions=[Total.alerted.add(set(alert.announces))])
    logger.info("budget alert sent", extra={"month": month, "budget": budget, "threshold": alert.threshold})


def _context(profile: Profile, new: Total, total: int, limit: int, threshold: int, month: str) -> dict[str, Any]:
    """Amounts, the month's name and percentages in the person's locale; the category by its name."""
    currency, locale = profile.currency, account.locale_of(profile)
    places = money.decimals(currency)
    fmt = lambda minor: locales.format_money(minor, currency, locale, decimals=places)  # noqa: E731
    name = account.category_label(profile, new.category) if new.category else None
    percent = money.percent(total, limit)
    return {
        "budget": f'"{name}"' if name else "overall",
        "category": name,
        "month": locales.format_month(month, locale),
        "threshold": threshold,
        "threshold_text": locales.format_percent(threshold, locale),
        "total": fmt(total),
        "limit": fmt(limit),
        "currency": currency,
        "percent": locales.format_percent(percent, locale),
        "bar_percent": percent or 0,
        "remaining": fmt(max(limit - total, 0)),
        "over": fmt(max(total - limit, 0)),
        "url": f"{get_settings().site_url}/spending/",
    }
