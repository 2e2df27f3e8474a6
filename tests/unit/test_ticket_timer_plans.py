"""Which timers a ticket's change moves: SLA targets pause while waiting on the customer, resume, re-target on
a new priority and complete on the first response and on resolving; resolving arms the survey and the
auto-close, and reopening cancels them. Plain values; nothing here touches AWS."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pennydesk.helpdesk.ticket_records import TicketTimer
from pennydesk.helpdesk.ticket_timers import Arming, Change, FollowupDelays, TimerPlan, needs_timers, plan
from pennydesk.scheduling.records import timer_sk

NOW = datetime(2026, 11, 20, 10, 30, tzinfo=UTC)
DELAYS = FollowupDelays(survey_seconds=3600, auto_close_seconds=7 * 86400)
FIRST, RESOLUTION = timer_sk("sla_first"), timer_sk("sla_resolution")
AUTOCLOSE = timer_sk("autoclose")


def timer(kind: str, sk: str | None = None, generation: int = 0, **fields: object) -> TicketTimer:
    return TicketTimer(pk="TIMERS#TICKET#t1", sk=sk or timer_sk(kind), kind=kind, generation=generation, **fields)


def timers(*made: TicketTimer) -> dict[str, TicketTimer]:
    return {t.sk: t for t in made}


def both_slas(**fields: object) -> dict[str, TicketTimer]:
    return timers(timer("sla_first", **fields), timer("sla_resolution", **fields))


def planned(old: str, new: str, existing: dict[str, TicketTimer], **change: object) -> TimerPlan:
    return plan(Change(old, new, NOW, **change), existing, resolution=7, delays=DELAYS)  # type: ignore[arg-type]


# ------------------------------------------------------------------------------------- SLA targets
def test_waiting_on_the_customer_pauses_both_targets() -> None:
    assert planned("in_progress", "waiting_on_customer", both_slas()) == TimerPlan(pause=(FIRST, RESOLUTION))


def test_a_paused_target_is_not_paused_again() -> None:
    existing = timers(timer("sla_first", paused_at="2026-11-20T09:00:00Z"), timer("sla_resolution"))
    assert planned("assigned", "waiting_on_customer", existing) == TimerPlan(pause=(RESOLUTION,))


def test_the_first_reply_completes_the_first_response_target_and_pauses_the_other() -> None:
    moves = planned("in_progress", "waiting_on_customer", both_slas(), first_response=True)
    assert moves == TimerPlan(complete=(FIRST,), pause=(RESOLUTION,))


def test_leaving_waiting_resumes_the_paused_targets() -> None:
    existing = timers(timer("sla_first"), timer("sla_resolution", paused_at="2026-11-20T09:00:00Z"))
    assert planned("waiting_on_customer", "in_progress", existing) == TimerPlan(resume=(RESOLUTION,))


def test_going_back_to_the_queue_while_waiting_resumes_too() -> None:
    existing = both_slas(paused_at="2026-11-20T09:00:00Z")
    assert planned("waiting_on_customer", "new", existing) == TimerPlan(resume=(FIRST, RESOLUTION))


def test_a_new_priority_retargets_every_live_target_paused_or_not() -> None:
    existing = timers(timer("sla_first", paused_at="2026-11-20T09:00:00Z"), timer("sla_resolution"))
    moves = planned("in_progress", "in_progress", existing, priority="urgent")
    assert moves == TimerPlan(retarget=(FIRST, RESOLUTION), priority="urgent")


def test_a_breached_target_stays_as_the_record_of_the_miss() -> None:
    existing = timers(timer("sla_first", breached_at="2026-11-20T08:00:00Z"), timer("sla_resolution"))
    assert planned("in_progress", "in_progress", existing, priority="high") == TimerPlan(
        retarget=(RESOLUTION,), priority="high"
    )
    assert planned("in_progress", "waiting_on_customer", existing, first_response=True) == TimerPlan(
        pause=(RESOLUTION,)
    )
    assert planned("in_progress", "resolved", existing).complete == (RESOLUTION,)


def test_a_change_that_does_not_touch_waiting_or_priority_moves_nothing() -> None:
    assert planned("assigned", "in_progress", both_slas()).is_empty


# ------------------------------------------------------------------------------- resolving, reopening
def test_resolving_completes_both_targets_and_arms_the_survey_and_the_auto_close() -> None:
    moves = planned("in_progress", "resolved", both_slas(), agent_id="ada")
    assert moves.complete == (FIRST, RESOLUTION)
    assert moves.arm == (
        Arming("survey", timer_sk("survey", 7), 7, "ada", 0, NOW + timedelta(hours=1)),
        Arming("autoclose", AUTOCLOSE, 7, "ada", 0, NOW + timedelta(days=7)),
    )
    assert not (moves.pause or moves.resume or moves.retarget or moves.cancel)


def test_resolving_with_closing_words_completes_the_first_response_target_once() -> None:
    moves = planned("assigned", "resolved", both_slas(), first_response=True, agent_id="ada")
    assert moves.complete == (FIRST, RESOLUTION)


def test_resolving_again_re_arms_the_auto_close_as_a_new_generation() -> None:
    existing = timers(timer("autoclose", generation=3), timer("survey", timer_sk("survey", 5), generation=1))
    moves = planned("in_progress", "resolved", existing, agent_id="grace")
    assert [(a.sk, a.generation) for a in moves.arm] == [(timer_sk("survey", 7), 0), (AUTOCLOSE, 4)]
    assert moves.complete == ()


@pytest.mark.parametrize(("old", "new"), [("resolved", "in_progress"), ("closed", "in_progress"), ("resolved", "new")])
def test_reopening_cancels_the_survey_and_the_auto_close(old: str, new: str) -> None:
    existing = timers(
        timer("survey", timer_sk("survey", 5)),
        timer("autoclose"),
        timer("sla_first", breached_at="2026-11-19T10:00:00Z"),
    )
    assert planned(old, new, existing) == TimerPlan(cancel=(timer_sk("survey", 5), AUTOCLOSE))


def test_closing_a_resolved_ticket_moves_no_timer() -> None:
    assert planned("resolved", "closed", timers(timer("survey", timer_sk("survey", 5)))).is_empty


# ------------------------------------------------------------------------------- whether to read
@pytest.mark.parametrize(
    ("change", "needed"),
    [
        (Change("assigned", "in_progress", NOW), False),
        (Change("in_progress", "in_progress", NOW), False),
        (Change("assigned", "new", NOW), False),
        (Change("in_progress", "waiting_on_customer", NOW), True),
        (Change("waiting_on_customer", "in_progress", NOW), True),
        (Change("in_progress", "resolved", NOW), True),
        (Change("resolved", "in_progress", NOW), True),
        (Change("closed", "new", NOW), True),
        (Change("in_progress", "in_progress", NOW, priority="high"), True),
        (Change("assigned", "assigned", NOW, first_response=True), True),
    ],
)
def test_only_a_change_that_can_move_a_timer_reads_them(change: Change, needed: bool) -> None:
    assert needs_timers(change) is needed
