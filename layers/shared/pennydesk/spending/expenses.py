"""Expenses, and the running totals that make reports cheap.

Every create, edit and delete is one DynamoDB transaction: the expense itself (conditional on the version
it read), an ADD on the month's total and on the category's total (moving between months or categories
subtracts from the old and adds to the new), and the duplicate-detection markers. ADDs commute, so
concurrent writes and retried transactions leave totals equal to the sum of the expenses.
"""

from __future__ import annotations

import base64
import json
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from pynamodb.exceptions import DoesNotExist, TransactWriteError
from pynamodb.transactions import TransactWrite

from pennydesk.platform.clock import iso, utcnow
from pennydesk.platform.dynamo import cancellation_codes, retrying, transaction
from pennydesk.platform.errors import Conflict, NotFound, PennydeskError
from pennydesk.platform.text import has_control_characters
from pennydesk.spending import account, amounts, money
from pennydesk.spending.records import (
    Expense,
    Marker,
    Profile,
    Total,
    expense_sk,
    external_id_sk,
    fingerprint_sk,
    total_sk,
    user_pk,
)

EARLIEST = date(1970, 1, 1)
MAX_PAYEE = 120
MAX_NOTE = 1000
MAX_TAGS = 10
PAGE_SIZE = 50
# A create only retries a transaction that lost a race with another one; its conditions are final.
CONFLICTS = frozenset({"TransactionConflict"})
FINAL = frozenset({"ConditionalCheckFailed"})
CROWDED = "Too many changes at once; please try again."
# Every write of a month ADDs to that month's total item, so a burst of writes (an import in another tab,
# a phone and a laptop) collides there; with backoff, this many attempts spread 50 writes at once.
HOT_TOTAL_ATTEMPTS = 12
# An edit or delete that raced another edit re-reads and applies again (last writer wins).
TOO_FAST = "This expense is changing too fast; please try again."


@dataclass(frozen=True)
class ExpenseInput:
    """What a user (or an imported row) says about an expense, still as text."""

    amount: str
    category: str
    date: str
    payee: str = ""
    note: str = ""
    tags: tuple[str, ...] = ()
    external_id: str | None = None


@dataclass(frozen=True)
class Clean:
    amount: int
    category: str
    date: str
    payee: str
    note: str
    tags: list[str]
    external_id: str | None

    @property
    def month(self) -> str:
        return self.date[:7]

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.date, self.amount, self.payee)


def fingerprint(day: str, amount: int, payee: str) -> str:
    """Date + amount + payee, normalised: how a bank row is recognised as one already recorded."""
    normal = re.sub(r"[^a-z0-9]+", " ", payee.lower()).strip()
    return fingerprint_sk(day, amount, normal)


def parse_date(value: str, *, field: str = "date") -> date:
    try:
        day = date.fromisoformat(str(value).strip())
    except ValueError:
        raise PennydeskError("Use a date like 2026-11-22.", field=field) from None
    latest = utcnow().date() + timedelta(days=366)
    if not EARLIEST <= day <= latest:
        raise PennydeskError(f"Use a date between {EARLIEST} and {latest}.", field=field)
    return day


def clean(profile: Profile, data: ExpenseInput) -> Clean:
    amount = amounts.read(data.amount, profile.currency, account.locale_of(profile))
    category = " ".join(str(data.category).split()).lower()
    if category not in account.categories(profile):
        raise PennydeskError(
            f"{data.category!r} is not one of your categories; add it in settings first.", field="category"
        )
    day = parse_date(data.date)
    payee = " ".join(str(data.payee or "").split())
    if len(payee) > MAX_PAYEE:
        raise PennydeskError(f"Keep the payee under {MAX_PAYEE} characters.", field="payee")
    note = str(data.note or "").strip()
    if len(note) > MAX_NOTE:
        raise PennydeskError(f"Keep the note under {MAX_NOTE} characters.", field="note")
    tags = sorted({" ".join(str(t).split()).lower() for t in data.tags if str(t).strip()})
    if len(tags) > MAX_TAGS or any(len(t) > 30 for t in tags):
        raise PennydeskError(f"Use at most {MAX_TAGS} tags of up to 30 characters.", field="tags")
    for text, field in ((payee, "payee"), (note, "note"), *((t, "tags") for t in tags)):
        if has_control_characters(text, allowed="\n\t"):
            raise PennydeskError("Remove control characters.", field=field)
    external = (data.external_id or "").strip() or None
    if external is not None and len(external) > 200:
        raise PennydeskError("The external id is too long.", field="external_id")
    return Clean(amount, category, day.isoformat(), payee, note, tags, external)


