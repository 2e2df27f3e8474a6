"""The customer's rating of one resolution: the survey's token opens it, and only a submit records it
(mail scanners open every link), as ``FEEDBACK#<resolution>`` on the ticket; the latest rating wins.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aws_lambda_powertools import Logger
from pynamodb.exceptions import DoesNotExist

from pennydesk.helpdesk import workflow
from pennydesk.helpdesk.ticket_records import FEEDBACK_PREFIX, Feedback, Ticket, feedback_sk, ticket_pk
from pennydesk.identity import links, tokens
from pennydesk.platform.clock import iso, utcnow
from pennydesk.platform.errors import Forbidden, PennydeskError, Unauthorized

logger = Logger(child=True)

RATINGS = {1: "Very poor", 2: "Poor", 3: "Okay", 4: "Good", 5: "Excellent"}
MAX_COMMENT = 2000


def survey_url(ticket_id: str, token: str, rating: int | None = None) -> str:
    params = {"id": ticket_id} | ({"rating": str(rating)} if rating is not None else {})
    return links.page("survey.html", token, **params)


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


def for_ticket(ticket_id: str) -> list[Feedback]:
    """Every rating the ticket's resolutions got, oldest first (one Query on the ticket's partition)."""
    return list(Feedback.query(ticket_pk(ticket_id), Feedback.sk.startswith(FEEDBACK_PREFIX)))
