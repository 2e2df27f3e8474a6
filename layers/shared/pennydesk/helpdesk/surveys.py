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

from aws_lambda_powertools import Logger

from pennydesk.helpdesk.ticket_records import TicketTimer, ticket_timers_pk
from pennydesk.helpdesk.vocabulary import TimerKind
from pennydesk.scheduling import registry

logger = Logger(child=True)

# Armed and cancelled by `ticket_timers` inside each workflow change; done by `followups` when due.
SURVEY = TimerKind.SURVEY
AUTOCLOSE = TimerKind.AUTOCLOSE
registry.register(
    registry.Kind(SURVEY, "tickets", TicketTimer, ticket_timers_pk(""), "pennydesk.helpdesk.followups:send_survey")
)
registry.register(
    registry.Kind(AUTOCLOSE, "tickets", TicketTimer, ticket_timers_pk(""), "pennydesk.helpdesk.followups:auto_close")
)
