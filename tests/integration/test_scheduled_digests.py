"""Spending digests: Monday morning or the 1st, in the user's own time zone, once per period, and only
for people who spent something."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import boto3

from infra.local.engine import REGION, LocalStack
from tests.support.actors import Spender, signed_in
from tests.support.identity import sign_in
from tests.support.outbox import outbox_for

# A Wednesday. Europe/Paris is on winter time (UTC+1) until 30 March 2031; Auckland on summer time (UTC+13).
START = datetime(2031, 3, 5, 10, 0, tzinfo=UTC)
PARIS_MONDAY_8AM = datetime(2031, 3, 10, 7, 0, tzinfo=UTC)
AUCKLAND_MONDAY_8AM = datetime(2031, 3, 9, 19, 0, tzinfo=UTC)
WEEK = "Mar 3 \u2013 9, 2031"  # CLDR writes a week as a range with an en dash, as the digest does
DIGEST_SUBJECT = re.compile(r"^Your (week|[A-Z][a-z]+ \d{4}): ")


def at(moment: datetime, minutes: int) -> datetime:
    from datetime import timedelta

    return moment + timedelta(minutes=minutes)


def digests(stack: LocalStack, address: str) -> list[dict[str, Any]]:
    return [m for m in outbox_for(stack, address) if DIGEST_SUBJECT.match(m["subject"])]


def digest_timer(email: str) -> dict[str, Any] | None:
    from pennydesk.spending import account

    profile = account.find(email)
    assert profile is not None
    item = boto3.client("dynamodb", region_name=REGION).get_item(
        TableName="SpendingTable", Key={"pk": {"S": f"TIMERS#USER#{profile.user_id}"}, "sk": {"S": "TIMER#digest"}},
        ConsistentRead=True,
    ).get("Item")
    return {k: next(iter(v.values())) for k, v in item.items()} if item else None


def weekly_spender(stack: LocalStack, email: str, timezone: str) -> Spender:
    spender = signed_in(stack, email)
    spender.settle(digest="weekly", timezone=timezone, monthly_limit="100.00",
                   category_limits={"groceries": "50.00", "dining": "45.00"})
    return spender


def test_an_over_budget_user_gets_one_weekly_digest_on_monday_and_none_on_tuesday(stack: LocalStack) -> None:
    stack.advance_clock(START)
    maya = weekly_spender(stack, "maya@example.com", "Europe/Paris")
    maya.add("30.00", "transport", "2031-02-26")  # the week before
    maya.add("80.00", "groceries", "2031-03-03")  # Monday of the week reported
    maya.add("40.00", "dining", "2031-03-09")  # its Sunday
    maya.add("7.00", "dining", "2031-03-10")  # the Monday of the digest: next week's

    stack.run_schedule(at(PARIS_MONDAY_8AM, -5))  # 07:55 in Paris
    assert digests(stack, maya.email) == []

    stack.run_schedule(at(PARIS_MONDAY_8AM, 5))
    stack.run_schedule(at(PARIS_MONDAY_8AM, 5))  # the same run again
    stack.run_schedule(at(PARIS_MONDAY_8AM, 10))
    stack.run_schedule(datetime(2031, 3, 11, 7, 5, tzinfo=UTC))  # Tuesday

    (digest,) = digests(stack, maya.email)
    assert digest["subject"] == f"Your week: $120.00 spent ({WEEK})"
    text = digest["text"]
    assert "That's $90.00 more than the week before ($30.00, +300%)" in text
    assert "Budget for March 2031 so far: $127.00 of $100.00 (127%) - over budget" in text
    assert "- Groceries: $80.00 of $50.00 (160%) - over" in text
    assert "- Dining: $47.00 of $45.00 (104.4%) - over" in text
    assert "transport" not in text
    html = digest["html"]
    assert "<script" not in html.lower() and "<img" not in html.lower() and "url(" not in html
    bars = re.findall(r'<table role="presentation" width="(\d+)%"', html)
    assert "100" in bars and "50" in bars  # groceries 80.00 is the longest bar, dining 40.00 half of it
    assert 'bgcolor="#b42318"' in html  # over-limit categories are drawn red
    assert digest_timer(maya.email)["due_at"] == "2031-03-17T07:00:00Z"  # next Monday, 08:00 in Paris


def test_each_user_gets_it_at_eight_on_monday_where_they_live(stack: LocalStack) -> None:
    stack.advance_clock(START)
    paris = weekly_spender(stack, "paris@example.com", "Europe/Paris")
    auckland = weekly_spender(stack, "auckland@example.com", "Pacific/Auckland")
    paris.add("12.00", "groceries", "2031-03-04")
    auckland.add("15.00", "groceries", "2031-03-04")

    stack.run_schedule(at(AUCKLAND_MONDAY_8AM, -5))
    assert digests(stack, auckland.email) == []
    stack.run_schedule(at(AUCKLAND_MONDAY_8AM, 5))  # Monday 08:05 in Auckland, Sunday 20:05 in Paris
    assert len(digests(stack, auckland.email)) == 1 and digests(stack, paris.email) == []

    stack.run_schedule(at(PARIS_MONDAY_8AM, 5))
    assert len(digests(stack, auckland.email)) == 1 and len(digests(stack, paris.email)) == 1
    # The same local week for both, ending at a different moment in UTC.
    assert f"({WEEK})" in digests(stack, auckland.email)[0]["subject"]
    assert f"({WEEK})" in digests(stack, paris.email)[0]["subject"]


def test_nobody_who_spent_nothing_gets_a_digest(stack: LocalStack) -> None:
    stack.advance_clock(START)
    idle = weekly_spender(stack, "idle@example.com", "UTC")
    idle.add("25.00", "groceries", "2031-02-20")  # long before the week reported

    stack.run_schedule(datetime(2031, 3, 10, 8, 5, tzinfo=UTC))
    stack.run_schedule(datetime(2031, 3, 17, 8, 5, tzinfo=UTC))

    assert digests(stack, idle.email) == []
    assert digest_timer(idle.email)["due_at"] == "2031-03-24T08:00:00Z"  # still armed for the next week


def test_a_monthly_digest_on_the_first_reports_the_month_just_ended(stack: LocalStack) -> None:
    stack.advance_clock(datetime(2031, 2, 20, 9, 0, tzinfo=UTC))
    lee = signed_in(stack, "lee@example.com")  # the default: monthly, UTC
    assert lee.me()["digest"] == "monthly"
    lee.settle(category_limits={"groceries": "250.00"})
    lee.add("100.00", "groceries", "2031-01-15")
    lee.add("200.00", "groceries", "2031-02-10")
    lee.add("5.00", "dining", "2031-03-01")  # March: not in February's digest

    stack.run_schedule(datetime(2031, 3, 1, 7, 55, tzinfo=UTC))
    assert digests(stack, lee.email) == []
    stack.run_schedule(datetime(2031, 3, 1, 8, 5, tzinfo=UTC))
    stack.run_schedule(datetime(2031, 3, 2, 8, 5, tzinfo=UTC))

    (digest,) = digests(stack, lee.email)
    assert digest["subject"] == "Your February 2031: $200.00 spent"
    assert "$100.00 more than the month before ($100.00, +100%)" in digest["text"]
    assert "- Groceries: $200.00 of $250.00 (80%)" in digest["text"]  # near its limit
    assert "Budget for" not in digest["text"]  # no overall limit set
    assert digest_timer(lee.email)["due_at"] == "2031-04-01T08:00:00Z"


def test_turning_digests_off_removes_the_timer_and_on_again_brings_it_back(stack: LocalStack) -> None:
    stack.advance_clock(START)
    kim = weekly_spender(stack, "kim@example.com", "UTC")
    kim.add("10.00", "groceries", "2031-03-04")
    kim.settle(digest="off")
    assert digest_timer(kim.email) is None

    stack.run_schedule(datetime(2031, 3, 10, 8, 5, tzinfo=UTC))
    assert digests(stack, kim.email) == []

    kim.settle(digest="weekly")
    assert digest_timer(kim.email)["due_at"] == "2031-03-17T08:00:00Z"
    kim.add("11.00", "groceries", "2031-03-12")
    stack.run_schedule(datetime(2031, 3, 17, 8, 5, tzinfo=UTC))
    (digest,) = digests(stack, kim.email)
    assert "$11.00 spent" in digest["subject"]


def test_an_account_without_a_digest_timer_gets_one_when_it_signs_in(stack: LocalStack) -> None:
    from pennydesk.spending import account

    stack.advance_clock(START)
    signed_in(stack, "old@example.com")
    profile = account.find("old@example.com")
    assert profile is not None
    boto3.client("dynamodb", region_name=REGION).delete_item(  # as an account from before digests has it
        TableName="SpendingTable", Key={"pk": {"S": f"TIMERS#USER#{profile.user_id}"}, "sk": {"S": "TIMER#digest"}}
    )
    assert digest_timer("old@example.com") is None

    sign_in(stack, "old@example.com")

    assert digest_timer("old@example.com")["due_at"] == "2031-04-01T08:00:00Z"  # monthly, the default
