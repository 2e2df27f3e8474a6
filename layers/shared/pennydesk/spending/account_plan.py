"""What a change of account settings does, decided over plain values: `plan` takes the settings as they are
and the fields sent, and returns the validated new values and whether the digest timer moves, or refuses.

Every field is checked before anything is written, and every refusal is collected: the request answers with
all of them (`Refused`), with the status of the first in the order the fields are listed below (a currency
that can't change is a conflict, the rest are validation errors). Amounts are read as plain digits or as the
account's locale writes them. `account.update` applies the plan as one transaction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pennydesk.platform.errors import Conflict, PennydeskError, Refused
from pennydesk.platform.locale import DEFAULT_LOCALE, locale_tag
from pennydesk.spending import amounts, budget_months, money

DEFAULT_CATEGORIES = (
    "groceries",
    "dining",
    "transport",
    "housing",
    "utilities",
    "health",
    "entertainment",
    "shopping",
    "travel",
    "other",
)
DIGESTS = ("weekly", "monthly", "off")
MAX_CUSTOM_CATEGORIES = 30
MAX_THRESHOLDS = 5
_CATEGORY = re.compile(r"^[a-z0-9][a-z0-9 &'_-]{0,29}$")


@dataclass(frozen=True)
class Settings:
    """An account's settings as values; amounts are minor units of `currency`."""

    currency: str = "USD"
    monthly_limit: int | None = None
    category_limits: dict[str, int] = field(default_factory=dict)
    categories: tuple[str, ...] = ()  # the account's own, besides DEFAULT_CATEGORIES
    thresholds: tuple[int, ...] = (80, 100)
    digest: str = "monthly"
    timezone: str = "UTC"
    budget_alerts: bool = True
    locale: str | None = None  # None: an account from before locales (amounts read as DEFAULT_LOCALE writes)
    currency_follows_locale: bool = False  # a new account whose currency was never chosen
    limit_months: dict[str, int] = field(default_factory=dict)  # see budget_months
    created_month: str | None = None


@dataclass(frozen=True)
class Plan:
    """What an update writes: each changed setting's new value (None removes it) and, when the digest
    preference or time zone changes, where the digest timer moves to (preference, time zone)."""

    changes: dict[str, Any]
    digest_timer: tuple[str, str] | None = None


__all__ = [
    "DEFAULT_CATEGORIES", "Plan", "Refused", "Settings", "category_name", "currency_asked", "display_name", "plan",
]


def currency_asked(current: Settings, changes: dict[str, Any]) -> str:
    """The currency the change asks for: the one sent, else, for an account whose currency still follows its
    locale (new, never chosen, no limits yet), the new locale's country's; else the current one."""
    if "currency" in changes:
        return changes["currency"]
    if "locale" not in changes or not current.currency_follows_locale or _has_limits(current) \
            or "monthly_limit" in changes or "category_limits" in changes:
        return current.currency
    try:
        return amounts.currency_for(locale_tag(changes["locale"]))
    except PennydeskError:
        return current.currency  # the locale is refused below


def plan(current: Settings, changes: dict[str, Any], *, expenses_recorded: bool = False,
         month: str | None = None) -> Plan:
    """The fields present in `changes` applied to `current`; `expenses_recorded` says whether the account
    holds expenses (a currency can change only before the first); `month` ("YYYY-MM", now) is when a new
    monthly limit starts. Raises every refusal at once if any field fails."""
    refused: list[PennydeskError] = []
    followed = "currency" not in changes and currency_asked(current, changes) != current.currency
    if followed and expenses_recorded:  # following the locale never fights recorded expenses: it stays
        followed = False
    asked = {**changes, "currency": currency_asked(current, changes)} if followed else changes
    currency = _currency(current, asked, expenses_recorded, refused)
    locale = _locale(current, changes, refused)
    reading = locale or DEFAULT_LOCALE
    new = _categories(changes, refused)
    known = {*DEFAULT_CATEGORIES, *new.get("categories", current.categories)}
    if currency is not None:
        new |= _monthly_limit(current, asked, currency, reading, refused)
        new |= _category_limits(current, asked, currency, reading, known, refused)
    if "monthly_limit" in new and month is not None:
        new["limit_months"] = budget_months.recorded(
            current.limit_months, month, new["monthly_limit"], previous_limit=current.monthly_limit,
            created_month=current.created_month,
        )
    if locale != current.locale:
        new["locale"] = locale
    if "currency" in changes and currency is not None and current.currency_follows_locale:
        new["currency_chosen"] = True
    new |= _thresholds(changes, refused) | _digest(changes, refused) | _timezone(changes, refused)
    new |= _budget_alerts(current, changes, refused)
    if currency is not None and currency != current.currency:
        new["currency"] = currency
    if refused:
        raise refused[0] if len(refused) == 1 else Refused(refused)
    return Plan(new, _digest_timer(current, changes) if new else None)


def category_name(value: str) -> str:
    """A category as stored: words single-spaced, lower case; refused unless 1-30 plain characters."""
    name = " ".join(str(value).split()).lower()
    if not _CATEGORY.match(name):
        raise PennydeskError(
            f"{value!r} is not a usable category name (1-30 letters, digits, spaces, & ' _ -).", field="categories"
        )
    return name


def _currency(current: Settings, changes: dict[str, Any], expenses_recorded: bool,
              refused: list[PennydeskError]) -> str | None:
    """The currency asked for, or None when it is not one we know."""
    currency = changes.get("currency", current.currency)
    if currency == current.currency:
        return currency
    try:
        money.decimals(currency)
    except PennydeskError as exc:
        refused.append(exc)
        return None
    if expenses_recorded:
        refused.append(Conflict(
            "The currency can't change once expenses are recorded in it; export them and start afresh.",
            field="currency",
        ))
    return currency