class TotalsChange:
    """What a transaction does to running totals, merged per total item.

    DynamoDB allows one operation per item in a transaction, so moving an expense between two categories
    of one month must touch that month's total once (with the net change), not twice.
    """

    def __init__(self) -> None:
        self._deltas: dict[tuple[str, str | None], list[int]] = {}

    def __contains__(self, key: tuple[str, str | None]) -> bool:
        """Whether (month, category or None) already has a change staged."""
        return key in self._deltas

    def add(self, month: str, category: str, amount: int, count: int) -> None:
        for key in ((month, None), (month, category)):
            delta = self._deltas.setdefault(key, [0, 0])
            delta[0] += amount
            delta[1] += count

    def stage(self, tx: TransactWrite, user_id: str) -> int:
        """Add one update per total item that actually changes; returns how many items that is."""
        staged = 0
        for (month, category), (amount, count) in sorted(
            self._deltas.items(), key=lambda kv: (kv[0][0], kv[0][1] or "")
        ):
            if amount == 0 and count == 0:
                continue
            actions = [Total.total.add(amount), Total.count.add(count), Total.month.set(month)]
            if category:
                actions.append(Total.category.set(category))
            tx.update(Total(pk=user_pk(user_id), sk=total_sk(month, category)), actions=actions)
            staged += 1
        return staged


def _stage_totals(tx: TransactWrite, user_id: str, month: str, category: str, amount: int, count: int) -> None:
    change = TotalsChange()
    change.add(month, category, amount, count)
    change.stage(tx, user_id)


def _stage_fingerprint(tx: TransactWrite, user_id: str, fp: str, delta: int) -> None:
    tx.update(Marker(pk=user_pk(user_id), sk=fp), actions=[Marker.count.add(delta)])


def create(profile: Profile, data: ExpenseInput) -> Expense:
    value = clean(profile, data)
    return create_clean(profile, value)


def new_expense_id() -> str:
    """32 hex digits that sort in the order expenses were entered (48 bits of milliseconds, then random, as
    UUIDv7 lays them out), so a day's expenses list by date, then time entered (date_key = date#id)."""
    millis = int(utcnow().timestamp() * 1000)
    return f"{millis:012x}{uuid.uuid4().hex[12:]}"


def create_clean(profile: Profile, value: Clean, *, expense_id: str | None = None,
                 recurring_id: str | None = None) -> Expense:
    """Store a checked expense; a given `expense_id` (a series' occurrence) is stored once: a second
    attempt is a Conflict on field "id" and changes nothing."""
    given = expense_id is not None
    expense_id = expense_id or new_expense_id()
    now = iso(utcnow())
    expense = Expense(
        pk=user_pk(profile.user_id),
        sk=expense_sk(expense_id),
        expense_id=expense_id,
        amount=value.amount,
        category=value.category,
        date=value.date,
        month=value.month,
        date_key=f"{value.date}#{expense_id}",
        payee=value.payee,
        note=value.note,
        tags=value.tags,
        external_id=value.external_id,
        fingerprint=value.fingerprint,
        recurring_id=recurring_id,
        created_at=now,
        updated_at=now,
        version=1,
    )

    def attempt() -> Expense:
        with transaction() as tx:
            tx.save(expense, condition=Expense.pk.does_not_exist())
            _stage_totals(tx, profile.user_id, value.month, value.category, value.amount, 1)
            _stage_fingerprint(tx, profile.user_id, value.fingerprint, +1)
            if value.external_id:
                tx.save(
                    Marker(pk=user_pk(profile.user_id), sk=external_id_sk(value.external_id), expense_id=expense_id),
                    condition=Marker.pk.does_not_exist(),
                )
        return expense

    try:
        return retrying(attempt, retry_on=CONFLICTS, final=FINAL, message=CROWDED, attempts=HOT_TOTAL_ATTEMPTS)
    except TransactWriteError as exc:
        if "ConditionalCheckFailed" not in cancellation_codes(exc):
            raise  # throttled or failed on AWS's side: nothing was written, and it is no duplicate
        if given:
            raise Conflict("This expense is already recorded.", field="id") from exc
        raise Conflict("An expense with this external id already exists.", field="external_id") from exc


def get(profile: Profile, expense_id: str) -> Expense:
    if not re.fullmatch(r"[0-9a-f]{32}", expense_id or ""):
        raise NotFound("No such expense.")
    try:
        return Expense.get(user_pk(profile.user_id), expense_sk(expense_id), consistent_read=True)
    except DoesNotExist as exc:
        raise NotFound("No such expense.") from exc


