"""/api/tickets/{id}/feedback: the satisfaction survey. The page a survey email's link opens reads here, and only
its submit writes."""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path
from pennydesk.helpdesk import feedback as ratings
from pennydesk.helpdesk import workflow
from pennydesk.helpdesk.ticket_records import Feedback, Ticket
from pydantic import BaseModel, ConfigDict, Field

from routes.auth_header import SECURITY, token_of

router = Router()
TicketId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$", description="The ticket's id")]


class SurveyTicket(BaseModel):
    id: str
    number: int
    subject: str


class FeedbackView(BaseModel):
    ticket: SurveyTicket
    resolution: int
    rating: int | None
    comment: str | None
    rated_at: str | None


def feedback_view(ticket: Ticket, survey: ratings.SurveyGrant, feedback: Feedback | None) -> FeedbackView:
    """The survey as the page shows it: the ticket, the resolution it rates, and the rating so far (if any)."""
    return FeedbackView(
        ticket=SurveyTicket(id=ticket.ticket_id, number=int(ticket.number), subject=ticket.subject),
        resolution=survey.resolution,
        rating=int(feedback.rating) if feedback else None,
        comment=feedback.comment if feedback else None,
        rated_at=feedback.rated_at if feedback else None,
    )


class FeedbackIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    rating: int = Field(ge=1, le=5, strict=True, description="1 (very poor) to 5 (excellent)")
    comment: str | None = Field(default=None, max_length=ratings.MAX_COMMENT)


@router.get(
    "/tickets/<ticket_id>/feedback",
    summary="The survey for a resolution, and its rating so far",
    description="Reads only: a mail scanner opening the survey link records nothing.",
    tags=["Help desk"],
    security=SECURITY,
)
def get_feedback(ticket_id: TicketId) -> FeedbackView:
    survey = ratings.grant(token_of(router), ticket_id)
    ticket = workflow.get_ticket(ticket_id)
    return feedback_view(ticket, survey, ratings.current(survey))


@router.post(
    "/tickets/<ticket_id>/feedback",
    summary="Rate the help with a resolved ticket (survey token)",
    description="One rating per resolution: 201 the first time, 200 when a later submit replaces it.",
    responses={
        200: {"description": "Replaced", "content": {"application/json": {"model": FeedbackView}}},
        201: {"description": "Recorded", "content": {"application/json": {"model": FeedbackView}}},
    },
    tags=["Help desk"],
    security=SECURITY,
)
def post_feedback(ticket_id: TicketId, feedback: FeedbackIn) -> Response[FeedbackView]:
    survey = ratings.grant(token_of(router), ticket_id)
    stored, first = ratings.record(survey, feedback.rating, feedback.comment)
    ticket = workflow.get_ticket(ticket_id)
    return Response(
        status_code=HTTPStatus.CREATED if first else HTTPStatus.OK,
        content_type=content_types.APPLICATION_JSON,
        body=feedback_view(ticket, survey, stored).model_dump(),
    )
