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

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from aws_lambda_powertools import Logger
from pynamodb.exceptions import DoesNotExist
from pynamodb.transactions import TransactWrite

from pennydesk import links, timers, tokens, workflow
from pennydesk.clock import iso, utcnow
from pennydesk.email.render import render
from pennydesk.email.send import send
from pennydesk.errors import Forbidden, NotFound, PennydeskError, Unauthorized
from pennydesk.models.ticket import Ticket, ticket_pk
from pennydesk.models.timer import Feedback, TicketTimer, feedback_sk, timer_pk, timer_sk
from pennydesk.settings import get_settings

logger = Logger(child=True)

SURVEY = "survey"
AUTOCLOSE = "autoclose"
RATINGS = {1: "Very poor", 2: "Poor", 3: "Okay", 4: "Good", 5: "Excellent"}
MAX_COMMENT = 2000


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


# -------------------------------------------------------------------------------------------- worker
def survey_url(ticket_id: str, token: str, rating: int | None = None) -> str:
    params = {"id": ticket_id, "token": token}
    if rating is not None:
        params["rating"] = str(rating)
    return f"{get_settings().site_url}/survey.html?{urlencode(params)}"


def send_survey(timer: TicketTimer, now: datetime) -> str:
    """The survey for one resolution: one email, then the timer goes (a retry sends nothing twice)."""
    if not timers.is_due(timer, now):
        return "not yet"
    try:
        ticket = workflow.get_ticket(str(timer.subject))
    except NotFound:
        timers.finish(timer)
        return "no ticket"
    if ticket.status not in ("resolved", "closed"):
        timers.finish(timer)  # reopened since: that resolution gets no survey
        return "cancelled"
    resolution = int(timer.resolution or 0)
    token = tokens.issue("survey", ticket.ticket_id, resolution=resolution, agent=timer.agent_id or "")
    ratings = [{"value": r, "label": RATINGS[r], "url": survey_url(ticket.ticket_id, token, r)} for r in RATINGS]
    send(
        f"survey/{ticket.ticket_id}/{resolution}",
        [ticket.customer_email],
        render("satisfaction_survey", ticket=ticket, ratings=ratings, page_url=survey_url(ticket.ticket_id, token)),
    )
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
    if ticket.status != "closed":
        timers.finish(timer)  # the customer replied in time: it reopened, and its timers went with it
        return "cancelled"
    send(
        f"ticket/{ticket.ticket_id}/closed/{int(timer.resolution or 0)}",
        [ticket.customer_email],
        render(
            "ticket_closed", ticket=ticket, days=f"{days:g}", status_url=links.customer_ticket_url(ticket.ticket_id)
        ),
    )
    timers.finish(timer)
    return "closed"


# ------------------------------------------------------------------------------------------ feedback
@dataclass(frozen=True)
class SurveyGrant:
    ticket_id: str
    resolution: int
    agent_id: str | None


def grant(token: str | None, ticket_id: str) -> SurveyGrant:
    """A survey link rates exactly one resolution of one ticket."""
    given = tokens.verify("survey", token)
    if given.subject != ticket_id:
        raise Forbidden("This link is for another ticket.")
    resolution = given.claims.get("resolution")
    if not isinstance(resolution, int) or resolution < 1:
        raise Unauthorized("This link is not valid.")
    agent = given.claims.get("agent")
    return SurveyGrant(ticket_id, resolution, agent if isinstance(agent, str) and agent else None)


def clean_comment(comment: str | None) -> str:
    text = (comment or "").strip()
    if len(text) > MAX_COMMENT:
        raise PennydeskError(f"Keep the comment under {MAX_COMMENT:,} characters.", field="comment")
    if any((ord(ch) < 32 and ch not in "\n\r\t") or 0x7F <= ord(ch) <= 0x9F for ch in text):
        raise PennydeskError("Remove control characters.", field="comment")
    return text


def record(survey: SurveyGrant, rating: int, comment: str | None) -> tuple[Feedback, bool]:
    """Store (or replace) the rating of one resolution; returns it and whether it is the first one."""
    if rating not in RATINGS:
        raise PennydeskError("Choose a rating from 1 to 5.", field="rating")
    text = clean_comment(comment)
    workflow.get_ticket(survey.ticket_id)  # 404 for a ticket that no longer exists
    now = iso(utcnow())
    item = Feedback(pk=ticket_pk(survey.ticket_id), sk=feedback_sk(survey.resolution))
    item.update(
        actions=[
            Feedback.ticket_id.set(survey.ticket_id),
            Feedback.resolution.set(survey.resolution),
            Feedback.rating.set(rating),
            Feedback.comment.set(text),
            Feedback.rated_at.set(now),
            Feedback.first_rated_at.set(Feedback.first_rated_at | now),
            Feedback.times.add(1),
            *([Feedback.agent_id.set(survey.agent_id)] if survey.agent_id else []),
        ]
    )
    logger.info("rating recorded", extra={"ticket": survey.ticket_id, "resolution": survey.resolution})
    return item, int(item.times) == 1


def current(survey: SurveyGrant) -> Feedback | None:
    try:
        return Feedback.get(ticket_pk(survey.ticket_id), feedback_sk(survey.resolution), consistent_read=True)
    except DoesNotExist:
        return None


def view(ticket: Ticket, survey: SurveyGrant, feedback: Feedback | None) -> dict[str, Any]:
    return {
        "ticket": {"id": ticket.ticket_id, "number": int(ticket.number), "subject": ticket.subject},
        "resolution": survey.resolution,
        "rating": int(feedback.rating) if feedback else None,
        "comment": feedback.comment if feedback else None,
        "rated_at": feedback.rated_at if feedback else None,
    }