def update(profile: Profile, expense_id: str, data: ExpenseInput) -> Expense:
    value = clean(profile, data)

    def attempt() -> Expense:
        current = get(profile, expense_id)
        seen = int(current.version)
        old_amount, old_month, old_category = int(current.amount), current.month, current.category
        now = iso(utcnow())
        with transaction() as tx:
            tx.update(
                current,
                actions=[
                    Expense.amount.set(value.amount),
                    Expense.category.set(value.category),
                    Expense.date.set(value.date),
                    Expense.month.set(value.month),
                    Expense.date_key.set(f"{value.date}#{expense_id}"),
                    Expense.payee.set(value.payee),
                    Expense.note.set(value.note),
                    Expense.tags.set(value.tags),
                    Expense.fingerprint.set(value.fingerprint),
                    Expense.updated_at.set(now),
                    Expense.version.set(seen + 1),
                ],
                condition=Expense.version == seen,
            )
            change = TotalsChange()
            change.add(old_month, old_category, -old_amount, -1)
            change.add(value.month, value.category, value.amount, 1)
            change.stage(tx, profile.user_id)
            if current.fingerprint != value.fingerprint:
                _stage_fingerprint(tx, profile.user_id, current.fingerprint, -1)
                _stage_fingerprint(tx, profile.user_id, value.fingerprint, +1)
        return get(profile, expense_id)

    return retrying(attempt, message=TOO_FAST, attempts=HOT_TOTAL_ATTEMPTS)


def recategorise(profile: Profile, expense_id: str, category: str) -> Expense:
    """Move one expense to `category` (a payee rule applied to what is recorded): the expense and both
    categories' totals in one transaction, on the version read, as `update` does."""

    def attempt() -> Expense:
        current = get(profile, expense_id)
        seen, amount = int(current.version), int(current.amount)
        with transaction() as tx:
            tx.update(current, condition=Expense.version == seen, actions=[
                Expense.category.set(category), Expense.updated_at.set(iso(utcnow())), Expense.version.set(seen + 1)])
            change = TotalsChange()
            change.add(current.month, current.category, -amount, -1)
            change.add(current.month, category, amount, 1)
            change.stage(tx, profile.user_id)
        return current

    return retrying(attempt, message=TOO_FAST, attempts=HOT_TOTAL_ATTEMPTS)


def delete(profile: Profile, expense_id: str) -> None:
    def attempt() -> None:
        current = get(profile, expense_id)
        with transaction() as tx:
            tx.delete(current, condition=Expense.version == int(current.version))
            _stage_totals(tx, profile.user_id, current.month, current.category, -int(current.amount), -1)
            _stage_fingerprint(tx, profile.user_id, current.fingerprint, -1)
            if current.external_id:
                tx.delete(Marker(pk=user_pk(profile.user_id), sk=external_id_sk(current.external_id)))

    retrying(attempt, message=TOO_FAST, attempts=HOT_TOTAL_ATTEMPTS)


def list_month(
    profile: Profile, month: str, *, category: str | None = None, cursor: str | None = None, limit: int = PAGE_SIZE
) -> tuple[list[Expense], str | None]:
    """A month's expenses, newest first, one page at a time; the cursor is opaque to the client."""
    start = _decode_cursor(cursor, profile.user_id) if cursor else None
    condition = Expense.date_key.startswith(f"{month}-")
    query = Expense.by_date.query(
        user_pk(profile.user_id),
        condition,
        filter_condition=(Expense.category == category) if category else None,
        limit=limit,
        last_evaluated_key=start,
        page_size=limit,
        scan_index_forward=False,
    )
    items = list(query)
    last = query.last_evaluated_key
    return items, _encode_cursor(last) if last else None


def iter_range(profile: Profile, first: str, last: str) -> Iterator[Expense]:
    """Every expense dated first..last inclusive, in date order (export)."""
    yield from Expense.by_date.query(user_pk(profile.user_id), Expense.date_key.between(f"{first}#", f"{last}#~"))


def _encode_cursor(key: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(key, sort_keys=True).encode()).decode().rstrip("=")


def _decode_cursor(cursor: str, user_id: str) -> dict[str, Any]:
    """A cursor only ever continues the caller's own listing: its partition must be theirs."""
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if key["pk"]["S"] != user_pk(user_id):
            raise ValueError("foreign cursor")
        if set(key) != {"pk", "sk", "date_key"} or not all(set(v) == {"S"} for v in key.values()):
            raise ValueError("unexpected key shape")
        return key
    except (ValueError, KeyError, TypeError, json.JSONDecodeError):
        raise PennydeskError("This page link is not valid; start from the first page.", field="cursor") from None


def view(expense: Expense, currency: str) -> dict[str, Any]:
    return {
        "id": expense.expense_id,
        "amount": money.format(int(expense.amount), currency),
        "currency": currency,
        "category": expense.category,
        "date": expense.date,
        "payee": expense.payee,
        "note": expense.note,
        "tags": list(expense.tags or []),
        "external_id": expense.external_id,
        "recurring_id": expense.recurring_id,
        "created_at": expense.created_at,
        "updated_at": expense.updated_at,
    }
