"""Spending accounts: created on first sign-in, holding currency, budgets, alert thresholds and digests."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pynamodb.exceptions import DoesNotExist, TransactWriteError, UpdateError

from pennydesk.identity.sessions import signed_in_email
from pennydesk.platform.clock import iso, utcnow
from pennydesk.platform.dynamo import transaction
from pennydesk.platform.errors import Conflict, NotFound, Unauthorized
from pennydesk.platform.locale import DEFAULT_LOCALE, from_accept_language
from pennydesk.spending import account_plan, amounts, digest_timers, money
from pennydesk.spending.account_plan import DEFAULT_CATEGORIES
from pennydesk.spending.records import EXPENSE_PREFIX, PROFILE_SK, Expense, Profile, UserEmail, email_pk, user_pk


def find(email: str) -> Profile | None:
    try:
        link = UserEmail.get(email_pk(email), "USER")
        return Profile.get(user_pk(link.user_id), PROFILE_SK, consistent_read=True)
    except DoesNotExist:
        return None


def ensure(email: str, *, accept_language: str | None = None) -> Profile:
    """The account for `email`, created with sane defaults the first time this address signs in: the locale
    from the browser's Accept-Language, and its country's currency (until the person chooses one)."""
    existing = find(email)
    if existing is not None:
        digest_timers.ensure_timer(existing, utcnow())  # accounts from before digests get theirs at sign-in
        _adopt_locale(existing, accept_language)
        return existing
    user_id = uuid.uuid4().hex
    now = iso(utcnow())
    locale = from_accept_language(accept_language) or DEFAULT_LOCALE
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
        locale=locale,
        currency=amounts.currency_for(locale),
        currency_chosen=False,
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


def _adopt_locale(profile: Profile, accept_language: str | None) -> None:
    """An account from before locales takes the browser's at its next sign-in (a POST, never a GET); its
    currency stays."""
    locale = None if profile.locale else from_accept_language(accept_language)
    if locale is None:
        return
    try:
        profile.update(actions=[Profile.locale.set(locale)], condition=Profile.locale.does_not_exist())
    except UpdateError as exc:
        if exc.cause_response_code != "ConditionalCheckFailedException":
            raise  # a throttle or an outage: the sign-in answers 503, nothing half-done
        # Another sign-in or the settings page set one first: theirs stands.


def get(user_id: str) -> Profile:
    try:
        return Profile.get(user_pk(user_id), PROFILE_SK, consistent_read=True)
    except DoesNotExist as exc:
        raise NotFound("No such account.") from exc


def categories(profile: Profile) -> list[str]:
    return list(DEFAULT_CATEGORIES) + [c for c in (profile.categories or []) if c not in DEFAULT_CATEGORIES]


def category_label(profile: Profile, category: str) -> str:
    """The category's name as the person reads it ("Dining"; their own as they wrote it)."""
    return account_plan.display_name(category, _written(profile))


def _written(profile: Profile) -> dict[str, str]:
    return {k: str(v) for k, v in (profile.category_names.as_dict() if profile.category_names else {}).items()}


def limits(profile: Profile) -> dict[str, int]:
    return {k: int(v) for k, v in (profile.category_limits.as_dict() if profile.category_limits else {}).items()}


def locale_of(profile: Profile, accept_language: str | None = None) -> str:
    """The locale the person's amounts, dates and months are written in: their own, else (an account from
    before locales) the browser's, else the default."""
    return profile.locale or from_accept_language(accept_language) or DEFAULT_LOCALE


def view(profile: Profile, *, accept_language: str | None = None) -> dict[str, Any]:
    currency = profile.currency
    return {
        "email": profile.email,
        "locale": locale_of(profile, accept_language),
        "currency": currency,
        "decimals": money.decimals(currency),
        "monthly_limit": money.format(int(profile.monthly_limit), currency) if profile.monthly_limit else None,
        "category_limits": {c: money.format(v, currency) for c, v in sorted(limits(profile).items())},
        "alert_thresholds": [int(t) for t in profile.thresholds or [80, 100]],
        "digest": profile.digest,
        "budget_alerts": alerts_on(profile),
        "timezone": profile.timezone,
        "categories": categories(profile),
        "custom_categories": list(profile.categories or []),
        "category_names": {c: account_plan.display_name(c, _written(profile)) for c in categories(profile)},
    }


def settings(profile: Profile) -> account_plan.Settings:
    """The account's settings as plain values, for `account_plan`."""
    return account_plan.Settings(
        currency=profile.currency, monthly_limit=int(profile.monthly_limit) if profile.monthly_limit else None,
        category_limits=limits(profile), categories=tuple(profile.categories or ()),
        thresholds=tuple(int(t) for t in profile.thresholds or [80, 100]), digest=profile.digest,
        timezone=profile.timezone, budget_alerts=alerts_on(profile),
        locale=profile.locale, currency_follows_locale=profile.currency_chosen is False,
        limit_months={k: int(v) for k, v in (profile.limit_months.as_dict() if profile.limit_months else {}).items()},
        created_month=(profile.created_at or "")[:7] or None,
    )


def alerts_on(profile: Profile) -> bool:
    """Whether budget alerts go out: on unless turned off (accounts from before the setting have none)."""
    return profile.budget_alerts is not False


def update(profile: Profile, changes: dict[str, Any]) -> Profile:
    """Apply the fields present in `changes`; validate everything before writing anything."""
    current = settings(profile)
    currency_moves = account_plan.currency_asked(current, changes) != profile.currency
    plan = account_plan.plan(current, changes, month=utcnow().strftime("%Y-%m"),
                             expenses_recorded=currency_moves and _has_expenses(profile.user_id))
    if not plan.changes:
        return profile
    _apply(profile, plan, utcnow())
    return get(profile.user_id)


def _apply(profile: Profile, plan: account_plan.Plan, moment: datetime) -> None:
    """One transaction: the profile (if still at the version read) and, when it moves, the digest timer."""
    seen = int(profile.version)
    actions = [
        getattr(Profile, name).remove() if value is None else getattr(Profile, name).set(value)
        for name, value in plan.changes.items()
    ]
    actions += [Profile.updated_at.set(iso(moment)), Profile.version.set(seen + 1)]
    try:
        with transaction() as tx:
            tx.update(profile, actions=actions, condition=Profile.version == seen)
            if plan.digest_timer is not None:
                preference, timezone = plan.digest_timer
                digest_timers.stage_move(tx, preference, timezone, profile.user_id, moment)
    except TransactWriteError as exc:  # a concurrent edit: the user's other tab saved first
        raise Conflict("Your settings changed in another window. Reload and try again.") from exc


def _has_expenses(user_id: str) -> bool:
    return any(True for _ in Expense.query(user_pk(user_id), Expense.sk.startswith(EXPENSE_PREFIX), limit=1))


def require_user_session(token: str | None) -> Profile:
    """The signed-in person's own spending account (every route scopes its reads and writes to it)."""
    profile = find(signed_in_email(token))
    if profile is None:
        raise Unauthorized("Sign in again.")
    return profile
