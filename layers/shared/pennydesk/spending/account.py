"""Spending accounts: created on first sign-in, holding currency, budgets, alert thresholds and digests."""

from __future__ import annotations

import re
import uuid
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pynamodb.exceptions import DoesNotExist, TransactWriteError

from pennydesk.identity.sessions import signed_in_email
from pennydesk.platform.clock import iso, utcnow
from pennydesk.platform.dynamo import transaction
from pennydesk.platform.errors import Conflict, NotFound, PennydeskError, Unauthorized
from pennydesk.spending import digest_timers, money
from pennydesk.spending.records import PROFILE_SK, Expense, Profile, UserEmail, user_pk

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


def email_pk(email: str) -> str:
    return f"EMAIL#{email.lower()}"


def find(email: str) -> Profile | None:
    try:
        link = UserEmail.get(email_pk(email), "USER")
        return Profile.get(user_pk(link.user_id), PROFILE_SK, consistent_read=True)
    except DoesNotExist:
        return None


def ensure(email: str) -> Profile:
    """The account for `email`, created with sane defaults the first time this address signs in."""
    existing = find(email)
    if existing is not None:
        digest_timers.ensure_timer(existing, utcnow())  # accounts from before digests get theirs at sign-in
        return existing
    user_id = uuid.uuid4().hex
    now = iso(utcnow())
    profile = Profile(
        pk=user_pk(user_id),
        sk=PROFILE_SK,
        user_id=user_id,
        email=email.lower(),
        created_at=now,
        updated_at=now,
        thresholds=[80, 100],
        categories=[],
        category_limits={},
    )
    try:
        with transaction() as tx:
            tx.save(UserEmail(pk=email_pk(email), sk="USER", user_id=user_id), condition=UserEmail.pk.does_not_exist())
            tx.save(profile, condition=Profile.pk.does_not_exist())
            digest_timer = digest_timers.new_timer(profile, utcnow())
            if digest_timer is not None:  # the default digest starts with the account
                tx.save(digest_timer)
    except TransactWriteError:
        raced = find(email)  # two first sign-ins at once: the other one created it
        if raced is None:
            raise
        return raced
    return profile


def get(user_id: str) -> Profile:
    try:
        return Profile.get(user_pk(user_id), PROFILE_SK, consistent_read=True)
    except DoesNotExist as exc:
        raise NotFound("No such account.") from exc


def categories(profile: Profile) -> list[str]:
    return list(DEFAULT_CATEGORIES) + [c for c in (profile.categories or []) if c not in DEFAULT_CATEGORIES]


def limits(profile: Profile) -> dict[str, int]:
    return {k: int(v) for k, v in (profile.category_limits.as_dict() if profile.category_limits else {}).items()}


def view(profile: Profile) -> dict[str, Any]:
    currency = profile.currency
    return {
        "email": profile.email,
        "currency": currency,
        "decimals": money.decimals(currency),
        "monthly_limit": money.format(int(profile.monthly_limit), currency) if profile.monthly_limit else None,
        "category_limits": {c: money.format(v, currency) for c, v in sorted(limits(profile).items())},
        "alert_thresholds": [int(t) for t in profile.thresholds or [80, 100]],
        "digest": profile.digest,
        "timezone": profile.timezone,
        "categories": categories(profile),
        "custom_categories": list(profile.categories or []),
    }


def _category_name(value: str) -> str:
    name = " ".join(str(value).split()).lower()
    if not _CATEGORY.match(name):
        raise PennydeskError(
            f"{value!r} is not a usable category name (1-30 letters, digits, spaces, & ' _ -).", field="categories"
        )
    return name


