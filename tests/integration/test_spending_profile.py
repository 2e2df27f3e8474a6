"""A person signs in with an emailed link and gets a spending account with sane defaults they can change."""

from __future__ import annotations

from datetime import UTC, datetime

from pennydesk.spending import account

from infra.local.engine import LocalStack
from tests.support.actors import signed_in


def test_first_sign_in_creates_an_account_with_defaults(stack: LocalStack) -> None:
    assert account.find("maya@example.com") is None

    maya = signed_in(stack, "maya@example.com")

    me = maya.me()
    assert me["email"] == "maya@example.com"
    assert me["currency"] == "USD" and me["decimals"] == 2
    assert me["monthly_limit"] is None
    assert me["category_limits"] == {}
    assert me["alert_thresholds"] == [80, 100]
    assert me["digest"] == "monthly"
    assert me["timezone"] == "UTC"
    assert me["categories"] == list(account.DEFAULT_CATEGORIES)
    assert {"groceries", "dining", "transport", "other"} <= set(me["categories"])
    assert me["custom_categories"] == []


def test_signing_in_again_with_other_capitals_opens_the_same_account(stack: LocalStack) -> None:
    first = signed_in(stack, "Maya@Example.com")
    first.settle(digest="weekly")
    first.add("4.50", "dining")

    again = signed_in(stack, "maya@example.com")

    assert again.me()["digest"] == "weekly"
    assert [e["amount"] for e in again.listing("2026-10")] == ["4.50"]


def test_changing_one_setting_leaves_the_others_alone(stack: LocalStack) -> None:
    maya = signed_in(stack, "maya@example.com")
    before = maya.settle(monthly_limit="500.00", timezone="Europe/Paris")

    after = maya.settle(digest="weekly")

    assert after == {**before, "digest": "weekly"}
    assert maya.me() == after


def test_limits_round_trip_with_the_currencys_decimals(stack: LocalStack) -> None:
    maya = signed_in(stack, "maya@example.com")

    me = maya.settle(monthly_limit="1250.5", category_limits={"groceries": "300", "dining": "80.25"})

    assert me["monthly_limit"] == "1250.50"
    assert me["category_limits"] == {"dining": "80.25", "groceries": "300.00"}
    assert maya.me() == me


def test_null_removes_a_limit(stack: LocalStack) -> None:
    maya = signed_in(stack, "maya@example.com")
    maya.settle(monthly_limit="900.00", category_limits={"groceries": "300.00", "dining": "80.00"})

    me = maya.settle(monthly_limit=None, category_limits={"groceries": None, "dining": "80.00"})

    assert me["monthly_limit"] is None
    assert me["category_limits"] == {"dining": "80.00"}
    assert maya.report("2026-10")["limit"] is None


def test_setting_one_category_limit_keeps_the_others(stack: LocalStack) -> None:
    # "Send only what changes ... null removes one": a limit not mentioned is not a limit removed.
    maya = signed_in(stack, "maya@example.com")
    maya.settle(category_limits={"groceries": "300.00", "dining": "80.00"})

    me = maya.settle(category_limits={"dining": "95.00"})

    assert me["category_limits"] == {"dining": "95.00", "groceries": "300.00"}


def test_own_categories_sit_beside_the_defaults_and_take_limits_and_expenses(stack: LocalStack) -> None:
    maya = signed_in(stack, "maya@example.com")

    me = maya.settle(categories=["Pets", "kids & school", "pets"], category_limits={"pets": "40.00"})

    assert me["custom_categories"] == ["pets", "kids & school"]
    assert me["categories"] == [*account.DEFAULT_CATEGORIES, "pets", "kids & school"]
    assert me["category_limits"] == {"pets": "40.00"}
    maya.add("12.00", "pets")
    maya.add("3.00", "kids & school")
    report = maya.report("2026-10")
    assert {c["category"]: (c["total"], c["limit"]) for c in report["categories"]} == {
        "pets": ("12.00", "40.00"),
        "kids & school": ("3.00", None),
    }


def test_a_limit_for_a_category_that_does_not_exist_is_refused_by_name(stack: LocalStack) -> None:
    maya = signed_in(stack, "maya@example.com")
    before = maya.me()

    refused = maya.change(digest="off", category_limits={"groceries": "100.00", "yachts": "5000.00"})

    assert refused.status == 422
    assert [e["field"] for e in refused.json()["errors"]] == ["category_limits.yachts"]
    assert maya.me() == before  # nothing half-applied


def test_a_badly_written_limit_names_its_category(stack: LocalStack) -> None:
    maya = signed_in(stack, "maya@example.com")

    refused = maya.change(category_limits={"dining": "80.125"})

    assert refused.status == 422
    assert refused.json()["errors"][0]["field"] == "category_limits.dining"
    assert maya.me()["category_limits"] == {}


def test_a_limit_of_zero_or_below_is_refused(stack: LocalStack) -> None:
    maya = signed_in(stack, "maya@example.com")

    for bad in ("0", "-10.00", "ten", "1e3"):
        refused = maya.change(monthly_limit=bad)
        assert refused.status == 422, bad
        assert refused.json()["errors"][0]["field"] == "monthly_limit", bad
    assert maya.me()["monthly_limit"] is None


def test_a_limit_sent_as_a_json_number_is_refused(stack: LocalStack) -> None:
    maya = signed_in(stack, "maya@example.com")

    refused = maya.change(monthly_limit=100.1)

    assert refused.status == 422
    assert refused.json()["errors"][0]["field"] == "monthly_limit"


