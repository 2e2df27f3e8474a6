"""Spending reports, read from the running totals only: the cost never depends on how many expenses exist."""

from __future__ import annotations

from typing import Any

from pennydesk.platform.errors import PennydeskError
from pennydesk.spending import account, budget_months, money
from pennydesk.spending.months import check_month, shift_month
from pennydesk.spending.records import Profile, Total, total_sk, user_pk

MAX_TREND_MONTHS = 36


def monthly(profile: Profile, month: str) -> dict[str, Any]:
    """One Query: the month's overall total and every category total share the prefix TOTAL#<month>. The
    overall limit is the one the month had (budget_months, as in the trend); budget_months keeps no history
    of category limits, so those are today's in every month."""
    check_month(month)
    currency = profile.currency
    overall, by_category = 0, {}
    for item in Total.query(user_pk(profile.user_id), Total.sk.startswith(total_sk(month)), consistent_read=True):
        if item.sk == total_sk(month):
            overall = int(item.total)
        elif item.category:
            by_category[item.category] = int(item.total)
    limits = account.limits(profile)
    current = account.settings(profile)
    limit = budget_months.limit_in(month, current.limit_months, current.monthly_limit, current.created_month)
    names = sorted(set(by_category) | set(limits), key=lambda c: (-by_category.get(c, 0), c))
    return {
        "month": month,
        "currency": currency,
        "total": money.format(overall, currency),
        "limit": money.format(limit, currency) if limit else None,
        "percent_used": money.percent(overall, limit or 0),
        "categories": [
            {
                "category": name,
                "total": money.format(by_category.get(name, 0), currency),
                "limit": money.format(limits[name], currency) if name in limits else None,
                "percent_used": money.percent(by_category.get(name, 0), limits.get(name, 0)),
            }
            for name in names
            if by_category.get(name, 0) or name in limits
        ],
    }


def trend(profile: Profile, months: int, this_month: str) -> list[dict[str, Any]]:
    """The last `months` months up to `this_month`, oldest first; months with nothing spent show 0, and each
    month shows the limit it had (none before one was set), not today's (budget_months)."""
    if not 1 <= months <= MAX_TREND_MONTHS:
        raise PennydeskError(f"Ask for 1 to {MAX_TREND_MONTHS} months.", field="months")
    first = shift_month(this_month, -(months - 1))
    totals: dict[str, int] = {}
    # Category totals sort between the month totals ("TOTAL#2026-11" < "TOTAL#2026-11#CAT#..." < "TOTAL#2026-12"),
    # so the range reads them too; they are few (one per category used) and skipped here.
    for item in Total.query(
        user_pk(profile.user_id), Total.sk.between(total_sk(first), total_sk(this_month)), consistent_read=True
    ):
        if "#CAT#" not in item.sk:
            totals[item.sk.removeprefix("TOTAL#")] = int(item.total)
    current = account.settings(profile)
    currency = profile.currency
    points = []
    for m in (shift_month(first, i) for i in range(months)):
        limit = budget_months.limit_in(m, current.limit_months, current.monthly_limit, current.created_month)
        points.append({
            "month": m,
            "total": money.format(totals.get(m, 0), currency),
            "limit": money.format(limit, currency) if limit else None,
        })
    return points
