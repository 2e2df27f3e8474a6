"""A person's payee rules in the spending table: read all at once, added, changed and removed.

Rules live in the user's partition (``RULE#<id>``, the id a digest of the normalised pattern, so a pattern
has one rule). ``RULES`` counts them: every add or removal moves it in the rule's own transaction, on
condition it stays under the cap, so two tabs adding at once can't pass it. An import reads every rule
with one Query and matches rows against one `payee_rules.Matcher`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

from pynamodb.exceptions import TransactWriteError, UpdateError

from pennydesk.platform.clock import iso, utcnow
from pennydesk.platform.dynamo import failed_condition, transaction
from pennydesk.platform.errors import Conflict, NotFound, PennydeskError
from pennydesk.spending import account, expenses, payee_rules
from pennydesk.spending.payee_rules import MAX_RULES, Matcher, Rule
from pennydesk.spending.records import (
    RULE_PREFIX,
    RULES_COUNT_SK,
    Expense,
    Marker,
    PayeeRule,
    Profile,
    rule_sk,
    user_pk,
)


def rule_id(pattern: str) -> str:
    return hashlib.sha256(pattern.encode()).hexdigest()[:24]


def _rule(item: PayeeRule) -> Rule:
    return Rule(item.rule_id, item.contains, item.pattern, item.category, item.created_at)


def all_rules(profile: Profile) -> list[Rule]:
    """Every rule of the person: one Query (a thousand rules fit in one 1 MB page)."""
    query = PayeeRule.query(user_pk(profile.user_id), PayeeRule.sk.startswith(RULE_PREFIX), consistent_read=True)
    return sorted((_rule(item) for item in query), key=lambda r: (r.pattern, r.rule_id))


def matcher(profile: Profile) -> Matcher:
    return Matcher(all_rules(profile))


def _checked(profile: Profile, contains: str, category: str) -> tuple[str, str, str]:
    """(contains as shown, pattern, category), or the 422 naming the field at fault."""
    try:
        pattern = payee_rules.check_pattern(contains)
    except ValueError as exc:
        raise PennydeskError(str(exc), field="contains") from None
    name = " ".join(str(category).split()).lower()
    if name not in account.categories(profile):
        raise PennydeskError(f"{category!r} is not one of your categories; add it in settings first.",
                             field="category")
    return " ".join(str(contains).split()), pattern, name


def _count(profile: Profile) -> Marker:
    return Marker(pk=user_pk(profile.user_id), sk=RULES_COUNT_SK)


def add(profile: Profile, contains: str, category: str) -> Rule:
    shown, pattern, name = _checked(profile, contains, category)
    now = iso(utcnow())
    item = PayeeRule(pk=user_pk(profile.user_id), sk=rule_sk(rule_id(pattern)), rule_id=rule_id(pattern),
                     contains=shown, pattern=pattern, category=name, created_at=now, updated_at=now)
    try:
        with transaction() as tx:
            tx.save(item, condition=PayeeRule.pk.does_not_exist())
            tx.update(_count(profile), actions=[Marker.count.add(1)],
                      condition=Marker.count.does_not_exist() | (Marker.count < MAX_RULES))
    except TransactWriteError as exc:
        if failed_condition(exc, 0):
            raise Conflict(f"A rule for {shown!r} already exists; change that one.", field="contains") from exc
        if failed_condition(exc, 1):
            raise PennydeskError(f"Keep to {MAX_RULES} rules; delete some first.", field="contains") from exc
        raise
    return _rule(item)


def get(profile: Profile, rid: str) -> PayeeRule:
    try:
        return PayeeRule.get(user_pk(profile.user_id), rule_sk(rid), consistent_read=True)
    except PayeeRule.DoesNotExist:
        raise NotFound("No such rule.") from None


def update(profile: Profile, rid: str, contains: str, category: str) -> Rule:
    """Change a rule; a new pattern is a new key, so the old item goes in the same transaction."""
    current = get(profile, rid)
    shown, pattern, name = _checked(profile, contains, category)
    now = iso(utcnow())
    if pattern == current.pattern:
        try:
            current.update(actions=[PayeeRule.contains.set(shown), PayeeRule.category.set(name),
                                    PayeeRule.updated_at.set(now)], condition=PayeeRule.pk.exists())
        except UpdateError as exc:
            if exc.cause_response_code == "ConditionalCheckFailedException":
                raise NotFound("No such rule.") from None  # deleted since it was read
            raise
        return _rule(current)
    item = PayeeRule(pk=current.pk, sk=rule_sk(rule_id(pattern)), rule_id=rule_id(pattern), contains=shown,
                     pattern=pattern, category=name, created_at=now, updated_at=now)
    try:
        with transaction() as tx:
            tx.delete(current, condition=PayeeRule.pk.exists())
            tx.save(item, condition=PayeeRule.pk.does_not_exist())
    except TransactWriteError as exc:
        if failed_condition(exc, 0):
            raise NotFound("No such rule.") from exc
        if failed_condition(exc, 1):
            raise Conflict(f"A rule for {shown!r} already exists; change that one.", field="contains") from exc
        raise
    return _rule(item)


def delete(profile: Profile, rid: str) -> None:
    """Delete a rule (a rule already gone is a 404; the count moves only with a deletion)."""
    try:
        with transaction() as tx:
            tx.delete(PayeeRule(pk=user_pk(profile.user_id), sk=rule_sk(rid)), condition=PayeeRule.pk.exists())
            tx.update(_count(profile), actions=[Marker.count.add(-1)])
    except TransactWriteError as exc:
        if failed_condition(exc, 0):
            raise NotFound("No such rule.") from exc
        raise


def suggestion(profile: Profile, changed: Expense, old_category: str) -> dict[str, Any] | None:
    """After an expense moved from `old_category` to another: the rule to offer, if any, and how many other
    expenses of its month that rule would move too (`others`, which POST /api/rules/{id}/apply moves)."""
    payee, category = changed.payee, changed.category
    if category == old_category or not payee.strip():
        return None
    rules = matcher(profile)
    contains = payee_rules.learn(payee, category, rules)
    if contains is None:
        return None
    offer: dict[str, Any] = {"contains": contains, "category": category, "id": None}
    same = rules.find(payee_rules.normalise(contains))
    if same is not None:  # that pattern has a rule already (for another category): the offer changes it
        offer["id"] = same.rule_id
    alone = Matcher([Rule("offer", contains, payee_rules.normalise(contains), category, "")])
    offer["others"] = sum(1 for e in _month(profile, changed.month)
                          if e.expense_id != changed.expense_id and e.category != category and alone.match(e.payee))
    return offer


def _month(profile: Profile, month: str) -> Iterator[Expense]:
    return expenses.iter_range(profile, f"{month}-01", f"{month}-31")


def apply(profile: Profile, rid: str, month: str) -> tuple[int, str]:
    """Put the month's expenses whose payee this rule wins for in its category: (how many moved, category)."""
    rule = _rule(get(profile, rid))
    if rule.category not in account.categories(profile):
        raise PennydeskError(f"{rule.category!r} is no longer one of your categories.", field="category")
    rules = matcher(profile)
    moved = 0
    for expense in list(_month(profile, month)):
        winner = rules.match(expense.payee) if expense.category != rule.category else None
        if winner is not None and winner.rule_id == rule.rule_id:
            expenses.recategorise(profile, expense.expense_id, rule.category)
            moved += 1
    return moved, rule.category


def view(rule: Rule) -> dict[str, Any]:
    return {"id": rule.rule_id, "contains": rule.contains, "category": rule.category, "created_at": rule.created_at}
