"""/api/recurring...: the caller's recurring expenses (rent, subscriptions). Changing a series changes it from
its next occurrence on; an occurrence already created is an ordinary expense (PUT /api/expenses/{id} changes
it alone); deleting a series keeps the expenses it created."""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated, Literal

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path
from pennydesk.spending import account, recurring
from pydantic import BaseModel, ConfigDict, Field

from routes import responses
from routes.auth_header import SECURITY, token_of
from routes.fields import Money

router = Router()
SeriesId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$")]


class SeriesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    amount: Money
    category: str = Field(min_length=1, max_length=40)
    every: Literal["week", "month", "year"]
    start: str = Field(max_length=10, examples=["2026-12-01"],
                       description="The first occurrence; also the weekday, or the day of the month or year")
    end: str | None = Field(default=None, max_length=10, description="The last day an occurrence may fall on")
    payee: str = Field(default="", max_length=120)
    note: str = Field(default="", max_length=1000)

    def as_input(self) -> recurring.SeriesInput:
        return recurring.SeriesInput(amount=self.amount, category=self.category, every=self.every,
                                     start=self.start, end=self.end or None, payee=self.payee, note=self.note)


class SeriesOut(BaseModel):
    id: str
    amount: str
    currency: str
    category: str
    payee: str
    note: str
    every: str
    start: str
    end: str | None
    next: str | None = Field(description="The next occurrence not created yet (null: the series has ended)")
    created_at: str
    updated_at: str


class SeriesList(BaseModel):
    recurring: list[SeriesOut]


@router.get("/recurring", summary="Your recurring expenses", tags=["Spending"], security=SECURITY)
def list_recurring() -> SeriesList:
    profile = account.require_user_session(token_of(router))
    return SeriesList(recurring=[SeriesOut(**recurring.view(s, profile.currency))
                                 for s in recurring.list_series(profile)])


@router.post(
    "/recurring",
    summary="Add a recurring expense",
    description="Every week (on the start's weekday), month (on the start's day; the 31st is the last day of "
    "shorter months) or year, from `start` to `end` (optional). Each occurrence is created once, on its day "
    "(at the scheduler's next run after 06:00 in your time zone); a start in the past (up to a year) creates "
    "the occurrences since then.",
    responses={201: {"description": "Created", "content": {"application/json": {"model": SeriesOut}}}},
    tags=["Spending"],
    security=SECURITY,
)
def create_recurring(series: SeriesIn) -> Response[SeriesOut]:
    profile = account.require_user_session(token_of(router))
    created = recurring.create(profile, series.as_input())
    return responses.created(SeriesOut(**recurring.view(created, profile.currency)))


@router.put("/recurring/<series_id>", summary="Change a recurring expense from its next occurrence on",
            tags=["Spending"], security=SECURITY)
def put_recurring(series_id: SeriesId, series: SeriesIn) -> SeriesOut:
    profile = account.require_user_session(token_of(router))
    return SeriesOut(**recurring.view(recurring.update(profile, series_id, series.as_input()), profile.currency))


@router.delete(
    "/recurring/<series_id>",
    summary="Stop a recurring expense (the expenses it created stay)",
    responses={204: {"description": "Deleted"}},
    tags=["Spending"],
    security=SECURITY,
)
def delete_recurring(series_id: SeriesId):
    profile = account.require_user_session(token_of(router))
    recurring.delete(profile, series_id)
    return Response(status_code=HTTPStatus.NO_CONTENT, content_type=content_types.APPLICATION_JSON, body="")
