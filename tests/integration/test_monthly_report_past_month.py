"""The monthly report of a past month shows that month's own overall limit (issue 15), as the trend does
(spending/budget_months): not today's budget, and none for a month that had none. budget_months keeps the
overall limit only, so category limits are today's in every month."""

from __future__ import annotations

from datetime import UTC, datetime

from infra.local.engine import LocalStack
from tests.support.actors import signed_in


def test_a_past_months_report_shows_the_limit_that_month_had(stack: LocalStack) -> None:
    stack.advance_clock(datetime(2031, 1, 10, 12, 0, tzinfo=UTC))
    maya = signed_in(stack, "maya@example.com")
    maya.add("40.00", "groceries", "2030-12-05")
    maya.add("450.00", "groceries", "2031-01-05")
    maya.settle(monthly_limit="500.00", category_limits={"groceries": "400.00"})  # January's budget
    stack.advance_clock(datetime(2031, 3, 2, 12, 0, tzinfo=UTC))
    maya = signed_in(stack, "maya@example.com")
    maya.add("300.00", "dining", "2031-02-05")
    maya.settle(monthly_limit="1000.00", category_limits={"groceries": "300.00"})  # March's, after a February at 500

    december, january, february, march = (maya.report(m) for m in ("2030-12", "2031-01", "2031-02", "2031-03"))

    assert (december["total"], december["limit"], december["percent_used"]) == ("40.00", None, None)
    assert (january["total"], january["limit"], january["percent_used"]) == ("450.00", "500.00", 90.0)
    assert (february["total"], february["limit"], february["percent_used"]) == ("300.00", "500.00", 60.0)
    assert (march["total"], march["limit"], march["percent_used"]) == ("0.00", "1000.00", 0.0)
    # Category limits have no history: every month shows today's.
    assert january["categories"][0] == {"category": "groceries", "total": "450.00", "limit": "300.00",
                                        "percent_used": 150.0}


def test_a_removed_limit_is_gone_from_later_months_only(stack: LocalStack) -> None:
    stack.advance_clock(datetime(2031, 5, 3, 12, 0, tzinfo=UTC))
    noor = signed_in(stack, "noor@example.com")
    noor.settle(monthly_limit="200.00")
    noor.add("50.00", "transport", "2031-05-04")
    stack.advance_clock(datetime(2031, 7, 1, 9, 0, tzinfo=UTC))
    noor = signed_in(stack, "noor@example.com")
    noor.settle(monthly_limit=None)  # none from July

    may, june, july = (noor.report(m) for m in ("2031-05", "2031-06", "2031-07"))

    assert (may["limit"], may["percent_used"]) == ("200.00", 25.0)
    assert june["limit"] == "200.00"
    assert (july["limit"], july["percent_used"]) == (None, None)
