"""Recurring expenses: rent on the 31st, a weekly gym class. Each occurrence is created once, on its day in the
person's time zone, however often the timer fires or its message is delivered; a missed run catches up; the
running totals stay the sum of the expenses; changing the series changes what comes next, not what was."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import boto3
import pytest

from infra.local.engine import REGION, LocalStack
from tests.support.actors import Spender, signed_in
from tests.support.faults import FaultInjector, assert_totals_match_expenses, touches
from tests.support.identity import sign_in

START = datetime(2031, 1, 20, 9, 0, tzinfo=UTC)


def series(spender: Spender, **terms: Any) -> dict[str, Any]:
    body = {"amount": "950.00", "category": "housing", "every": "month", "start": "2031-01-31", "payee": "Landlord",
            **terms}
    created = spender.call("POST", "/api/recurring", body=body)
    assert created.status == 201, created.body
    return created.json()


def run(spender: Spender, moment: datetime) -> None:
    """A scheduled run at `moment`; the person signs in again afterwards (weeks pass, sessions end)."""
    spender.stack.run_schedule(moment)
    spender.session = sign_in(spender.stack, spender.email)


def listed(spender: Spender, month: str) -> list[dict[str, Any]]:
    return sorted((e for page in spender.pages(month) for e in page), key=lambda e: e["date"])


def occurrences(spender: Spender, series_id: str, *months: str) -> list[str]:
    return [e["date"] for m in months for e in listed(spender, m) if e["recurring_id"] == series_id]


def recurring_timers(stack: LocalStack, spender: Spender) -> list[dict[str, Any]]:
    from pennydesk.spending import account

    profile = account.find(spender.email)
    assert profile is not None
    items = boto3.client("dynamodb", region_name=REGION).query(
        TableName="SpendingTable", KeyConditionExpression="pk = :pk AND begins_with(sk, :sk)", ConsistentRead=True,
        ExpressionAttributeValues={":pk": {"S": f"TIMERS#USER#{profile.user_id}"}, ":sk": {"S": "TIMER#recurring#"}},
    )["Items"]
    return [{k: next(iter(v.values())) for k, v in item.items()} for item in items]


def test_rent_on_the_31st_lands_on_the_last_day_of_short_months_once_each(stack: LocalStack) -> None:
    stack.advance_clock(START)
    maya = signed_in(stack, "maya@example.com")
    rent = series(maya)
    assert (rent["next"], rent["every"], rent["end"]) == ("2031-01-31", "month", None)

    run(maya, datetime(2031, 1, 31, 5, 55, tzinfo=UTC))  # before 06:00 on its day
    assert occurrences(maya, rent["id"], "2031-01") == []
    run(maya, datetime(2031, 1, 31, 6, 5, tzinfo=UTC))
    run(maya, datetime(2031, 1, 31, 6, 5, tzinfo=UTC))  # EventBridge delivers the same run again
    run(maya, datetime(2031, 2, 28, 6, 5, tzinfo=UTC))
    run(maya, datetime(2031, 3, 1, 6, 5, tzinfo=UTC))

    assert occurrences(maya, rent["id"], "2031-01", "2031-02", "2031-03") == ["2031-01-31", "2031-02-28"]
    assert maya.report("2031-02")["total"] == "950.00"
    (listed_rent,) = maya.call("GET", "/api/recurring").json()["recurring"]
    assert listed_rent["next"] == "2031-03-31"
    (timer,) = recurring_timers(stack, maya)
    assert timer["fire_at"] == "2031-03-31T06:00:00Z"
    assert_totals_match_expenses()


def test_the_day_is_the_persons_own_and_a_missed_month_catches_up(stack: LocalStack) -> None:
    stack.advance_clock(START)
    kai = signed_in(stack, "kai@example.com")
    kai.settle(timezone="Pacific/Auckland")  # UTC+13 in summer: 06:00 on the 1st is 17:00 UTC on the 31st
    phone = series(kai, amount="30.00", category="utilities", start="2031-02-01", payee="Phone")

    run(kai, datetime(2031, 1, 31, 17, 5, tzinfo=UTC))
    assert occurrences(kai, phone["id"], "2031-02") == ["2031-02-01"]
    run(kai, datetime(2031, 5, 10, 12, 0, tzinfo=UTC))  # nothing ran in March and April
    assert occurrences(kai, phone["id"], "2031-03", "2031-04", "2031-05") == ["2031-03-01", "2031-04-01",
                                                                            "2031-05-01"]
    assert [kai.report(m)["total"] for m in ("2031-03", "2031-04", "2031-05")] == ["30.00"] * 3
    assert_totals_match_expenses()


def test_a_redelivered_run_stores_each_occurrence_once_and_totals_stay_right(
    stack: LocalStack, faults: FaultInjector
) -> None:
    stack.advance_clock(START)
    maya = signed_in(stack, "maya@example.com")
    gym = series(maya, amount="12.50", category="health", every="week", start="2031-01-06", payee="Gym")  # Mondays
    # The run stores the occurrences, then fails moving the series on: the message comes back and runs again.
    moves = faults.add("dynamodb.InternalServerError", "dynamodb", "TransactWriteItems", "InternalServerError",
                       status=500, times=2, when=lambda p: touches("SpendingTable")(p) and any(
                           "SERIES#" in str(item) for item in p["TransactItems"]))

    run(maya, datetime(2031, 1, 27, 7, 0, tzinfo=UTC))

    assert moves.hits == 2  # the first delivery and its retry failed; the third finished
    assert occurrences(maya, gym["id"], "2031-01") == ["2031-01-06", "2031-01-13", "2031-01-20", "2031-01-27"]
    assert maya.report("2031-01")["total"] == "50.00"
    assert maya.call("GET", "/api/recurring").json()["recurring"][0]["next"] == "2031-02-03"
    assert_totals_match_expenses()


def test_changing_the_series_changes_whats_next_and_editing_an_occurrence_changes_only_it(
    stack: LocalStack,
) -> None:
    stack.advance_clock(START)
    maya = signed_in(stack, "maya@example.com")
    rent = series(maya, start="2031-01-25", end="2031-06-30")
    run(maya, datetime(2031, 1, 25, 6, 5, tzinfo=UTC))
    (january,) = listed(maya, "2031-01")

    edited = maya.edit(january, amount="900.00", note="discount this month")
    assert edited["recurring_id"] == rent["id"]
    changed = maya.call("PUT", f"/api/recurring/{rent['id']}", body={
        "amount": "1000.00", "category": "housing", "every": "month", "start": "2031-01-28", "end": "2031-03-31",
        "payee": "Landlord"})
    assert changed.status == 200, changed.body
    assert changed.json()["next"] == "2031-02-28"  # from the next occurrence (25 February) on, on the new day
    run(maya, datetime(2031, 4, 30, 6, 5, tzinfo=UTC))

    assert [(e["date"], e["amount"]) for m in ("2031-01", "2031-02", "2031-03", "2031-04")
            for e in listed(maya, m)] == [("2031-01-25", "900.00"), ("2031-02-28", "1000.00"),
                                          ("2031-03-28", "1000.00")]
    ended = maya.call("GET", "/api/recurring").json()["recurring"][0]
    assert ended["next"] is None and recurring_timers(stack, maya) == []

    assert maya.call("DELETE", f"/api/recurring/{rent['id']}").status == 204
    assert maya.call("GET", "/api/recurring").json()["recurring"] == []
    assert len(listed(maya, "2031-03")) == 1  # what the series created stays
    assert_totals_match_expenses()


def test_terms_that_cannot_work_are_refused_and_nothing_is_armed(stack: LocalStack) -> None:
    stack.advance_clock(START)
    maya = signed_in(stack, "maya@example.com")
    for terms, field in (
        ({"every": "day"}, "every"), ({"start": "2029-01-01"}, "start"), ({"end": "2031-01-01"}, "end"),
        ({"category": "caviar"}, "category"), ({"amount": "-5"}, "amount"), ({"start": "31.01.2031"}, "start"),
        ({"payee": "Land\u0000lord"}, "payee"), ({"end": "2031-02-30"}, "end"), ({"end": "2100-01-01"}, "end"),
    ):
        body = {"amount": "950.00", "category": "housing", "every": "month", "start": "2031-01-31", **terms}
        refused = maya.call("POST", "/api/recurring", body=body)
        assert refused.status == 422, (terms, refused.body)
        assert field in refused.body.decode(), (terms, refused.body)
    assert maya.call("GET", "/api/recurring").json()["recurring"] == []
    assert recurring_timers(stack, maya) == []
    contract = series(maya, start="2031-02-01", end="2033-01-31", payee="Phone contract")  # years ahead is fine
    assert contract["end"] == "2033-01-31"
    assert maya.call("PUT", f"/api/recurring/{'0' * 32}", body={
        "amount": "1.00", "category": "housing", "every": "month", "start": "2031-01-31"}).status == 404


def test_the_cap_counts_series_that_predate_its_counter_and_a_deletion_makes_room(
    stack: LocalStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pennydesk.spending import account, recurring

    monkeypatch.setattr(recurring, "MAX_SERIES", 3)
    stack.advance_clock(START)
    maya = signed_in(stack, "maya@example.com")
    made = [series(maya, payee=f"Landlord {n}") for n in range(3)]
    profile = account.find(maya.email)
    assert profile is not None
    # As stored before the counter existed: the series, and no SERIES item.
    boto3.client("dynamodb", region_name=REGION).delete_item(
        TableName="SpendingTable", Key={"pk": {"S": f"USER#{profile.user_id}"}, "sk": {"S": "SERIES"}}
    )

    over = maya.call("POST", "/api/recurring", body={"amount": "9.99", "category": "housing", "every": "month",
                                                       "start": "2031-01-31"})
    assert over.status == 422 and over.json()["message"] == "Keep to 3 recurring expenses.", over.body
    assert maya.call("DELETE", f"/api/recurring/{made[0]['id']}").status == 204
    series(maya, payee="Phone")  # room again
    again = maya.call("POST", "/api/recurring", body={"amount": "9.99", "category": "housing", "every": "month",
                                                        "start": "2031-01-31"})
    assert again.status == 422, again.body
    assert len(maya.call("GET", "/api/recurring").json()["recurring"]) == 3
