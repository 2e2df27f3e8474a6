"""The local clock and schedule: this process's time, moved forward on request (it keeps ticking from
there), and the rule for which moments a schedule run may be given."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import time_machine

from infra.local.template import FunctionSpec

SCHEDULE_EVENT_TYPES = ("Schedule", "ScheduleV2")


class ClockError(ValueError):
    """The local clock only moves forward."""


def is_scheduled(spec: FunctionSpec) -> bool:
    """Whether the template gives the function an EventBridge schedule."""
    return any(e["Type"] in SCHEDULE_EVENT_TYPES for e in spec.events.values())


class Clock:
    """Real time until first moved; then time_machine travels from each moment given, ticking."""

    def __init__(self) -> None:
        self._traveller: Any = None
        self._last_schedule: datetime | None = None

    def now(self) -> datetime:
        return datetime.now(UTC)

    def advance(self, moment: datetime) -> None:
        """Move this process's clock to `moment` (never back); it keeps ticking from there."""
        _require_timezone(moment)
        current = self.now()
        if moment < current:
            raise ClockError(f"the local clock only moves forward; it is already {current.isoformat()}")
        if self._traveller is not None:
            self._traveller.stop()
        self._traveller = time_machine.travel(moment, tick=True)
        self._traveller.start()

    def reach_schedule(self, moment: datetime) -> None:
        """Bring the clock to a schedule run at `moment`.

        The moment of the last run (or anything since) may be given again: that is EventBridge delivering
        an event twice or late, so the clock stays where it is. Anything earlier is refused, like the clock
        itself.
        """
        _require_timezone(moment)
        repeat = self._last_schedule is not None and self._last_schedule <= moment <= self.now()
        if not repeat:
            self.advance(moment)
        self._last_schedule = max(moment, self._last_schedule or moment)

    def stop(self) -> None:
        """Back to real time."""
        if self._traveller is not None:
            self._traveller.stop()
            self._traveller = None


def _require_timezone(moment: datetime) -> None:
    if moment.tzinfo is None:
        raise ClockError("give the time with a timezone, e.g. 2026-11-24T09:00:00Z")
