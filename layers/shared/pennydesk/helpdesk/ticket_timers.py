"""What a ticket's change does to its timers: a plan decided from values, staged into the change's transaction.

`plan` is the rule, over the change and the timers as read: SLA timers pause on entering
``waiting_on_customer``, resume on leaving it, re-target on a new priority, complete on the first response
and on resolving; resolving also arms the survey and the auto-close, and reopening cancels them.
`stage_change` is the thin half: it reads the ticket's timers (one Query on its partition) and adds the
plan's writes to the transaction. Every write on an existing SLA timer is conditional on the generation
that was read, so a race with the worker fails the transaction and the workflow's usual retry reads again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from pynamodb.transactions import TransactWrite

from pennydesk.helpdesk import sla
from pennydesk.helpdesk.ticket_records import Ticket, TicketTimer, ticket_timers_pk
from pennydesk.helpdesk.vocabulary import FOLLOWUP_KINDS, SLA_KINDS, Status, TimerKind, is_finished
from pennydesk.platform.clock import iso
from pennydesk.platform.settings import get_settings
from pennydesk.scheduling import timers
from pennydesk.scheduling.records import TIMER_PREFIX, timer_sk


@dataclass(frozen=True)
class Change:
    old_status: str
    new_status: str
    now: datetime
    first_response: bool = False
    priority: str | None = None  # the new priority, only when it differs from the old one
    agent_id: str | None = None  # who resolved, for the survey

    @property
    def resolves(self) -> bool:
        return self.new_status == Status.RESOLVED and self.old_status != Status.RESOLVED

    @property
    def reopens(self) -> bool:
        return is_finished(self.old_status) and not is_finished(self.new_status)

    @property
    def starts_waiting(self) -> bool:
        return self.new_status == Status.WAITING and self.old_status != Status.WAITING

    @property
    def stops_waiting(self) -> bool:
        return self.old_status == Status.WAITING and self.new_status != Status.WAITING


def needs_timers(change: Change) -> bool:
    """Whether a change can touch timers at all (so most changes skip the extra read)."""
    moved = change.new_status != change.old_status
    return (
        change.first_response
        or change.priority is not None
        or (moved and (Status.WAITING in (change.old_status, change.new_status)
                       or Status.RESOLVED in (change.old_status, change.new_status)
                       or is_finished(change.old_status)))
    )


@dataclass(frozen=True)
class FollowupDelays:
    """How long after a resolution the survey goes out, and the ticket closes if nobody writes back."""

    survey_seconds: int
    auto_close_seconds: int

    @classmethod
    def from_settings(cls) -> FollowupDelays:
        settings = get_settings()
        return cls(settings.survey_delay_seconds, settings.auto_close_seconds)


@dataclass(frozen=True)
class Arming:
    """A follow-up timer to write, armed to fire at `fire_at` (a new generation over any it replaces)."""

    kind: TimerKind
    sk: str
    resolution: int
    agent_id: str | None
    generation: int
    fire_at: datetime


@dataclass(frozen=True)
class TimerPlan:
    """Sort keys of the existing timers each move applies to (never two moves for one timer)."""

    complete: tuple[str, ...] = ()  # an SLA target met, or no longer applying: the timer goes
    pause: tuple[str, ...] = ()
    resume: tuple[str, ...] = ()
    retarget: tuple[str, ...] = ()
    priority: str | None = None  # the new priority the re-targeted timers measure
    cancel: tuple[str, ...] = ()  # a reopened resolution's survey and auto-close
    arm: tuple[Arming, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not (self.complete or self.pause or self.resume or self.retarget or self.cancel or self.arm)


def plan(
    change: Change, existing: Mapping[str, TicketTimer], *, resolution: int, delays: FollowupDelays
) -> TimerPlan:
    """The timer moves `change` calls for, given the ticket's timers by sort key. A breached SLA timer stays
    as the record of the miss, so no move touches it. `resolution` names the resolution a resolve creates."""
    live = {t.kind: sk for sk, t in existing.items() if t.kind in SLA_KINDS and sla.is_live(t)}
    first_met = (live[TimerKind.SLA_FIRST],) if change.first_response and TimerKind.SLA_FIRST in live else ()
    untouched = {kind: sk for kind, sk in live.items() if not (change.first_response and kind == TimerKind.SLA_FIRST)}
    if change.resolves:
        return TimerPlan(
            complete=first_met + tuple(untouched.values()), arm=_followups(change, existing, resolution, delays)
        )
    if change.reopens:
        cancel = tuple(sk for sk, t in existing.items() if t.kind in FOLLOWUP_KINDS)
        return TimerPlan(complete=first_met, cancel=cancel)
    if change.starts_waiting:
        paused = tuple(sk for sk in untouched.values() if not existing[sk].paused_at)
        return TimerPlan(complete=first_met, pause=paused)
    if change.stops_waiting:
        resumed = tuple(sk for sk in untouched.values() if existing[sk].paused_at)
        return TimerPlan(complete=first_met, resume=resumed)
    if change.priority:
        return TimerPlan(complete=first_met, retarget=tuple(untouched.values()), priority=change.priority)
    return TimerPlan(complete=first_met)


def _followups(
    change: Change, existing: Mapping[str, TicketTimer], resolution: int, delays: FollowupDelays
) -> tuple[Arming, ...]:
    """This resolution's survey and the quiet-period close (the auto-close replaces any earlier one)."""
    armings = []
    for kind, sk, delay in (
        (TimerKind.SURVEY, timer_sk(TimerKind.SURVEY, resolution), delays.survey_seconds),
        (TimerKind.AUTOCLOSE, timer_sk(TimerKind.AUTOCLOSE), delays.auto_close_seconds),
    ):
        before = existing.get(sk)
        generation = int(before.generation) + 1 if before is not None else 0
        armings.append(
            Arming(kind, sk, resolution, change.agent_id, generation, change.now + timedelta(seconds=delay))
        )
    return tuple(armings)


