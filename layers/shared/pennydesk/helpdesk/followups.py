"""Follow-ups after a resolution, the worker's half of the survey and auto-close timers: send the survey
for one resolution, and close a ticket whose quiet period passed. ``ticket_timers`` arms and cancels the timers
inside each workflow change; ``feedback`` records what the customer answers.
"""

from __future__ import annotations

from datetime import datetime

from aws_lambda_powertools import Logger
from pynamodb.transactions import TransactWrite

from pennydesk.helpdesk import history, mail_thread, workflow
from pennydesk.helpdesk.feedback import RATINGS, survey_url
from pennydesk.helpdesk.ticket_records import TicketTimer
from pennydesk.helpdesk.vocabulary import Status, is_finished
from pennydesk.identity import links, tokens
from pennydesk.platform.clock import iso
from pennydesk.platform.email.render import render
from pennydesk.platform.email.send import send
from pennydesk.platform.errors import NotFound
from pennydesk.platform.settings import get_settings
from pennydesk.scheduling import timers

logger = Logger(child=True)


def send_survey(timer: TicketTimer, now: datetime) -> str:
    """The survey for one resolution: one email, then the timer goes (a retry sends nothing twice)."""
    if not timers.is_due(timer, now):
        return "not yet"
    try:
        ticket = workflow.get_ticket(str(timer.subject))
    except NotFound:
        timers.finish(timer)
        return "no ticket"
    if not is_finished(ticket.status):
        timers.finish(timer)  # reopened since: that resolution gets no survey
        return "cancelled"
    resolution = int(timer.resolution or 0)
    token = tokens.issue("survey", ticket.ticket_id, resolution=resolution, agent=timer.agent_id or "")
    ratings = [{"value": r, "label": RATINGS[r], "url": survey_url(ticket.ticket_id, token, r)} for r in RATINGS]
    send(
        f"survey/{ticket.ticket_id}/{resolution}",
        [ticket.customer_email],
        render("satisfaction_survey", ticket=ticket, ratings=ratings, page_url=survey_url(ticket.ticket_id, token)),
        mail_thread.for_customer(ticket),
    )
    history.keep_first(history.survey_sent(ticket, resolution, iso(now)))
    timers.finish(timer)
    return "sent"


def auto_close(timer: TicketTimer, now: datetime) -> str:
    """Close a resolved ticket nobody wrote back on, then tell the customer how to reopen it.

    The close and its history entry are one transaction, guarded by this timer still being the one we
    read; the timer goes only after the email, so a retry after a crash still sends it (once).
    """
    if not timers.is_due(timer, now):
        return "not yet"
    generation = int(timer.generation)
    days = get_settings().auto_close_seconds / 86400

    def still_wanted() -> bool:
        current = timers.load("tickets", timer.pk, timer.sk)
        return current is not None and int(current.generation) == generation

    def guard(tx: TransactWrite) -> None:
        tx.condition_check(TicketTimer, timer.pk, timer.sk, condition=TicketTimer.generation == generation)

    try:
        workflow.close_resolved(
            str(timer.subject),
            detail=f"closed after {days:g} day{'s' if days != 1 else ''} without a reply",
            still_wanted=still_wanted,
            stage_also=guard,
        )
        ticket = workflow.get_ticket(str(timer.subject))
    except NotFound:
        timers.finish(timer)
        return "no ticket"
    if ticket.status != Status.CLOSED:
        timers.finish(timer)  # the customer replied in time: it reopened, and its timers went with it
        return "cancelled"
    send(
        f"ticket/{ticket.ticket_id}/closed/{int(timer.resolution or 0)}",
        [ticket.customer_email],
        render(
            "ticket_closed", ticket=ticket, days=f"{days:g}", status_url=links.customer_ticket_url(ticket.ticket_id)
        ),
        mail_thread.for_customer(ticket),
    )
    timers.finish(timer)
    return "closed"


