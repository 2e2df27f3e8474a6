"""A profile's locale (issue 15): amounts in settings read as the locale writes them, a new account's currency
following its locale until chosen, every refusal at once, and each month's own limit for the trend."""

from __future__ import annotations

import pytest
from pennydesk.platform.errors import PennydeskError, Refused
from pennydesk.spending import budget_months
from pennydesk.spending.account_plan import Settings, display_name, plan

GERMAN = Settings(currency="EUR", locale="de-DE")
NEW_ACCOUNT = Settings(currency="USD", locale="en-US", currency_follows_locale=True)


def test_a_german_user_writes_limits_as_germans_do_or_in_plain_digits() -> None:
    decided = plan(GERMAN, {"monthly_limit": "1.500,00", "category_limits": {"groceries": "250,5", "dining": "80"}})

    assert decided.changes["monthly_limit"] == 1500_00
    assert decided.changes["category_limits"] == {"groceries": 250_50, "dining": 80_00}
    assert plan(GERMAN, {"monthly_limit": "1500.00"}).changes["monthly_limit"] == 1500_00
    assert plan(GERMAN, {"monthly_limit": "1.500"}).changes["monthly_limit"] == 1500_00


def test_amounts_sent_with_a_new_locale_are_read_in_it() -> None:
    decided = plan(Settings(currency="EUR", locale="en-GB"), {"locale": "de_de", "monthly_limit": "2.000,50"})

    assert decided.changes == {"locale": "de-DE", "monthly_limit": 2000_50}


def test_a_new_accounts_currency_follows_its_locale_until_chosen() -> None:
    assert plan(NEW_ACCOUNT, {"locale": "de-DE"}).changes == {"locale": "de-DE", "currency": "EUR"}
    assert plan(NEW_ACCOUNT, {"locale": "en-GB"}).changes == {"locale": "en-GB", "currency": "GBP"}
    chosen = plan(NEW_ACCOUNT, {"currency": "CHF"}).changes
    assert chosen == {"currency": "CHF", "currency_chosen": True}


def test_a_chosen_or_older_currency_never_follows_the_locale() -> None:
    assert plan(Settings(currency="USD", locale="en-US"), {"locale": "de-DE"}).changes == {"locale": "de-DE"}
    with_limit = Settings(currency="USD", locale="en-US", currency_follows_locale=True, monthly_limit=100_00)
    assert plan(with_limit, {"locale": "de-DE"}).changes == {"locale": "de-DE"}
    # Expenses already recorded in USD: the locale changes, the currency stays, and nothing is refused.
    assert plan(NEW_ACCOUNT, {"locale": "de-DE"}, expenses_recorded=True).changes == {"locale": "de-DE"}


def test_every_refused_field_is_listed_at_once_and_nothing_is_planned() -> None:
    with pytest.raises(Refused) as refused:
        plan(GERMAN, {
            "locale": "xx-YY", "monthly_limit": "zwölf", "category_limits": {"dining": "1.50,00", "yachts": "5"},
            "timezone": "Mars/Olympus",
        })

    assert [r.field for r in refused.value.refusals] == [
        "locale", "monthly_limit", "category_limits.dining", "category_limits.yachts", "timezone",
    ]
    assert refused.value.status == 422


def test_a_bad_locale_alone_is_refused_as_itself() -> None:
    with pytest.raises(PennydeskError) as refused:
        plan(GERMAN, {"locale": "<b>"})
    assert refused.value.field == "locale"


def test_category_names_read_as_names() -> None:
    assert display_name("dining", {}) == "Dining"
    assert display_name("kids' café", {"kids' café": "Kids' Café"}) == "Kids' Café"
    assert display_name("pets", {}) == "pets"  # an older custom category: as stored


def test_a_new_monthly_limit_is_recorded_for_the_month_it_was_set_in() -> None:
    decided = plan(GERMAN, {"monthly_limit": "500"}, month="2026-12")

    assert decided.changes["limit_months"] == {"2026-12": 500_00}


def test_each_month_shows_the_limit_it_had() -> None:
    history = {"2026-10": 300_00, "2026-12": 500_00, "2027-02": 0}

    assert budget_months.limit_in("2026-09", history, 0, "2026-01") is None  # before any limit
    assert budget_months.limit_in("2026-10", history, 0, "2026-01") == 300_00
    assert budget_months.limit_in("2026-11", history, 0, "2026-01") == 300_00
    assert budget_months.limit_in("2027-01", history, 0, "2026-01") == 500_00
    assert budget_months.limit_in("2027-03", history, 0, "2026-01") is None  # removed


def test_an_account_from_before_the_history_keeps_its_limit_from_its_creation() -> None:
    assert budget_months.limit_in("2026-03", {}, 400_00, "2026-05") is None
    assert budget_months.limit_in("2026-05", {}, 400_00, "2026-05") == 400_00
    first_change = budget_months.recorded({}, "2026-12", 600_00, previous_limit=400_00, created_month="2026-05")
    assert first_change == {"2026-05": 400_00, "2026-12": 600_00}
    assert budget_months.limit_in("2026-08", first_change, 600_00, "2026-05") == 400_00


def test_the_history_stays_small() -> None:
    history = {f"{2020 + i // 12}-{i % 12 + 1:02d}": 100 + i for i in range(60)}

    kept = budget_months.recorded(history, "2025-01", 1, previous_limit=None, created_month="2020-01")

    assert len(kept) <= budget_months.KEPT_MONTHS + 2
    assert budget_months.limit_in("2022-01", kept, 1, "2020-01") == budget_months.limit_in("2022-01", history, 1, None)