def update(profile: Profile, changes: dict[str, Any]) -> Profile:
    """Apply the fields present in `changes`; validate everything before writing anything."""
    currency = changes.get("currency", profile.currency)
    if currency != profile.currency:
        money.decimals(currency)
        if _has_expenses(profile.user_id):
            raise Conflict(
                "The currency can't change once expenses are recorded in it; export them and start afresh.",
                field="currency",
            )
    actions: list[Any] = []
    custom = [c for c in (profile.categories or [])]
    if "categories" in changes:
        custom = []
        for raw in changes["categories"] or []:
            name = _category_name(raw)
            if name not in DEFAULT_CATEGORIES and name not in custom:
                custom.append(name)
        if len(custom) > MAX_CUSTOM_CATEGORIES:
            raise PennydeskError(f"Keep to {MAX_CUSTOM_CATEGORIES} categories of your own.", field="categories")
        actions.append(Profile.categories.set(custom))
    known = set(DEFAULT_CATEGORIES) | set(custom)
    if "monthly_limit" in changes:
        raw = changes["monthly_limit"]
        value = None if raw in (None, "") else money.parse(raw, currency, field="monthly_limit")
        actions.append(Profile.monthly_limit.set(value) if value is not None else Profile.monthly_limit.remove())
    elif currency != profile.currency and profile.monthly_limit:
        raise PennydeskError("Give the monthly limit again in the new currency.", field="monthly_limit")
    if "category_limits" in changes:
        # Merged, like the rest of PUT /api/me: the categories sent change, null removes one, others stay.
        merged = limits(profile) if currency == profile.currency else {}
        for category, raw in (changes["category_limits"] or {}).items():
            if category not in known:
                raise PennydeskError(
                    f"{category!r} is not one of your categories.", field=f"category_limits.{category}"
                )
            if raw in (None, ""):
                merged.pop(category, None)
                continue
            merged[category] = money.parse(raw, currency, field=f"category_limits.{category}")
        if currency != profile.currency:
            # Limits are amounts in the old currency: each must be given again (or nulled), never reread.
            missing = sorted(c for c in limits(profile) if c not in changes["category_limits"])
            if missing:
                raise PennydeskError(
                    f"Give the limit for {', '.join(missing)} again in {currency}, or null to remove it.",
                    field="category_limits",
                )
        actions.append(Profile.category_limits.set(merged))
    elif currency != profile.currency and limits(profile):
        raise PennydeskError("Give the category limits again in the new currency.", field="category_limits")
    if "alert_thresholds" in changes:
        thresholds = sorted({int(t) for t in changes["alert_thresholds"] or []})
        if not thresholds or len(thresholds) > MAX_THRESHOLDS or any(t < 1 or t > 500 for t in thresholds):
            raise PennydeskError(
                f"Give 1 to {MAX_THRESHOLDS} thresholds, each a percent from 1 to 500.", field="alert_thresholds"
            )
        actions.append(Profile.thresholds.set(thresholds))
    if "digest" in changes:
        if changes["digest"] not in DIGESTS:
            raise PennydeskError(f"Choose one of: {', '.join(DIGESTS)}.", field="digest")
        actions.append(Profile.digest.set(changes["digest"]))
    if "timezone" in changes:
        try:
            ZoneInfo(str(changes["timezone"]))
        except (ZoneInfoNotFoundError, ValueError):
            raise PennydeskError("Use an IANA time zone such as Europe/Paris.", field="timezone") from None
        actions.append(Profile.timezone.set(str(changes["timezone"])))
    if currency != profile.currency:
        actions.append(Profile.currency.set(currency))
    if not actions:
        return profile
    seen = int(profile.version)
    moment = utcnow()
    final = [*actions, Profile.updated_at.set(iso(moment)), Profile.version.set(seen + 1)]
    digest = changes.get("digest", profile.digest)
    timezone = str(changes.get("timezone", profile.timezone))
    if (digest, timezone) != (profile.digest, profile.timezone):
        # The digest timer moves with the preference, in the same transaction.
        try:
            with transaction() as tx:
                tx.update(profile, actions=final, condition=Profile.version == seen)
                digest_timers.stage_move(tx, digest, timezone, profile.user_id, moment)
        except TransactWriteError as exc:
            raise Conflict("Your settings changed in another window. Reload and try again.") from exc
        return get(profile.user_id)
    try:
        profile.update(actions=final, condition=Profile.version == seen)
    except Exception as exc:  # a concurrent edit: the user's other tab saved first
        from pynamodb.exceptions import UpdateError

        if isinstance(exc, UpdateError):
            raise Conflict("Your settings changed in another window. Reload and try again.") from exc
        raise
    return get(profile.user_id)


def _has_expenses(user_id: str) -> bool:
    return any(True for _ in Expense.query(user_pk(user_id), Expense.sk.startswith("EXP#"), limit=1))


def require_user_session(token: str | None) -> Profile:
    """The signed-in person's own spending account (every route scopes its reads and writes to it)."""
    profile = find(signed_in_email(token))
    if profile is None:
        raise Unauthorized("Sign in again.")
    return profile
