"""/api/rules...: the caller's payee rules ("payee contains X -> category"), and the category they suggest for
a payee (quick add). Every route acts on the session's own account."""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from pennydesk.spending import account, rule_store
from pennydesk.spending.months import check_month
from pydantic import BaseModel, ConfigDict, Field

from routes import responses
from routes.auth_header import SECURITY, token_of

router = Router()
RuleId = Annotated[str, Path(pattern=r"^[0-9a-f]{24}$")]


class RuleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    contains: str = Field(min_length=1, max_length=60, examples=["LIDL"])
    category: str = Field(min_length=1, max_length=40, examples=["groceries"])


class RuleOut(BaseModel):
    id: str
    contains: str
    category: str
    created_at: str


class RuleList(BaseModel):
    rules: list[RuleOut]
    limit: int


class Suggestion(BaseModel):
    category: str | None
    rule_id: str | None


@router.get("/rules", summary="Your payee rules", tags=["Spending"], security=SECURITY)
def list_rules() -> RuleList:
    profile = account.require_user_session(token_of(router))
    rules = sorted(rule_store.all_rules(profile), key=lambda r: r.contains.casefold())
    return RuleList(rules=[RuleOut(**rule_store.view(r)) for r in rules], limit=rule_store.MAX_RULES)


@router.post(
    "/rules",
    summary="Add a rule: payee contains X -> category",
    description="Matched as words, ignoring case, accents, punctuation and long numbers; the longest matching "
    "pattern wins, then the newest. Applied to imported rows that would land in the default category.",
    responses={201: {"description": "Created", "content": {"application/json": {"model": RuleOut}}}},
    tags=["Spending"],
    security=SECURITY,
)
def create_rule(rule: RuleIn) -> Response[RuleOut]:
    profile = account.require_user_session(token_of(router))
    created = rule_store.add(profile, rule.contains, rule.category)
    return responses.created(RuleOut(**rule_store.view(created)))


@router.get("/rules/suggest", summary="The category your rules give a payee", tags=["Spending"], security=SECURITY)
def suggest(payee: Annotated[str, Query(max_length=120)] = "") -> Suggestion:
    profile = account.require_user_session(token_of(router))
    found = rule_store.matcher(profile).match(payee) if payee.strip() else None
    return Suggestion(category=found.category if found else None, rule_id=found.rule_id if found else None)


class ApplyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    month: str = Field(pattern=r"^\d{4}-\d{2}$", examples=["2026-11"])


class Applied(BaseModel):
    moved: int
    category: str


@router.post("/rules/<rule_id>/apply", summary="Put a month's expenses where the rule says",
             description="Every expense of `month` whose payee this rule wins for (the longest match, then the "
             "newest) and that is in another category moves to the rule's category, totals with it.",
             tags=["Spending"], security=SECURITY)
def apply_rule(rule_id: RuleId, body: ApplyIn) -> Applied:
    profile = account.require_user_session(token_of(router))
    moved, category = rule_store.apply(profile, rule_id, check_month(body.month))
    return Applied(moved=moved, category=category)


@router.put("/rules/<rule_id>", summary="Change a rule", tags=["Spending"], security=SECURITY)
def put_rule(rule_id: RuleId, rule: RuleIn) -> RuleOut:
    profile = account.require_user_session(token_of(router))
    return RuleOut(**rule_store.view(rule_store.update(profile, rule_id, rule.contains, rule.category)))


@router.delete(
    "/rules/<rule_id>",
    summary="Delete a rule",
    responses={204: {"description": "Deleted"}},
    tags=["Spending"],
    security=SECURITY,
)
def delete_rule(rule_id: RuleId):
    profile = account.require_user_session(token_of(router))
    rule_store.delete(profile, rule_id)
    return Response(status_code=HTTPStatus.NO_CONTENT, content_type=content_types.APPLICATION_JSON, body="")
