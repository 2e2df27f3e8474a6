"""/api/me: my profile and budgets. It acts on the caller's own account: the user comes from the session."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from aws_lambda_powertools.event_handler.api_gateway import Router
from pennydesk.spending import account
from pydantic import BaseModel, ConfigDict, Field

from routes.auth_header import SECURITY, token_of
from routes.fields import Money

router = Router()


class Me(BaseModel):
    email: str
    locale: str = Field(description='How amounts, dates and months are written, e.g. "de-DE"', examples=["en-GB"])
    currency: str
    decimals: int
    monthly_limit: str | None
    category_limits: dict[str, str]
    alert_thresholds: list[int]
    digest: Literal["weekly", "monthly", "off"]
    budget_alerts: bool
    timezone: str
    categories: list[str]
    custom_categories: list[str]
    category_names: dict[str, str] = Field(
        description='Each category as it is shown: "Dining" for "dining", your own as you wrote them'
    )


def me_view(account_view: dict[str, Any]) -> Me:
    """The account as the domain describes it (account.view), field by field."""
    return Me(
        email=account_view["email"],
        locale=account_view["locale"],
        currency=account_view["currency"],
        decimals=account_view["decimals"],
        monthly_limit=account_view["monthly_limit"],
        category_limits=account_view["category_limits"],
        alert_thresholds=account_view["alert_thresholds"],
        digest=account_view["digest"],
        budget_alerts=account_view["budget_alerts"],
        timezone=account_view["timezone"],
        categories=account_view["categories"],
        custom_categories=account_view["custom_categories"],
        category_names=account_view["category_names"],
    )


class MeChanges(BaseModel):
    model_config = ConfigDict(extra="forbid")
    locale: str | None = Field(default=None, max_length=35, description='A locale tag such as "de-DE"')
    currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")
    monthly_limit: Money | None = None
    category_limits: dict[str, Money | None] | None = Field(default=None, max_length=60)
    alert_thresholds: list[int] | None = Field(default=None, max_length=5)
    digest: Literal["weekly", "monthly", "off"] | None = None
    budget_alerts: bool | None = Field(default=None, description="Emails when spending reaches a threshold")
    timezone: str | None = Field(default=None, max_length=64)
    categories: list[Annotated[str, Field(max_length=40)]] | None = Field(
        default=None, max_length=30, description="Your own categories, beside the defaults"
    )


@router.get("/me", summary="My profile and budgets", tags=["Spending"], security=SECURITY)
def get_me() -> Me:
    profile = account.require_user_session(token_of(router))
    return me_view(account.view(profile, accept_language=_accept_language()))


@router.put(
    "/me",
    summary="Change my profile and budgets",
    description="Send only what changes. Limits are amounts in your currency, as plain digits (\"1500.00\") or "
    "as your locale writes them (\"1.500,00\" in de-DE); null removes one. Every refused field is listed at "
    "once in `errors`. The currency can't change once expenses exist (409); until you choose one, a new "
    "account's currency follows its locale's country.",
    tags=["Spending"],
    security=SECURITY,
)
def put_me(changes: MeChanges) -> Me:
    profile = account.require_user_session(token_of(router))
    updated = account.update(profile, changes.model_dump(exclude_unset=True))
    return me_view(account.view(updated, accept_language=_accept_language()))


def _accept_language() -> str | None:
    """The browser's languages: the locale of an account that has none stored yet (a GET never stores it)."""
    return router.current_event.headers.get("accept-language")
