"""Categories that fill themselves: a person writes "payee contains X -> category" rules (or accepts one the
app offers after a recategorisation), and the next import of their bank's file puts each row where its rule
says. Expected categories and totals are worked out by hand from tests/fixtures/banks/nl-ing.csv."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from infra.local.engine import LocalStack
from tests.support.actors import Spender, signed_in
from tests.support.faults import assert_totals_match_expenses

ING = (Path(__file__).resolve().parents[1] / "fixtures" / "banks" / "nl-ing.csv").read_bytes()


def euro_spender(stack: LocalStack, email: str) -> Spender:
    spender = signed_in(stack, email)
    spender.settle(currency="EUR")
    return spender


def add_rule(spender: Spender, contains: str, category: str) -> dict[str, Any]:
    created = spender.call("POST", "/api/rules", body={"contains": contains, "category": category})
    assert created.status == 201, created.body
    return created.json()


def upload(spender: Spender, body: bytes = ING, query: str = "") -> dict[str, Any]:
    result = spender.stack.http("POST", "/api/expenses/import", headers={**spender.auth, "content-type": "text/csv"},
                                body=body, query=query)
    assert result.status == 200, result.body
    return result.json()


def categories(spender: Spender, month: str) -> dict[str, str]:
    return {c["category"]: c["total"] for c in spender.report(month)["categories"]}


def expenses_of(spender: Spender, month: str) -> list[dict[str, Any]]:
    return [e for page in spender.pages(month) for e in page]


def test_rules_are_listed_changed_and_deleted_by_their_owner(stack: LocalStack) -> None:
    maya = euro_spender(stack, "maya@example.com")
    lidl = add_rule(maya, "  LIDL ", "Groceries")
    assert (lidl["contains"], lidl["category"]) == ("LIDL", "groceries")
    add_rule(maya, "Shell", "transport")

    listed = maya.call("GET", "/api/rules").json()
    assert [r["contains"] for r in listed["rules"]] == ["LIDL", "Shell"] and listed["limit"] == 1000

    changed = maya.call("PUT", f"/api/rules/{lidl['id']}", body={"contains": "Lidl Berlin", "category": "dining"})
    assert changed.status == 200, changed.body
    assert changed.json()["contains"] == "Lidl Berlin" and changed.json()["id"] != lidl["id"]
    assert maya.call("PUT", f"/api/rules/{lidl['id']}", body={"contains": "x", "category": "dining"}).status == 404
    assert maya.call("DELETE", f"/api/rules/{changed.json()['id']}").status == 204
    assert maya.call("DELETE", f"/api/rules/{changed.json()['id']}").status == 404
    assert [r["contains"] for r in maya.call("GET", "/api/rules").json()["rules"]] == ["Shell"]


@pytest.mark.parametrize(("body", "field"), [
    ({"contains": "", "category": "groceries"}, "contains"),
    ({"contains": "   ", "category": "groceries"}, "contains"),
    ({"contains": "4711 0815", "category": "groceries"}, "contains"),
    ({"contains": "x" * 61, "category": "groceries"}, "contains"),
    ({"contains": "lidl\u0007", "category": "groceries"}, "contains"),
    ({"contains": "lidl", "category": "caviar"}, "category"),
    ({"contains": "lidl", "category": ""}, "category"),
    ({"contains": "lidl"}, "category"),
    ({"contains": "lidl", "category": "groceries", "extra": 1}, "extra"),
])
def test_a_rule_that_names_nothing_or_no_category_is_refused_and_nothing_stored(
    stack: LocalStack, body: dict[str, Any], field: str
) -> None:
    maya = euro_spender(stack, "maya@example.com")
    refused = maya.call("POST", "/api/rules", body=body)
    assert refused.status == 422, refused.body
    assert field in refused.body.decode()
    assert maya.call("GET", "/api/rules").json()["rules"] == []


def test_one_rule_per_pattern_and_a_cap_on_how_many(stack: LocalStack, monkeypatch: pytest.MonkeyPatch) -> None:
    from pennydesk.spending import rule_store

    maya = euro_spender(stack, "maya@example.com")
    add_rule(maya, "Albert Heijn", "groceries")
    again = maya.call("POST", "/api/rules", body={"contains": "albert  HEIJN!", "category": "dining"})
    assert again.status == 409, again.body
    monkeypatch.setattr(rule_store, "MAX_RULES", 3)
    add_rule(maya, "La Place", "dining")
    add_rule(maya, "Shell", "transport")
    over = maya.call("POST", "/api/rules", body={"contains": "BP", "category": "transport"})
    assert over.status == 422 and "3 rules" in over.json()["message"], over.body
    gone = maya.call("GET", "/api/rules").json()["rules"][0]["id"]
    assert maya.call("DELETE", f"/api/rules/{gone}").status == 204
    add_rule(maya, "BP", "transport")  # room again after a deletion


def test_an_import_puts_each_row_where_its_rule_says_and_the_totals_follow(stack: LocalStack) -> None:
    maya = euro_spender(stack, "maya@example.com")
    add_rule(maya, "Albert Heijn", "groceries")
    add_rule(maya, "la place", "dining")
    add_rule(maya, "Place", "travel")  # shorter: "la place" wins
    add_rule(maya, "Heijn Albert", "shopping")  # the words in another order match nothing

    report = upload(maya)

    assert report["imported"] == 7 and report["categorised_by_rules"] == 5
    assert report["message"].endswith(" Your rules chose the category of 5 rows.")
    # By hand: Albert Heijn 7.91 + 38.23 + 18.85 + 18.00; La Place 23.95; Money Logistics 14.00 + Bank 20.00.
    assert categories(maya, "2019-11") == {"groceries": "82.99", "dining": "23.95", "other": "34.00"}
    assert maya.report("2019-11")["total"] == "140.94"
    assert_totals_match_expenses()


def test_quick_add_asks_the_rules_for_a_category(stack: LocalStack) -> None:
    maya = euro_spender(stack, "maya@example.com")
    rule = add_rule(maya, "Albert Heijn", "groceries")
    suggested = maya.call("GET", "/api/rules/suggest", query="payee=ALBERT%20HEIJN%201081")
    assert suggested.json() == {"category": "groceries", "rule_id": rule["id"]}
    assert maya.call("GET", "/api/rules/suggest", query="payee=Jumbo").json() == {"category": None, "rule_id": None}
    assert maya.call("GET", "/api/rules/suggest").json()["category"] is None
    other = euro_spender(stack, "sam@example.com")  # rules are their owner's alone
    assert other.call("GET", "/api/rules/suggest", query="payee=Albert%20Heijn").json()["category"] is None


def test_a_recategorisation_offers_a_rule_and_the_next_import_follows_it(stack: LocalStack) -> None:
    maya = euro_spender(stack, "maya@example.com")
    assert upload(maya)["imported"] == 7
    heijn = next(e for e in expenses_of(maya, "2019-11") if e["payee"] == "Albert Heijn" and e["amount"] == "18.85")
    assert heijn["category"] == "other"

    moved = maya.edit(heijn, category="groceries")
    # The three other Albert Heijn rows of November (7.91, 38.23, 18.00) would follow the rule too.
    assert moved["rule_suggestion"] == {"contains": "Albert", "category": "groceries", "id": None, "others": 3}
    rule = add_rule(maya, **{k: moved["rule_suggestion"][k] for k in ("contains", "category")})
    applied = maya.call("POST", f"/api/rules/{rule['id']}/apply", body={"month": "2019-11"})
    assert applied.status == 200 and applied.json() == {"moved": 3, "category": "groceries"}, applied.body
    assert categories(maya, "2019-11") == {"groceries": "82.99", "other": "57.95"}
    assert maya.call("POST", f"/api/rules/{rule['id']}/apply", body={"month": "2019-11"}).json()["moved"] == 0
    assert_totals_match_expenses()
    assert maya.edit(moved, note="weekly shop")["rule_suggestion"] is None  # category unchanged: nothing to learn
    assert maya.edit(moved, category="dining")["rule_suggestion"] == {  # against the rule: offer to change it
        "contains": "Albert", "category": "dining", "id": rule["id"], "others": 3}

    sam = euro_spender(stack, "sam@example.com")  # the same file, for someone who set the rule first
    add_rule(sam, "Albert", "groceries")
    assert upload(sam)["categorised_by_rules"] == 4
    assert categories(sam, "2019-11")["groceries"] == "82.99"


def test_a_category_the_file_names_is_kept_and_re_importing_stores_nothing(stack: LocalStack) -> None:
    maya = euro_spender(stack, "maya@example.com")
    add_rule(maya, "Corner", "groceries")
    csv = b"date,amount,payee,category\n2026-11-04,-3.20,Corner shop,dining\n2026-11-05,-4.00,Corner shop,\n"
    first = upload(maya, csv, "category=category")
    assert (first["imported"], first["categorised_by_rules"]) == (2, 1)
    assert categories(maya, "2026-11") == {"dining": "3.20", "groceries": "4.00"}
    again = upload(maya, csv, "category=category")
    assert (again["imported"], again["duplicates"]) == (0, 2)
    assert_totals_match_expenses()
