"""When a month's spending reaches 80 % and then 100 % of a budget, the person hears once for each, and only once."""

from __future__ import annotations

import random
from typing import Any

from infra.event_filter import matches
from infra.local.engine import LocalStack
from tests.support.actors import Spender, signed_in
from tests.support.outbox import outbox_for
from tests.support.records import stream_records

OCTOBER, NOVEMBER = "2026-10", "2026-11"


def alerts_to(stack: LocalStack, spender: Spender) -> list[dict[str, Any]]:
    """Every budget alert in the person's mailbox once the stream has caught up, oldest first."""
    stack.drain()
    return [m for m in outbox_for(stack, spender.email) if "budget" in m["subject"]]


def subjects(stack: LocalStack, spender: Spender) -> list[str]:
    return [m["subject"] for m in alerts_to(stack, spender)]


def spending_stream_records(stack: LocalStack) -> list[dict[str, Any]]:
    """Every record on the spending table's stream that the function's filter lets through, as Lambda sends them."""
    arn = stack.resolved["SpendingTable"]["StreamArn"]
    mapping = next(m for m in stack.streams if m.stream_arn == arn)
    records = stream_records(stack, "SpendingTable")
    return [r for r in records if any(matches(p, r) for p in mapping.filters)]


def redeliver(stack: LocalStack, records: list[dict[str, Any]]) -> None:
    """Hand the function the same records again, in batches of the template's size, as a retried shard would."""
    for start in range(0, len(records), 25):
        result = stack.invoke("SpendingStreamFunction", {"Records": records[start:start + 25]})
        assert result == {"batchItemFailures": []}


def test_overall_budget_alerts_at_80_and_100_percent_once_each(stack: LocalStack) -> None:
    maya = signed_in(stack, "maya@example.com")
    maya.settle(monthly_limit="100.00")

    maya.add("50.00", "groceries", "2026-10-02")
    assert subjects(stack, maya) == []

    maya.add("30.00", "dining", "2026-10-09")  # exactly 80 %: "reaches" means total >= threshold
    assert subjects(stack, maya) == ["80% of your overall budget used for October 2026"]

    maya.add("25.00", "transport", "2026-10-15")
    assert len(subjects(stack, maya)) == 2
    reached = alerts_to(stack, maya)[-1]
    assert "reached your overall budget" in reached["subject"] and "October 2026" in reached["subject"]
    assert "$105.00" in reached["text"] and "$100.00" in reached["text"] and "$5.00 over" in reached["text"]

    maya.add("10.00", "health", "2026-10-20")
    assert len(subjects(stack, maya)) == 2


def test_going_under_and_back_over_a_threshold_does_not_alert_again(stack: LocalStack) -> None:
    maya = signed_in(stack, "maya@example.com")
    maya.settle(monthly_limit="100.00")
    big = maya.add("85.00", "housing", "2026-10-01")
    assert len(subjects(stack, maya)) == 1

    small = maya.edit(big, amount="40.00")
    assert len(subjects(stack, maya)) == 1
    maya.edit(small, amount="90.00")
    maya.remove(maya.add("5.00", "dining", "2026-10-05"))

    assert subjects(stack, maya) == ["80% of your overall budget used for October 2026"]


def test_a_category_budget_alerts_on_its_own(stack: LocalStack) -> None:
    maya = signed_in(stack, "maya@example.com")
    maya.settle(monthly_limit="1000.00", category_limits={"dining": "50.00"})

    maya.add("300.00", "groceries", "2026-10-01")
    assert subjects(stack, maya) == []

    maya.add("40.00", "dining", "2026-10-03")
    assert subjects(stack, maya) == ['80% of your "Dining" budget used for October 2026']

    maya.add("10.00", "dining", "2026-10-04")
    maya.add("450.00", "housing", "2026-10-05")  # overall 800.00 of 1000.00: the overall 80 % too
    assert subjects(stack, maya) == [
        '80% of your "Dining" budget used for October 2026',
        "You've reached your \"Dining\" budget for October 2026",
        "80% of your overall budget used for October 2026",
    ]


def test_one_expense_jumping_past_both_thresholds_sends_only_the_100_percent_alert(stack: LocalStack) -> None:
    maya = signed_in(stack, "maya@example.com")
    maya.settle(monthly_limit="100.00")

    maya.add("120.00", "travel", "2026-10-12")
    maya.add("5.00", "travel", "2026-10-13")

    assert subjects(stack, maya) == ["You've reached your overall budget for October 2026"]


def test_a_typo_corrected_before_the_alert_goes_out_does_not_bring_an_80_percent_alert_after_the_100(
    stack: LocalStack,
) -> None:
    # Both writes reach the stream before it runs: the 100 % alert for 120.00 goes out, and it already
    # stands for the 80 % threshold too, so the corrected 85.00 has nothing new to announce.
    maya = signed_in(stack, "maya@example.com")
    maya.settle(monthly_limit="100.00")

    typo = maya.add("120.00", "travel", "2026-10-12")
    maya.edit(typo, amount="85.00")

    assert subjects(stack, maya) == ["You've reached your overall budget for October 2026"]


