"""/api/admin/reports/help: what the help center saved the desk over a range of days (admins only)."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query
from pennydesk.helpcenter import figures
from pennydesk.helpdesk import staff
from pydantic import BaseModel, ConfigDict, Field

from routes.auth_header import SECURITY, token_of

router = Router()
DAY = r"^\d{4}-\d{2}-\d{2}$"


class HelpReport(BaseModel):
    model_config = ConfigDict(populate_by_name=True)
    from_: str = Field(alias="from", description="First day, YYYY-MM-DD (UTC)")
    to: str = Field(description="Last day, YYYY-MM-DD (UTC), included")
    days: int
    searches: int = Field(description="Searches of the help center with at least one word")
    suggestions_shown: int = Field(description="Times the ticket form showed articles under the subject")
    opened_from_form: int = Field(description="Articles opened from the ticket form's suggestions")
    helpful_votes: int = Field(description='"Yes, that answered it"')
    unhelpful_votes: int = Field(description='"No"')
    tickets_after_article: int = Field(description="Tickets raised after reading an article")


@router.get(
    "/admin/reports/help",
    summary="The help center's deflection figures over a range of days (default: the last 30)",
    tags=["Admin"],
    security=SECURITY,
)
def help_report(
    start: Annotated[str | None, Query(alias="from", pattern=DAY, description="First day, YYYY-MM-DD (UTC)")] = None,
    end: Annotated[str | None, Query(alias="to", pattern=DAY, description="Last day, YYYY-MM-DD (UTC)")] = None,
) -> HelpReport:
    staff.require_admin_session(token_of(router))
    return HelpReport.model_validate(figures.report(start, end))
