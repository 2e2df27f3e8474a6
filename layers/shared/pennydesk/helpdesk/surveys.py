"""After a resolution: the satisfaction survey, the quiet-period auto-close, and the customer's rating.

Resolving a ticket arms two timers in the same transaction: ``TIMER#survey#<resolution>`` (after
SURVEY_DELAY_HOURS) and ``TIMER#autoclose`` (after AUTO_CLOSE_DAYS, always the longer). A customer reply
or an agent's reopen deletes both in its own transaction, so a reopened ticket asks nothing until it is
resolved again, and then asks anew: one survey per resolution. ``<resolution>`` is the ticket version
the resolve created, which names that resolution for good.

The survey's links open a page with the rating chosen; only its submit records it (mail scanners open
every link), as ``FEEDBACK#<resolution>`` on the ticket: one rating per resolution, the latest wins.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from aws_lambda_powertools import Logger
from pynamodb.transactions import TransactWrite

from pennydesk.helpdesk.ticket_records import Ticket, TicketTimer, ticket_pk
from pennydesk.platform.clock import iso
from pennydesk.platform.settings import get_settings
from pennydesk.scheduling import registry, timers
from pennydesk.scheduling.records import timer_pk, timer_sk

logger = Logger(child=True)

SURVEY = "survey"
AUTOCLOSE = "autoclose"
registry.register(
    registry.Kind(SURVEY, "tickets", TicketTimer, timer_pk(ticket_pk("")), "pennydesk.helpdesk.followups:send_survey")
)
registry.register(
    registry.Kind(AUTOCLOSE, "tickets", TicketTimer, timer_pk(ticket_pk("")), "pennydesk.helpdesk.followups:auto_close")
)


# ------------------------------------------------------------------------------------ workflow hooks
def stage_resolution(
    tx: TransactWrite, ticket: Ticket, resolution: int, agent_id: str | None, existing: dict[str, TicketTimer],
    now: datetime,
) -> None:
    """Arm this resolution's survey and the quiet-period close (the resolve's own transaction)."""
    settings = get_settings()
    for kind, sk, delay in (
        (SURVEY, timer_sk(SURVEY, resolution), settings.survey_delay_seconds),
        (AUTOCLOSE, timer_sk(AUTOCLOSE), settings.auto_close_seconds),
    ):
        before = existing.get(sk)
        timer = TicketTimer(
            pk=timer_pk(ticket_pk(ticket.ticket_id)),
            sk=sk,
            kind=kind,
            subject=ticket.ticket_id,
            resolution=resolution,
            agent_id=agent_id,
            generation=int(before.generation) + 1 if before is not None else 0,
            created_at=iso(now),
            updated_at=iso(now),
        )
        tx.save(timers.arm(timer, now + timedelta(seconds=delay)))


def stage_reopen(tx: TransactWrite, existing: dict[str, TicketTimer]) -> None:
    """The customer wasn't done: no survey for that resolution, and nothing closes."""
    for timer in existing.values():
        if timer.kind in (SURVEY, AUTOCLOSE):
            tx.delete(timer)
