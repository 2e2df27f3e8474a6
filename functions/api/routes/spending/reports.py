"""/api/reports/...: a month against its budgets, and month by month, for the caller's own account."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query
from pennydesk.platform.clock import utcnow
from pennydesk.spending import account, reports
from pydantic import BaseModel

from routes.auth_header import SECURITY, token_of

router = Router()


class CategoryReport(BaseModel):
    category: str
    total: str
    limit: str | None
    percent_used: float | None


class MonthlyReport(BaseModel):
    month: str
    currency: str
    total: str
    limit: str | None
    percent_used: float | None
    categories: list[CategoryReport]


class TrendPoint(BaseModel):
    month: str
    total: str
    limit: str | None


def monthly_report_view(report: dict[str, Any]) -> MonthlyReport:
    """The month as reports.monthly computed it, field by field."""
    return MonthlyReport(
        month=report["month"],
        currency=report["currency"],
        total=report["total"],
        limit=report["limit"],
        percent_used=report["percent_used"],
        categories=[
            CategoryReport(
                category=line["category"], total=line["total"], limit=line["limit"], percent_used=line["percent_used"]
            )
            for line in report["categories"]
        ],
    )


def trend_point(point: dict[str, Any]) -> TrendPoint:
    return TrendPoint(month=point["month"], total=point["total"], limit=point["limit"])


@router.get(
    "/reports/monthly", summary="A month against its budgets, from running totals", tags=["Spending"], security=SECURITY
)
def monthly_report(month: Annotated[str, Query(pattern=r"^\d{4}-\d{2}$", description="YYYY-MM")]) -> MonthlyReport:
    profile = account.require_user_session(token_of(router))
    return monthly_report_view(reports.monthly(profile, month))


@router.get("/reports/trend", summary="Month by month against the budget", tags=["Spending"], security=SECURITY)
def trend_report(months: Annotated[int, Query(ge=1, le=reports.MAX_TREND_MONTHS)] = 6) -> list[TrendPoint]:
    profile = account.require_user_session(token_of(router))
    this_month = utcnow().strftime("%Y-%m")
    return [trend_point(point) for point in reports.trend(profile, months, this_month)]
