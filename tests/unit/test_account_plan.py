"""What a change of account settings writes, decided over plain values: every field checked before anything
is written, every refusal collected, the first answering as it always did, and the digest timer moving only
with the preference or the time zone. Nothing here touches AWS."""

from __future__ import annotations

from typing import Any

import pytest
from pennydesk.platform.errors import Conflict, PennydeskError
from pennydesk.spending.account_plan import Plan, Refused, Settings, plan

DOLLARS = Settings(currency="USD", monthly_limit=500_00, category_limits={"groceries": 80_00})


def refusal(current: Settings, changes: dict[str, Any], **facts: Any) -> PennydeskError:
    with pytest.raises(PennydeskError) as refused:
        plan(current, changes, **facts)
    return refused.value


def test_nothing_sent_changes_nothing_and_moves_no_timer() -> None:
    assert plan(Settings(), {}) == Plan({}, None)


def test_each_field_sent_becomes_its_stored_value() -> None:
    decided = plan(Settings(), {
        "categories": ["  Kids   &  School ", "pets", "Groceries"], "monthly_limit": "250.50",
        "category_limits": {"pets": "40", "kids & school": None}, "alert_thresholds": [90, 50, 50],
    })

    assert decided.changes == {
        "categories": ["kids & school", "pets"],  # the defaults are not stored again
        "monthly_limit": 250_50,
        "category_limits": {"pets": 40_00},
        "thresholds": [50, 90],
        "category_names": {"kids & school": "Kids & School", "pets": "pets"},  # shown as written
    }
    assert decided.digest_timer is None


def test_an_empty_monthly_limit_removes_it_and_limits_merge_with_those_stored() -> None:
    decided = plan(DOLLARS, {"monthly_limit": "", "category_limits": {"dining": "30.00"}})

    assert decided.changes == {"monthly_limit": None, "category_limits": {"groceries": 80_00, "dining": 30_00}}


def test_the_digest_timer_moves_with_the_preference_or_the_time_zone_only() -> None:
    assert plan(Settings(), {"digest": "weekly"}).digest_timer == ("weekly", "UTC")
    assert plan(Settings(), {"timezone": "Europe/Amsterdam"}).digest_timer == ("monthly", "Europe/Amsterdam")
    assert plan(Settings(), {"digest": "off"}).digest_timer == ("off", "UTC")  # applying it deletes the timer
    assert plan(Settings(), {"digest": "monthly", "timezone": "UTC"}).digest_timer is None  # sent, but the same
    assert plan(Settings(), {"alert_thresholds": [70]}).digest_timer is None


def test_one_bad_field_is_refused_as_itself_and_nothing_else_is_planned() -> None:
    refused = refusal(Settings(), {"digest": "daily", "alert_thresholds": [90]})

    assert type(refused) is PennydeskError
    assert (refused.field, refused.message) == ("digest", "Choose one of: weekly, monthly, off.")


def test_every_bad_field_is_collected_and_the_first_answers() -> None:
    refused = refusal(Settings(), {
        "categories": ["ok", "!bad"], "monthly_limit": "ten", "category_limits": {"yachts": "5000.00"},
        "alert_thresholds": [0], "digest": "daily", "timezone": "Mars/Olympus_Mons",
    })

    assert isinstance(refused, Refused)
    assert [r.field for r in refused.refusals] == [
        "categories", "monthly_limit", "category_limits.yachts", "alert_thresholds", "digest", "timezone",
    ]
    assert (refused.field, refused.status) == ("categories", 422)
    assert refused.message == "'!bad' is not a usable category name (1-30 letters, digits, spaces, & ' _ -)."


def test_a_new_category_can_be_given_a_limit_in_the_same_change() -> None:
    decided = plan(Settings(), {"categories": ["pets"], "category_limits": {"pets": "40.00"}})

    assert decided.changes["category_limits"] == {"pets": 40_00}
    assert refusal(Settings(), {"category_limits": {"pets": "40.00"}}).field == "category_limits.pets"


def test_more_than_thirty_categories_of_ones_own_are_refused() -> None:
    refused = refusal(Settings(), {"categories": [f"c{i}" for i in range(31)]})

    assert (refused.field, refused.message) == ("categories", "Keep to 30 categories of your own.")


def test_the_currency_changes_only_before_the_first_expense() -> None:
    assert plan(Settings(), {"currency": "EUR"}).changes == {"currency": "EUR"}

    refused = refusal(Settings(), {"currency": "EUR"}, expenses_recorded=True)

    assert isinstance(refused, Conflict) and (refused.status, refused.field) == (409, "currency")


def test_an_unknown_currency_is_refused_and_no_amount_is_read_in_it() -> None:
    refused = refusal(DOLLARS, {"currency": "XYZ", "monthly_limit": "10"})

    assert (type(refused), refused.field) == (PennydeskError, "currency")


def test_a_new_currency_asks_for_every_limit_again_and_never_rereads_one() -> None:
    assert refusal(DOLLARS, {"currency": "JPY", "category_limits": {"groceries": "12000"}}).field == "monthly_limit"
    assert refusal(DOLLARS, {"currency": "JPY", "monthly_limit": "15000"}).field == "category_limits"
    missing = refusal(DOLLARS, {"currency": "JPY", "monthly_limit": "15000", "category_limits": {"dining": "9"}})
    assert missing.message == "Give the limit for groceries again in JPY, or null to remove it."

    moved = plan(DOLLARS, {"currency": "JPY", "monthly_limit": "15000", "category_limits": {"groceries": None}})

    assert moved.changes == {"monthly_limit": 15000, "category_limits": {}, "currency": "JPY"}


def test_amounts_are_read_in_the_currency_asked_for() -> None:
    refused = refusal(Settings(), {"currency": "JPY", "monthly_limit": "100.50"})

    assert (refused.field, refused.message) == ("monthly_limit", "JPY amounts have no decimals.")


@pytest.mark.parametrize("thresholds", [[], [0], [501], [-20], [10, 20, 30, 40, 50, 60], None])
def test_alert_thresholds_are_one_to_five_percentages_from_1_to_500(thresholds: Any) -> None:
    refused = refusal(Settings(), {"alert_thresholds": thresholds})

    assert (refused.field, refused.message) == (
        "alert_thresholds", "Give 1 to 5 thresholds, each a percent from 1 to 500.")
