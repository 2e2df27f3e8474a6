"""When recurring expenses fall due: weeks, month ends, leap years, end dates and a bounded catch-up."""

from __future__ import annotations

from datetime import date, timedelta

from pennydesk.spending.recurrence import MAX_CATCH_UP, Schedule, check, due, next_on_or_after, nth, occurrences


def first(schedule: Schedule, count: int, since: date | None = None) -> list[str]:
    days = occurrences(schedule, since or schedule.start)
    return [next(days).isoformat() for _ in range(count)]


def test_every_week_on_the_starts_weekday() -> None:
    assert first(Schedule("week", date(2026, 12, 29)), 3) == ["2026-12-29", "2027-01-05", "2027-01-12"]


def test_the_31st_is_the_last_day_of_shorter_months_and_comes_back() -> None:
    rent = Schedule("month", date(2027, 1, 31))
    assert first(rent, 5) == ["2027-01-31", "2027-02-28", "2027-03-31", "2027-04-30", "2027-05-31"]
    assert first(Schedule("month", date(2028, 1, 30)), 2) == ["2028-01-30", "2028-02-29"]  # a leap year
    assert first(Schedule("month", date(2026, 11, 15)), 3) == ["2026-11-15", "2026-12-15", "2027-01-15"]


def test_the_29th_of_february_falls_on_the_28th_in_other_years() -> None:
    assert first(Schedule("year", date(2028, 2, 29)), 5) == [
        "2028-02-29", "2029-02-28", "2030-02-28", "2031-02-28", "2032-02-29"]


def test_an_end_date_is_the_last_day_an_occurrence_may_fall_on() -> None:
    gym = Schedule("month", date(2026, 10, 5), end=date(2027, 1, 5))
    assert list(occurrences(gym, gym.start)) == [
        date(2026, 10, 5), date(2026, 11, 5), date(2026, 12, 5), date(2027, 1, 5)]
    assert next_on_or_after(gym, date(2027, 1, 6)) is None
    assert next_on_or_after(gym, date(2026, 11, 6)) == date(2026, 12, 5)


def test_the_next_occurrence_on_or_after_any_day() -> None:
    rent = Schedule("month", date(2027, 1, 31))
    assert next_on_or_after(rent, date(2027, 2, 1)) == date(2027, 2, 28)
    assert next_on_or_after(rent, date(2027, 3, 1)) == date(2027, 3, 31)
    assert next_on_or_after(rent, date(2026, 1, 1)) == date(2027, 1, 31)  # before the start: the start
    assert nth(Schedule("week", date(2026, 1, 1)), 52) == date(2026, 12, 31)


def test_a_run_creates_whats_due_through_today_and_says_whats_next() -> None:
    rent = Schedule("month", date(2026, 9, 30))
    assert due(rent, date(2026, 9, 30), date(2026, 9, 29)) == ([], date(2026, 9, 30))  # not yet
    made, following = due(rent, date(2026, 9, 30), date(2026, 12, 1))  # missed runs: caught up
    assert made == [date(2026, 9, 30), date(2026, 10, 30), date(2026, 11, 30)]  # the start's day, 30
    assert following == date(2026, 12, 30)
    ended = Schedule("week", date(2026, 1, 1), end=date(2026, 1, 10))
    assert due(ended, date(2026, 1, 1), date(2026, 3, 1)) == ([date(2026, 1, 1), date(2026, 1, 8)], None)


def test_catch_up_is_bounded_per_run_and_continues_from_where_it_stopped() -> None:
    coffee = Schedule("week", date(2025, 1, 1))
    made, following = due(coffee, coffee.start, date(2026, 12, 31))
    assert len(made) == MAX_CATCH_UP and made[0] == date(2025, 1, 1)
    assert following == date(2025, 1, 1) + timedelta(weeks=MAX_CATCH_UP)
    rest, after = due(coffee, following, date(2026, 12, 31))
    assert rest[0] == following and rest[-1] == date(2026, 12, 30) and after == date(2027, 1, 6)
    assert len(made) + len(rest) == 105  # every Wednesday of 2025 and 2026, each once


def test_terms_that_cannot_work_are_refused_in_plain_words() -> None:
    today = date(2026, 12, 2)
    assert check("day", today, None, today) == "Repeat every week, month or year."
    assert check("month", date(2025, 11, 1), None, today) == "Start no more than 366 days ago."
    assert check("month", today, date(2026, 12, 1), today) == "The end date is before the start."
    assert check("year", date(2026, 1, 1), None, today) is None
