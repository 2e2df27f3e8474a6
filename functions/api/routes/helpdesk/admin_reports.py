"""/api/admin/reports/helpdesk: the desk's figures over a range of days, and its backlog now (admins only)."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query
from pennydesk.helpdesk import desk_trends, staff
from pydantic import BaseModel, ConfigDict, Field

from routes.auth_header import SECURITY, token_of

router = Router()
DAY = r"^\d{4}-\d{2}-\d{2}$"


class TicketCounts(BaseModel):
    opened: int = Field(description="Tickets opened in the range")
    resolved: int = Field(description="Tickets resolved in the range (a ticket resolved twice counts once)")


class Timing(BaseModel):
    count: int = Field(description="How many tickets the median is taken over")
    median_seconds: int | None = Field(description="Median time from opening, in seconds; null when none")


class Breaches(BaseModel):
    total: int
    first_response: int
    resolution: int


class CategoryLoad(BaseModel):
    category: str
    open: int


class StatusLoad(BaseModel):
    status: str
    open: int


class AgentLoad(BaseModel):
    agent_id: str
    name: str
    active: bool
    open: int


class Backlog(BaseModel):
    total: int = Field(description="Open tickets now (new, assigned, in progress, waiting on the customer)")
    unassigned: int
    by_category: list[CategoryLoad]
    by_status: list[StatusLoad]
    by_agent: list[AgentLoad]


class RatingCount(BaseModel):
    rating: int = Field(ge=1, le=5)
    count: int


class Satisfaction(BaseModel):
    count: int = Field(description="Ratings first given in the range (the latest value of each counts)")
    average: float | None
    distribution: list[RatingCount]


class AgentTiming(BaseModel):
    agent_id: str
    name: str
    first_response: Timing
    resolution: Timing


class Week(BaseModel):
    week: str = Field(description="The week's Monday, YYYY-MM-DD (UTC)")
    opened: int
    resolved: int


class RatingComment(BaseModel):
    ticket_id: str
    rating: int
    comment: str
    at: str


class HelpdeskReport(BaseModel):
    model_config = ConfigDict(populate_by_name=True)
    from_: str = Field(alias="from", description="First day, YYYY-MM-DD (UTC)")
    to: str = Field(description="Last day, YYYY-MM-DD (UTC), included")
    days: int
    tickets: TicketCounts
    first_response: Timing = Field(description="First responses given in the range, timed from opening")
    resolution: Timing = Field(description="Resolutions in the range, timed from opening")
    sla_breaches: Breaches = Field(description="SLA targets missed in the range")
    backlog: Backlog
    satisfaction: Satisfaction
    by_agent: list[AgentTiming] = Field(default=[], description="Each agent's medians over the range")
    weekly: list[Week] = Field(default=[], description="Opened vs resolved per week in the range")
    comments: list[RatingComment] = Field(default=[], description="The newest rating comments in the range")


def _timing(timing: dict[str, Any]) -> Timing:
    return Timing(count=timing["count"], median_seconds=timing["median_seconds"])


def _backlog(backlog: dict[str, Any]) -> Backlog:
    return Backlog(
        total=backlog["total"],
        unassigned=backlog["unassigned"],
        by_category=[CategoryLoad(category=c["category"], open=c["open"]) for c in backlog["by_category"]],
        by_status=[StatusLoad(status=s["status"], open=s["open"]) for s in backlog["by_status"]],
        by_agent=[
            AgentLoad(agent_id=a["agent_id"], name=a["name"], active=a["active"], open=a["open"])
            for a in backlog["by_agent"]
        ],
    )


def _satisfaction(satisfaction: dict[str, Any]) -> Satisfaction:
    return Satisfaction(
        count=satisfaction["count"],
        average=satisfaction["average"],
        distribution=[RatingCount(rating=d["rating"], count=d["count"]) for d in satisfaction["distribution"]],
    )


def helpdesk_report(report: dict[str, Any]) -> HelpdeskReport:
    """The desk's figures as desk_trends.report computed them, field by field."""
    breaches = report["sla_breaches"]
    return HelpdeskReport(
        from_=report["from"],
        to=report["to"],
        days=report["days"],
        tickets=TicketCounts(opened=report["tickets"]["opened"], resolved=report["tickets"]["resolved"]),
        first_response=_timing(report["first_response"]),
        resolution=_timing(report["resolution"]),
        sla_breaches=Breaches(
            total=breaches["total"], first_response=breaches["first_response"], resolution=breaches["resolution"]
        ),
        backlog=_backlog(report["backlog"]),
        satisfaction=_satisfaction(report["satisfaction"]),
        by_agent=[
            AgentTiming(agent_id=a["agent_id"], name=a["name"], first_response=_timing(a["first_response"]),
                        resolution=_timing(a["resolution"]))
            for a in report.get("by_agent", [])
        ],
        weekly=[Week(week=w["week"], opened=w["opened"], resolved=w["resolved"]) for w in report.get("weekly", [])],
        comments=[
            RatingComment(ticket_id=c["ticket_id"], rating=c["rating"], comment=c["comment"], at=c["at"])
            for c in report.get("comments", [])
        ],
    )


@router.get(
    "/admin/reports/helpdesk",
    summary="The desk's figures over a range of days (default: the last 30), and its backlog now",
    tags=["Admin"],
    security=SECURITY,
)
def helpdesk(
    start: Annotated[str | None, Query(alias="from", pattern=DAY, description="First day, YYYY-MM-DD (UTC)")] = None,
    end: Annotated[str | None, Query(alias="to", pattern=DAY, description="Last day, YYYY-MM-DD (UTC)")] = None,
) -> HelpdeskReport:
    staff.require_admin_session(token_of(router))
    return helpdesk_report(desk_trends.report(start, end))
