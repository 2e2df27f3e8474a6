"""Files attached on the ticket page without a message: the other side hears about them, in one email.

Keeping a file the page uploaded (or one sent whole) first arms ``TIMER#files#<customer|agent>``, to fire
NOTICE_AFTER later; each further file from that side moves it on, so a batch of uploads makes one email. A
message its author sends in the meantime names the files itself (`ticket_attachments.claim_for`), and so does
the email that gives the ticket to an agent; the notice then finds nothing left to say. When it fires,
`ticket_events.announce_files` claims the files still unannounced as this notice's and emails the other side
once.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta

from pennydesk.helpdesk.ticket_records import TicketTimer, ticket_timers_pk
from pennydesk.helpdesk.vocabulary import TimerKind
from pennydesk.scheduling import registry, timers
from pennydesk.scheduling.records import timer_sk

NOTICE_AFTER = timedelta(minutes=10)

registry.register(
    registry.Kind(
        TimerKind.FILES, "tickets", TicketTimer, ticket_timers_pk(""), "pennydesk.helpdesk.ticket_events:announce_files"
    )
)


def timer_key(ticket_id: str, role: str) -> TicketTimer:
    return TicketTimer(pk=ticket_timers_pk(ticket_id), sk=f"{timer_sk(TimerKind.FILES)}#{role}")


def role_of(timer: TicketTimer) -> str:
    """Whose files the timer is about: customer or agent (the last part of its sort key)."""
    return str(timer.sk).rsplit("#", 1)[1]


def arm(ticket_id: str, role: str, now: datetime) -> None:
    """Arm `role`'s notice for NOTICE_AFTER from `now`, or move it there (a new generation). Called before the
    file is recorded, so no kept file is ever without a notice to come (one that finds nothing says nothing),
    and on its own, not in the file's transaction, where two files completing at once would conflict over it.
    The notice id is drawn when the timer is made and kept while it lives."""
    key = timer_key(ticket_id, role)
    actions = timers.upsert_actions(TicketTimer, key, TimerKind.FILES, ticket_id, now + NOTICE_AFTER, now)
    key.update(actions=[*actions, TicketTimer.notice.set(TicketTimer.notice | os.urandom(8).hex())])