# ------------------------------------------------------------------------------------------- applying
def load(ticket_id: str) -> dict[str, TicketTimer]:
    """The ticket's timers by sort key (at most a handful)."""
    return {
        t.sk: t
        for t in TicketTimer.query(
            ticket_timers_pk(ticket_id), TicketTimer.sk.startswith(TIMER_PREFIX), consistent_read=True
        )
    }


def stage_change(tx: TransactWrite, ticket: Ticket, change: Change) -> None:
    """Timers move in the same transaction as the change that moves them (one Query, only when needed)."""
    if not needs_timers(change):
        return
    existing = load(ticket.ticket_id)
    # The version this change creates names the resolution, if it is a resolve.
    moves = plan(change, existing, resolution=int(ticket.version) + 1, delays=FollowupDelays.from_settings())
    stage(tx, ticket.ticket_id, existing, moves, change.now)


def stage(
    tx: TransactWrite, ticket_id: str, existing: Mapping[str, TicketTimer], moves: TimerPlan, now: datetime
) -> None:
    """Add the plan's timer writes to `tx`."""
    for sk in moves.complete:
        sla.stage_complete(tx, existing[sk])
    for sk in moves.pause:
        sla.stage_pause(tx, existing[sk], now)
    for sk in moves.resume:
        sla.stage_resume(tx, existing[sk], now)
    for sk in moves.retarget:
        sla.stage_retarget(tx, existing[sk], str(moves.priority), now)
    for sk in moves.cancel:
        tx.delete(existing[sk])
    for arming in moves.arm:
        _stage_arm(tx, ticket_id, arming, now)


def _stage_arm(tx: TransactWrite, ticket_id: str, arming: Arming, now: datetime) -> None:
    """Write one follow-up timer, armed (a resolve's survey or auto-close)."""
    timer = TicketTimer(
        pk=ticket_timers_pk(ticket_id),
        sk=arming.sk,
        kind=arming.kind,
        subject=ticket_id,
        resolution=arming.resolution,
        agent_id=arming.agent_id,
        generation=arming.generation,
        created_at=iso(now),
        updated_at=iso(now),
    )
    tx.save(timers.arm(timer, arming.fire_at))
