"""/api/expenses...: record, list, read, change and delete expenses. Every route acts on the caller's own
account: the user comes from the session, never from the path or query, so no id can reach someone else's data."""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.utilities.idempotency import idempotent_function
from pennydesk.platform.idempotency import REQUEST_CONFIG, persistence
from pennydesk.spending import account, expenses, money, rule_store
from pennydesk.spending.months import check_month
from pennydesk.spending.records import Expense
from pydantic import BaseModel, ConfigDict, Field

from routes.auth_header import SECURITY, token_of
from routes.fields import Money
from routes.idempotency import IdempotencyKey, checked_key

router = Router()
ExpenseId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$")]


class ExpenseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    amount: Money
    category: str = Field(min_length=1, max_length=40)
    date: str = Field(max_length=10, examples=["2026-11-22"])
    payee: str = Field(default="", max_length=120)
    note: str = Field(default="", max_length=1000)
    tags: list[Annotated[str, Field(max_length=30)]] = Field(default_factory=list, max_length=10)

    def as_input(self) -> expenses.ExpenseInput:
        return expenses.ExpenseInput(
            amount=self.amount,
            category=self.category,
            date=self.date,
            payee=self.payee,
            note=self.note,
            tags=tuple(self.tags),
        )


class ExpenseOut(BaseModel):
    id: str
    amount: str
    currency: str
    category: str
    date: str
    payee: str
    note: str
    tags: list[str]
    external_id: str | None
    recurring_id: str | None = Field(default=None, description="The recurring expense that created it, if one did")
    created_at: str
    updated_at: str


class RuleOffer(BaseModel):
    contains: str
    category: str
    id: str | None = Field(description="The rule for these words to change, when one exists for another category")
    others: int = Field(default=0, description="Other expenses of the month the rule would move too (POST "
                        "/api/rules/{id}/apply moves them)")


class ExpenseChanged(ExpenseOut):
    rule_suggestion: RuleOffer | None = Field(
        default=None, description="When the category changed and no rule says so yet: the rule to offer "
        '("Always put LIDL in groceries?"); POST it to /api/rules (or PUT /api/rules/{id})')


def expense_out(expense: Expense, currency: str) -> ExpenseOut:
    return ExpenseOut(
        id=expense.expense_id,
        amount=money.format(int(expense.amount), currency),
        currency=currency,
        category=expense.category,
        date=expense.date,
        payee=expense.payee,
        note=expense.note,
        tags=list(expense.tags or []),
        external_id=expense.external_id,
        recurring_id=expense.recurring_id,
        created_at=expense.created_at,
        updated_at=expense.updated_at,
    )


class ExpensePage(BaseModel):
    expenses: list[ExpenseOut]
    next_cursor: str | None


@idempotent_function(data_keyword_argument="request", config=REQUEST_CONFIG, persistence_store=persistence("request"))
def _create_once(request: dict) -> dict:
    profile = account.get(request["user_id"])
    created = expenses.create(profile, ExpenseIn.model_validate(request["payload"]).as_input())
    return expense_out(created, profile.currency).model_dump()  # stored as the idempotent response: plain JSON


@router.post(
    "/expenses",
    summary="Record an expense",
    description="Send an `Idempotency-Key` to make retries safe: the same key and body return the first "
    "response again (nothing is recorded twice); the same key with another body is a 422.",
    responses={201: {"description": "Created", "content": {"application/json": {"model": ExpenseOut}}}},
    tags=["Spending"],
    security=SECURITY,
)
def create_expense(expense: ExpenseIn, idempotency_key: IdempotencyKey = None) -> Response[ExpenseOut]:
    profile = account.require_user_session(token_of(router))
    if idempotency_key is None:
        body = expense_out(expenses.create(profile, expense.as_input()), profile.currency).model_dump()
    else:
        # Keys are scoped to the user: one user's key never replays another's response.
        body = _create_once(
            request={
                "key": f"expense/{profile.user_id}/{checked_key(idempotency_key)}",
                "user_id": profile.user_id,
                "payload": expense.model_dump(mode="json"),
            }
        )
    return Response(status_code=HTTPStatus.CREATED, content_type=content_types.APPLICATION_JSON, body=body)


@router.get("/expenses", summary="A month's expenses, by date, a page at a time", tags=["Spending"], security=SECURITY)
def list_expenses(
    month: Annotated[str, Query(pattern=r"^\d{4}-\d{2}$", description="YYYY-MM")],
    category: Annotated[str | None, Query(max_length=40)] = None,
    cursor: Annotated[str | None, Query(max_length=1024)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = expenses.PAGE_SIZE,
) -> ExpensePage:
    profile = account.require_user_session(token_of(router))
    items, next_cursor = expenses.list_month(
        profile, check_month(month), category=category, cursor=cursor, limit=limit
    )
    return ExpensePage(
        expenses=[expense_out(e, profile.currency) for e in items], next_cursor=next_cursor
    )


@router.get("/expenses/<expense_id>", summary="One expense", tags=["Spending"], security=SECURITY)
def get_expense(expense_id: ExpenseId) -> ExpenseOut:
    profile = account.require_user_session(token_of(router))
    return expense_out(expenses.get(profile, expense_id), profile.currency)


@router.put("/expenses/<expense_id>", summary="Change an expense", tags=["Spending"], security=SECURITY)
def put_expense(expense_id: ExpenseId, expense: ExpenseIn) -> ExpenseChanged:
    profile = account.require_user_session(token_of(router))
    before = expenses.get(profile, expense_id).category
    changed = expenses.update(profile, expense_id, expense.as_input())
    offer = rule_store.suggestion(profile, changed, before)
    return ExpenseChanged(**expense_out(changed, profile.currency).model_dump(),
                          rule_suggestion=RuleOffer(**offer) if offer else None)


@router.delete(
    "/expenses/<expense_id>",
    summary="Delete an expense",
    responses={204: {"description": "Deleted"}},
    tags=["Spending"],
    security=SECURITY,
)
def delete_expense(expense_id: ExpenseId):
    profile = account.require_user_session(token_of(router))
    expenses.delete(profile, expense_id)
    return Response(status_code=HTTPStatus.NO_CONTENT, content_type=content_types.APPLICATION_JSON, body="")
