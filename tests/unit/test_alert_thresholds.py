"""Which budget thresholds a new total announces: reached means total >= threshold, each is announced once a
month however the total moves, and a jump past several sends one email for the highest. Plain numbers;
nothing here touches AWS."""

from __future__ import annotations

from pennydesk.spending.alerts import Alert, alert_for, due_thresholds

LIMIT = 100_00  # 100.00 in minor units
DEFAULT = [80, 100]


def announced_after(totals: list[int], thresholds: list[int] = DEFAULT) -> tuple[list[int | None], set[str]]:
    """The threshold each total in turn emails about (None: no email), and what is announced at the end."""
    announced: set[str] = set()
    emailed: list[int | None] = []
    for total in totals:
        alert = alert_for(total, LIMIT, thresholds, announced)
        emailed.append(alert.threshold if alert else None)
        announced |= alert.announces if alert else set()
    return emailed, announced


def test_below_the_first_threshold_nothing_is_announced() -> None:
    assert alert_for(79_99, LIMIT, DEFAULT, set()) is None


def test_exactly_at_a_threshold_counts_as_reaching_it() -> None:
    assert alert_for(80_00, LIMIT, DEFAULT, set()) == Alert(80, frozenset({"80"}))
    assert alert_for(100_00, LIMIT, DEFAULT, {"80"}) == Alert(100, frozenset({"100"}))


def test_thresholds_are_reached_by_exact_arithmetic_not_rounding() -> None:
    assert alert_for(2, 3, [67], set()) is None  # 66.67 %
    assert alert_for(201, 300, [67], set()) == Alert(67, frozenset({"67"}))  # exactly 67 %


def test_eighty_then_a_hundred_percent_are_announced_once_each() -> None:
    emailed, announced = announced_after([50_00, 80_00, 90_00, 100_00, 120_00])

    assert emailed == [None, 80, None, 100, None]
    assert announced == {"80", "100"}


def test_jumping_past_both_sends_one_email_for_the_highest_and_records_both() -> None:
    alert = alert_for(150_00, LIMIT, DEFAULT, set())

    assert alert == Alert(100, frozenset({"80", "100"}))
    assert alert_for(160_00, LIMIT, DEFAULT, set(alert.announces)) is None  # the 80 % email never follows


def test_moving_down_and_up_again_announces_nothing_twice() -> None:
    emailed, _ = announced_after([85_00, 40_00, 85_00, 99_99, 60_00, 100_00, 10_00, 130_00])

    assert emailed == [80, None, None, None, None, 100, None, None]


def test_a_refund_below_a_threshold_never_takes_its_announcement_back() -> None:
    assert due_thresholds(20_00, LIMIT, DEFAULT, {"80"}) == []
    assert alert_for(90_00, LIMIT, DEFAULT, {"80"}) is None


def test_a_threshold_above_a_hundred_percent_is_reached_over_budget() -> None:
    emailed, announced = announced_after([100_00, 149_99, 150_00], thresholds=[100, 150])

    assert emailed == [100, None, 150]
    assert announced == {"100", "150"}


def test_thresholds_are_considered_lowest_first_whatever_their_order() -> None:
    assert due_thresholds(95_00, LIMIT, [90, 50, 100], set()) == [50, 90]
    assert alert_for(95_00, LIMIT, [90, 50, 100], set()) == Alert(90, frozenset({"50", "90"}))


def test_nothing_spent_or_no_budget_announces_nothing() -> None:
    assert alert_for(0, LIMIT, DEFAULT, set()) is None
    assert alert_for(-5_00, LIMIT, DEFAULT, set()) is None  # a month of refunds
    assert alert_for(500_00, None, DEFAULT, set()) is None
    assert alert_for(500_00, 0, DEFAULT, set()) is None