def test_own_thresholds_are_respected(stack: LocalStack) -> None:
    maya = signed_in(stack, "maya@example.com")
    maya.settle(monthly_limit="100.00", alert_thresholds=[50, 90])

    maya.add("49.99", "groceries", "2026-10-01")
    assert subjects(stack, maya) == []
    maya.add("0.01", "groceries", "2026-10-02")
    assert subjects(stack, maya) == ["50% of your overall budget used for October 2026"]
    maya.add("39.99", "groceries", "2026-10-03")
    assert len(subjects(stack, maya)) == 1
    maya.add("0.01", "groceries", "2026-10-04")
    maya.add("100.00", "groceries", "2026-10-05")  # 190 %: 100 is not one of the chosen thresholds

    assert subjects(stack, maya) == [
        "50% of your overall budget used for October 2026",
        "90% of your overall budget used for October 2026",
    ]


def test_no_budget_means_no_alerts(stack: LocalStack) -> None:
    maya = signed_in(stack, "maya@example.com")

    maya.add("5000.00", "housing", "2026-10-01")

    assert subjects(stack, maya) == []


def test_redelivered_stream_records_send_nothing_more(stack: LocalStack) -> None:
    maya = signed_in(stack, "maya@example.com")
    maya.settle(monthly_limit="100.00", category_limits={"dining": "40.00"})
    for amount, category in (("50.00", "groceries"), ("32.00", "dining"), ("10.00", "dining"), ("10.00", "health")):
        maya.add(amount, category, "2026-10-10")
        stack.drain()
    sent = alerts_to(stack, maya)
    assert len(sent) == 4  # dining 80 and 100, overall 80 and 100
    mailed = len(stack.outbox())
    records = spending_stream_records(stack)
    assert records and all(r["dynamodb"]["Keys"]["sk"]["S"].startswith("TOTAL#") for r in records)

    redeliver(stack, records)
    shuffled = records[:]
    random.Random(3).shuffle(shuffled)  # noqa: S311 (a replayable order, not a secret)
    redeliver(stack, shuffled)  # stale images after fresh ones, as a bisected, retried batch can arrive

    assert alerts_to(stack, maya) == sent
    assert len(stack.outbox()) == mailed


def test_the_next_month_starts_fresh(stack: LocalStack) -> None:
    maya = signed_in(stack, "maya@example.com")
    maya.settle(monthly_limit="100.00")
    maya.add("100.00", "housing", "2026-10-01")
    assert len(subjects(stack, maya)) == 1

    maya.add("79.99", "housing", "2026-11-01")
    assert len(subjects(stack, maya)) == 1
    maya.add("0.01", "dining", "2026-11-02")

    assert subjects(stack, maya) == [
        "You've reached your overall budget for October 2026",
        "80% of your overall budget used for November 2026",
    ]


def test_moving_an_expense_into_a_month_alerts_that_month(stack: LocalStack) -> None:
    maya = signed_in(stack, "maya@example.com")
    maya.settle(monthly_limit="100.00")
    rent = maya.add("95.00", "housing", "2026-10-30")
    assert subjects(stack, maya) == ["80% of your overall budget used for October 2026"]

    maya.edit(rent, date="2026-11-01")
    assert subjects(stack, maya)[1:] == ["80% of your overall budget used for November 2026"]
    maya.add("10.00", "dining", "2026-11-02")

    assert subjects(stack, maya)[1:] == [
        "80% of your overall budget used for November 2026",
        "You've reached your overall budget for November 2026",
    ]


def test_alert_email_has_text_and_html_and_escapes_the_category(stack: LocalStack) -> None:
    maya = signed_in(stack, "maya@example.com")
    refused = maya.change(categories=["<b>bold</b>"])
    assert refused.status == 422 and refused.json()["errors"][0]["field"] == "categories"
    maya.settle(categories=["kids' toys & games"], category_limits={"kids' toys & games": "20.00"})

    maya.add("16.50", "kids' toys & games", "2026-10-07")

    [alert] = alerts_to(stack, maya)
    assert alert["to"] == ["maya@example.com"]
    assert alert["subject"] == "80% of your \"kids' toys & games\" budget used for October 2026"
    assert "kids' toys & games" in alert["text"]
    assert "$16.50" in alert["text"] and "$20.00" in alert["text"] and "$3.50" in alert["text"]
    assert "toys &amp; games" in alert["html"] and "toys & games" not in alert["html"]
    assert "<strong>$16.50</strong>" in alert["html"]
    assert "/spending/" in alert["text"] and "/spending/" in alert["html"]


def test_alerts_use_the_accounts_currency(stack: LocalStack) -> None:
    kenji = signed_in(stack, "kenji@example.jp")
    kenji.settle(currency="JPY", monthly_limit="50000")

    kenji.add("40000", "housing", "2026-10-01")

    [alert] = alerts_to(stack, kenji)
    assert "¥40,000" in alert["text"] and "¥50,000" in alert["text"] and "¥10,000" in alert["text"]
    assert "40,000.00" not in alert["text"] and "40000.00" not in alert["text"]
