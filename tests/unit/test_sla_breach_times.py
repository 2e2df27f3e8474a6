"""The SLA-breach email says when a target was due and how late it is the way people read times, not as ISO."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from pennydesk.helpdesk.escalation import moment_text, overdue_text


def test_a_deadline_reads_as_a_day_a_date_and_a_time_in_utc() -> None:
    assert moment_text(datetime(2026, 12, 2, 14, 5, 59, 900000, tzinfo=UTC)) == "Wed 2 Dec 2026, 14:05 UTC"
    paris = timezone(timedelta(hours=1))
    assert moment_text(datetime(2027, 1, 1, 0, 30, tzinfo=paris)) == "Thu 31 Dec 2026, 23:30 UTC"


@pytest.mark.parametrize(("seconds", "text"), [
    (3 * 3600 + 20 * 60, "3 h 20 min"),
    (3 * 3600 + 20 * 60 + 59, "3 h 20 min"),  # to the minute, never rounded up
    (5 * 60, "5 min"),
    (2 * 3600, "2 h"),
    (86400 + 4 * 3600 + 12 * 60, "1 day 4 h"),
    (3 * 86400, "3 days"),
    (59, "under a minute"),
    (-30, "under a minute"),  # a worker's clock a moment behind the timer's
])
def test_how_late_reads_in_days_hours_and_minutes(seconds: int, text: str) -> None:
    assert overdue_text(seconds) == text
