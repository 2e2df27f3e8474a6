"""Payee rules: what a payee's words are, which rule wins, and what a recategorisation offers to learn."""

from __future__ import annotations

import pytest
from pennydesk.spending.payee_rules import Matcher, Rule, check_pattern, learn, normalise, words


def rule(contains: str, category: str, created_at: str = "2026-11-01T00:00:00Z") -> Rule:
    pattern = normalise(contains)
    return Rule(f"id-{pattern}", contains, pattern, category, created_at)


def test_payee_words_ignore_case_accents_punctuation_and_long_numbers() -> None:
    assert words("LIDL SAGT DANKE//Berlin 4711-2026") == ["lidl", "sagt", "danke", "berlin"]
    assert normalise("Café Münster*GmbH") == "cafe munster gmbh"
    assert normalise("7-Eleven #123") == "7 eleven 123"  # short numbers are part of a name
    assert normalise("AMAZON.DE*AB12CD34 1234567890") == "amazon de ab12cd34"


def test_a_rule_matches_whole_words_in_order_not_parts_of_words() -> None:
    rules = Matcher([rule("Shell", "transport"), rule("albert heijn", "groceries")])
    assert rules.match("SHELL 1234 UTRECHT").category == "transport"
    assert rules.match("Eggshell Bakery") is None
    assert rules.match("ALBERT HEIJN 1081 AMSTERDAM").category == "groceries"
    assert rules.match("Heijn Albert") is None
    assert rules.match("") is None


def test_the_longest_pattern_wins_then_the_newest() -> None:
    rules = Matcher([
        rule("amazon", "shopping", "2026-01-01T00:00:00Z"),
        rule("amazon prime", "subscriptions", "2025-01-01T00:00:00Z"),
        rule("prime", "entertainment", "2026-06-01T00:00:00Z"),
    ])
    assert rules.match("AMAZON PRIME*2K4 Amzn.com/bill").category == "subscriptions"
    assert rules.match("Amazon Marketplace").category == "shopping"
    newer = Matcher([rule("uber", "transport", "2026-01-01T00:00:00Z"), rule("eats", "dining", "2026-02-01T00:00:00Z")])
    assert newer.match("UBER EATS").category == "dining"  # same length: the newer rule


def test_learning_offers_the_payee_name_unless_a_rule_already_says_so() -> None:
    assert learn("LIDL SAGT DANKE 4711", "groceries", Matcher([])) == "LIDL"
    assert learn("AH to go 8812", "groceries", Matcher([])) == "AH to"
    assert learn("Café Münster", "dining", Matcher([])) == "Cafe"
    assert learn("0123 4567", "groceries", Matcher([])) is None
    assert learn("LIDL Berlin", "groceries", Matcher([rule("lidl", "groceries")])) is None
    assert learn("LIDL Berlin", "dining", Matcher([rule("lidl", "groceries")])) == "LIDL"


@pytest.mark.parametrize(("text", "problem"), [
    ("", "Give a word"), ("  ", "Give a word"), ("12345678", "Give a word"), ("---", "Give a word"),
    ("x" * 61, "under 60"), ("lidl\x00", "control"), ("li\ndl", "control"),
])
def test_patterns_that_name_nothing_are_refused(text: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        check_pattern(text)


def test_matching_looks_only_at_rules_that_start_with_one_of_the_payees_words() -> None:
    many = Matcher([rule(f"shop{n}", "shopping") for n in range(1000)] + [rule("lidl", "groceries")])
    assert len(many) == 1001
    assert many.match("LIDL 1234").category == "groceries"
    assert many.match("shop999 street").rule_id == "id-shop999"
    assert many.find("shop5") is not None and many.find("shop5000") is None
