"""When a digest is due and which period it reports on: Monday or the 1st at 08:00 in the user's own time
zone, through the summer-time changes, and a missed run that catches up to the latest period only.
Plain datetimes; nothing here touches AWS."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from pennydesk.spending.digest_timers import latest_moment, next_moment
from pennydesk.spending.digests import period_before


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("timezone", "after", "expected"),
    [
        ("UTC", "2026-03-18 12:00", "2026-03-23 08:00"),  # a Wednesday: the next Monday
        ("UTC", "2026-03-23 07:59", "2026-03-23 08:00"),  # a Monday before 08:00: that morning
        ("UTC", "2026-03-23 08:00", "2026-03-30 08:00"),  # strictly after: a moment never repeats itself
        ("Europe/Amsterdam", "2026-03-23 07:00", "2026-03-30 06:00"),  # clocks go forward on Sunday 29 March
        ("Europe/Amsterdam", "2026-10-19 06:00", "2026-10-26 07:00"),  # and back on Sunday 25 October
        ("America/New_York", "2026-03-02 13:00", "2026-03-09 12:00"),  # forward on Sunday 8 March
        ("America/New_York", "2026-10-26 12:00", "2026-11-02 13:00"),  # back on Sunday 1 November
        ("Asia/Tokyo", "2026-03-22 23:00", "2026-03-29 23:00"),  # Monday 08:00 in Tokyo is Sunday in UTC
        ("Not/A_Zone", "2026-03-18 12:00", "2026-03-23 08:00"),  # an unknown zone reads as UTC
    ],
)
def test_a_weekly_digest_is_due_on_monday_at_eight_local_time(timezone: str, after: str, expected: str) -> None:
    assert next_moment("weekly", timezone, utc(after)) == utc(expected)


@pytest.mark.parametrize(
    ("timezone", "after", "expected"),
    [
        ("UTC", "2026-01-15 00:00", "2026-02-01 08:00"),
        ("UTC", "2026-12-01 08:00", "2027-01-01 08:00"),  # over the year's end
        ("Europe/Amsterdam", "2026-03-01 07:00", "2026-04-01 06:00"),  # March in winter time, April in summer
        ("Europe/Amsterdam", "2026-10-01 06:00", "2026-11-01 07:00"),
        ("America/New_York", "2026-03-01 13:00", "2026-04-01 12:00"),
        ("America/New_York", "2026-10-31 12:00", "2026-11-01 13:00"),  # the 1st is the day the clocks go back
        ("America/New_York", "2026-04-01 03:00", "2026-04-01 12:00"),  # 1 April in UTC, still 31 March there
    ],
)
def test_a_monthly_digest_is_due_on_the_first_at_eight_local_time(timezone: str, after: str, expected: str) -> None:
    assert next_moment("monthly", timezone, utc(after)) == utc(expected)


def test_every_weekly_moment_through_a_year_is_monday_eight_in_the_user_s_zone() -> None:
    for timezone in ("Europe/Amsterdam", "America/New_York"):
        moment = utc("2026-01-01 00:00")
        for _ in range(53):
            moment = next_moment("weekly", timezone, moment)
            local = moment.astimezone(ZoneInfo(timezone))
            assert (local.weekday(), local.hour, local.minute) == (0, 8, 0), (timezone, moment)


def test_a_weekly_digest_reports_on_the_monday_to_sunday_just_ended() -> None:
    period = period_before("weekly", "Europe/Amsterdam", utc("2026-03-30 06:00"))  # the first summer-time Monday

    assert (period.key, period.first, period.last) == ("2026-W13", date(2026, 3, 23), date(2026, 3, 29))
    assert (period.previous_first, period.previous_last) == (date(2026, 3, 16), date(2026, 3, 22))
    assert period.budget_month == "2026-03"
    assert period.label == "23 Mar - 29 Mar 2026"


def test_a_week_across_two_months_is_measured_against_the_month_it_ends_in() -> None:
    period = period_before("weekly", "UTC", utc("2026-03-02 08:00"))

    assert (period.first, period.last, period.budget_month) == (date(2026, 2, 23), date(2026, 3, 1), "2026-03")


def test_the_first_week_of_a_year_is_named_by_its_iso_year() -> None:
    assert period_before("weekly", "UTC", utc("2027-01-04 08:00")).key == "2026-W53"
    assert period_before("weekly", "UTC", utc("2026-01-05 08:00")).key == "2026-W01"  # 29 Dec 2025 - 4 Jan 2026


def test_a_monthly_digest_reports_on_the_month_just_ended() -> None:
    march = period_before("monthly", "Europe/Amsterdam", utc("2026-04-01 06:00"))
    january = period_before("monthly", "America/New_York", utc("2026-02-01 13:00"))

    assert (march.key, march.first, march.last, march.budget_month) == (
        "2026-03", date(2026, 3, 1), date(2026, 3, 31), "2026-03")
    assert (march.previous_first, march.previous_last) == (date(2026, 2, 1), date(2026, 2, 28))
    assert march.label == "March 2026"
    assert (january.key, january.previous_first, january.previous_last) == (
        "2026-01", date(2025, 12, 1), date(2025, 12, 31))


def test_the_period_is_read_on_the_user_s_own_calendar() -> None:
    moment = utc("2026-04-01 03:00")  # 1 April in Amsterdam, still 31 March in New York

    assert period_before("monthly", "Europe/Amsterdam", moment).key == "2026-03"
    assert period_before("monthly", "America/New_York", moment).key == "2026-02"


def test_a_timer_on_time_reports_on_its_own_period() -> None:
    fire = utc("2026-03-30 06:00")

    assert latest_moment("weekly", "Europe/Amsterdam", fire, fire + timedelta(minutes=5)) == fire


def test_a_missed_run_catches_up_to_the_latest_period_only() -> None:
    fire = utc("2026-03-02 13:00")  # a New York Monday in winter time, then three weeks without a run
    now = utc("2026-03-25 09:00")

    latest = latest_moment("weekly", "America/New_York", fire, now)

    assert latest == utc("2026-03-23 12:00")  # the latest Monday 08:00 before now, in summer time
    assert period_before("weekly", "America/New_York", latest).key == "2026-W12"
    assert next_moment("weekly", "America/New_York", latest) == utc("2026-03-30 12:00")


def test_a_missed_monthly_run_catches_up_across_the_year_s_end() -> None:
    latest = latest_moment("monthly", "Europe/Amsterdam", utc("2025-11-01 07:00"), utc("2026-01-10 00:00"))

    assert latest == utc("2026-01-01 07:00")
    assert period_before("monthly", "Europe/Amsterdam", latest).key == "2025-12"