def test_time_zone_must_be_a_real_one(stack: LocalStack) -> None:
    maya = signed_in(stack, "maya@example.com")

    for bad in ("Mars/Olympus_Mons", "../../etc/passwd", "", "GMT+25"):
        refused = maya.change(timezone=bad)
        assert refused.status == 422, bad
        assert refused.json()["errors"][0]["field"] == "timezone", bad
    assert maya.me()["timezone"] == "UTC"
    assert maya.settle(timezone="America/Argentina/Buenos_Aires")["timezone"] == "America/Argentina/Buenos_Aires"


def test_alert_thresholds_are_one_to_five_percentages(stack: LocalStack) -> None:
    maya = signed_in(stack, "maya@example.com")

    assert maya.settle(alert_thresholds=[90, 50, 50])["alert_thresholds"] == [50, 90]
    for bad in ([], [0], [501], [-20], [10, 20, 30, 40, 50, 60], [80.5], ["eighty"], None):
        refused = maya.change(alert_thresholds=bad)
        assert refused.status == 422, bad
        assert refused.json()["errors"][0]["field"].startswith("alert_thresholds"), bad
    assert maya.me()["alert_thresholds"] == [50, 90]


def test_digest_is_weekly_monthly_or_off(stack: LocalStack) -> None:
    maya = signed_in(stack, "maya@example.com")

    assert maya.settle(digest="off")["digest"] == "off"
    refused = maya.change(digest="daily")
    assert refused.status == 422 and refused.json()["errors"][0]["field"] == "digest"


def test_unknown_fields_are_refused(stack: LocalStack) -> None:
    maya = signed_in(stack, "maya@example.com")

    refused = maya.change(email="someone-else@example.com")

    assert refused.status == 422
    assert refused.json()["errors"][0]["field"] == "email"
    assert maya.me()["email"] == "maya@example.com"


def test_currency_can_change_until_the_first_expense(stack: LocalStack) -> None:
    maya = signed_in(stack, "maya@example.com")

    assert maya.settle(currency="EUR")["currency"] == "EUR"
    assert maya.settle(currency="USD")["currency"] == "USD"
    maya.add("9.99", "dining")

    refused = maya.change(currency="EUR")

    assert refused.status == 409
    assert refused.json()["errors"][0]["field"] == "currency"
    assert maya.me()["currency"] == "USD"


def test_currency_can_change_again_once_every_expense_is_deleted(stack: LocalStack) -> None:
    maya = signed_in(stack, "maya@example.com")
    maya.remove(maya.add("9.99", "dining"))

    assert maya.settle(currency="GBP")["currency"] == "GBP"


def test_an_unknown_currency_is_refused(stack: LocalStack) -> None:
    maya = signed_in(stack, "maya@example.com")

    for bad in ("XYZ", "usd", "DOLLARS"):
        refused = maya.change(currency=bad)
        assert refused.status == 422, bad
        assert refused.json()["errors"][0]["field"] == "currency", bad
    assert maya.me()["currency"] == "USD"


def test_changing_currency_asks_for_the_monthly_limit_again(stack: LocalStack) -> None:
    maya = signed_in(stack, "maya@example.com")
    maya.settle(monthly_limit="100.00")

    refused = maya.change(currency="JPY")
    moved = maya.settle(currency="JPY", monthly_limit="15000")

    assert refused.status == 422 and refused.json()["errors"][0]["field"] == "monthly_limit"
    assert moved["currency"] == "JPY" and moved["monthly_limit"] == "15000"


def test_changing_currency_never_reinterprets_a_category_limit(stack: LocalStack) -> None:
    # 80.00 dollars are 8000 cents; the same integer read as yen would be an 8000 yen budget.
    maya = signed_in(stack, "maya@example.com")
    maya.settle(category_limits={"groceries": "80.00"})

    refused = maya.change(currency="JPY")
    me = maya.me()

    assert refused.status == 422, refused.body
    assert refused.json()["errors"][0]["field"] == "category_limits"
    assert (me["currency"], me["category_limits"]) == ("USD", {"groceries": "80.00"})
    moved = maya.settle(currency="JPY", category_limits={"groceries": "12000"})
    assert moved["category_limits"] == {"groceries": "12000"}


def test_a_yen_account_shows_whole_yen_everywhere(stack: LocalStack) -> None:
    stack.advance_clock(datetime(2031, 10, 2, 12, 0, tzinfo=UTC))  # a month's report shows the limit it had
    kenji = signed_in(stack, "kenji@example.jp")

    me = kenji.settle(currency="JPY", monthly_limit="150000", category_limits={"dining": "30000"})
    lunch = kenji.add("1200", "dining", "2031-10-15")
    refused = kenji.call("POST", "/api/expenses", body={"amount": "1200.5", "category": "dining", "date": "2026-10-02"})

    assert (me["decimals"], me["monthly_limit"], me["category_limits"]) == (0, "150000", {"dining": "30000"})
    assert (lunch["amount"], lunch["currency"]) == ("1200", "JPY")
    assert refused.status == 422 and refused.json()["errors"][0]["field"] == "amount"
    report = kenji.report("2031-10")
    assert (report["currency"], report["total"], report["limit"]) == ("JPY", "1200", "150000")
    assert report["categories"] == [{"category": "dining", "total": "1200", "limit": "30000", "percent_used": 4.0}]


def test_a_dinar_account_keeps_three_decimals(stack: LocalStack) -> None:
    stack.advance_clock(datetime(2031, 10, 2, 12, 0, tzinfo=UTC))  # a month's report shows the limit it had
    fatima = signed_in(stack, "fatima@example.com")
    fatima.settle(currency="KWD", monthly_limit="250")

    fatima.add("1.250", "transport", "2031-10-15")
    fatima.add("0.005", "transport", "2031-10-15")

    report = fatima.report("2031-10")
    assert (report["total"], report["limit"]) == ("1.255", "250.000")
    assert sorted(e["amount"] for e in fatima.listing("2031-10")) == ["0.005", "1.250"]