def _categories(changes: dict[str, Any], refused: list[PennydeskError]) -> dict[str, Any]:
    if "categories" not in changes:
        return {}
    custom: list[str] = []
    written: dict[str, str] = {}
    for raw in changes["categories"] or []:
        try:
            name = category_name(raw)
        except PennydeskError as exc:
            refused.append(exc)
            continue
        if name not in DEFAULT_CATEGORIES and name not in custom:
            custom.append(name)
            written[name] = " ".join(str(raw).split())  # shown as written; stored and matched lower case
    if len(custom) > MAX_CUSTOM_CATEGORIES:
        refused.append(PennydeskError(f"Keep to {MAX_CUSTOM_CATEGORIES} categories of your own.", field="categories"))
    return {"categories": custom, "category_names": written}


def display_name(category: str, written: dict[str, str]) -> str:
    """A category as people read it: "Dining" for the defaults, the user's own as they wrote them."""
    if category in DEFAULT_CATEGORIES:
        return category.capitalize()
    return written.get(category, category)


def _has_limits(current: Settings) -> bool:
    return bool(current.monthly_limit or current.category_limits)


def _locale(current: Settings, changes: dict[str, Any], refused: list[PennydeskError]) -> str | None:
    """The locale asked for, normalised ("de_de" → "de-DE"); amounts in the same request are read in it."""
    if "locale" not in changes:
        return current.locale
    try:
        return locale_tag(changes["locale"])
    except PennydeskError as exc:
        refused.append(exc)
        return current.locale


def _monthly_limit(current: Settings, changes: dict[str, Any], currency: str, locale: str,
                   refused: list[PennydeskError]) -> dict[str, Any]:
    if "monthly_limit" not in changes:
        if currency != current.currency and current.monthly_limit:
            refused.append(PennydeskError("Give the monthly limit again in the new currency.", field="monthly_limit"))
        return {}
    raw = changes["monthly_limit"]
    if raw in (None, ""):
        return {"monthly_limit": None}
    try:
        return {"monthly_limit": amounts.read(raw, currency, locale, field="monthly_limit")}
    except PennydeskError as exc:
        refused.append(exc)
        return {}


def _category_limits(current: Settings, changes: dict[str, Any], currency: str, locale: str, known: set[str],
                     refused: list[PennydeskError]) -> dict[str, Any]:
    """Merged, like the rest of PUT /api/me: the categories sent change, null removes one, others stay.
    A new currency needs every limit again (or null): the old amounts are never reread in it."""
    moved = currency != current.currency
    if "category_limits" not in changes:
        if moved and current.category_limits:
            refused.append(PennydeskError("Give the category limits again in the new currency.",
                                          field="category_limits"))
        return {}
    asked = changes["category_limits"] or {}
    merged = {} if moved else dict(current.category_limits)
    for category, raw in asked.items():
        where = f"category_limits.{category}"
        if category not in known:
            refused.append(PennydeskError(f"{category!r} is not one of your categories.", field=where))
        elif raw in (None, ""):
            merged.pop(category, None)
        else:
            try:
                merged[category] = amounts.read(raw, currency, locale, field=where)
            except PennydeskError as exc:
                refused.append(exc)
    missing = sorted(c for c in current.category_limits if c not in asked) if moved else []
    if missing:
        refused.append(PennydeskError(
            f"Give the limit for {', '.join(missing)} again in {currency}, or null to remove it.",
            field="category_limits",
        ))
    return {"category_limits": merged}


def _thresholds(changes: dict[str, Any], refused: list[PennydeskError]) -> dict[str, Any]:
    if "alert_thresholds" not in changes:
        return {}
    thresholds = sorted({int(t) for t in changes["alert_thresholds"] or []})
    if not thresholds or len(thresholds) > MAX_THRESHOLDS or any(t < 1 or t > 500 for t in thresholds):
        refused.append(PennydeskError(
            f"Give 1 to {MAX_THRESHOLDS} thresholds, each a percent from 1 to 500.", field="alert_thresholds"
        ))
        return {}
    return {"thresholds": thresholds}


def _digest(changes: dict[str, Any], refused: list[PennydeskError]) -> dict[str, Any]:
    if "digest" not in changes:
        return {}
    if changes["digest"] not in DIGESTS:
        refused.append(PennydeskError(f"Choose one of: {', '.join(DIGESTS)}.", field="digest"))
        return {}
    return {"digest": changes["digest"]}


def _budget_alerts(current: Settings, changes: dict[str, Any], refused: list[PennydeskError]) -> dict[str, Any]:
    """Budget alerts on or off (a one-click unsubscribe turns them off); unchanged is no change."""
    if "budget_alerts" not in changes or changes["budget_alerts"] == current.budget_alerts:
        return {}
    if not isinstance(changes["budget_alerts"], bool):
        refused.append(PennydeskError("budget_alerts is true or false.", field="budget_alerts"))
        return {}
    return {"budget_alerts": changes["budget_alerts"]}


def _timezone(changes: dict[str, Any], refused: list[PennydeskError]) -> dict[str, Any]:
    if "timezone" not in changes:
        return {}
    try:
        ZoneInfo(str(changes["timezone"]))
    except (ZoneInfoNotFoundError, ValueError):
        refused.append(PennydeskError("Use an IANA time zone such as Europe/Paris.", field="timezone"))
        return {}
    return {"timezone": str(changes["timezone"])}


def _digest_timer(current: Settings, changes: dict[str, Any]) -> tuple[str, str] | None:
    """Where the digest timer moves: a changed preference or time zone, else nowhere."""
    digest = changes.get("digest", current.digest)
    timezone = str(changes.get("timezone", current.timezone))
    return (digest, timezone) if (digest, timezone) != (current.digest, current.timezone) else None
