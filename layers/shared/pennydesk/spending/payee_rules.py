"""Payee rules, "payee contains X → category", as plain functions: normalise, match, choose, learn.

A pattern and a payee are compared as words: both are normalised the same way (accents stripped, case
folded, punctuation and runs of 4+ digits removed), and a rule matches when its words appear in the payee's
words, consecutively ("lidl" matches "LIDL SAGT DANKE 4711" and "Lidl Berlin", "shell" does not match
"Eggshell"). When several rules match, the longest pattern wins, then the newest.

Matching cost does not grow with the number of rules: `Matcher` indexes the rules by their first word, so a
payee of n words looks up n dictionary keys and checks only the rules starting with one of its words.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

MAX_RULES = 1000
MAX_PATTERN = 60
_DIGIT_RUNS = re.compile(r"\d{4,}")  # card numbers, terminal ids, dates: never what names a payee
_NOT_WORD = re.compile(r"[^\w]+|_+")
# Words that name no payee: legal forms, card-terminal chatter, what a bank puts around a name.
NOISE = frozenset((
    "gmbh", "co", "kg", "ag", "bv", "nv", "ltd", "limited", "inc", "llc", "plc", "sa", "sarl", "srl", "ug", "ohg",
    "ev", "the", "and", "und", "en", "et", "pos", "card", "kaart", "karte", "sagt", "danke", "thanks", "payment",
    "betaling", "zahlung", "purchase", "kauf", "www", "com",
))


def words(text: str, *, fold: bool = True) -> list[str]:
    """The words of a payee or pattern: accents stripped, (case folded,) digit runs and punctuation gone."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    if fold:
        plain = plain.casefold()
    return [w for w in _NOT_WORD.split(_DIGIT_RUNS.sub(" ", plain)) if w]


def normalise(text: str) -> str:
    """The form a pattern is stored and compared in: its words, single-spaced."""
    return " ".join(words(text))


@dataclass(frozen=True)
class Rule:
    rule_id: str
    contains: str  # as the person typed it
    pattern: str  # normalise(contains)
    category: str
    created_at: str  # ISO 8601: the tie-break between patterns of one length (newest wins)


def rank(rule: Rule) -> tuple[int, int, str]:
    """Longest pattern first (in words, then characters), then the newest."""
    return (len(rule.pattern.split()), len(rule.pattern), rule.created_at)


class Matcher:
    """Every rule of one person, indexed by the first word of its pattern; built once per import."""

    def __init__(self, rules: Iterable[Rule]) -> None:
        self._by_first: dict[str, list[tuple[tuple[str, ...], Rule]]] = {}
        for rule in rules:
            tokens = tuple(rule.pattern.split())
            if tokens:
                self._by_first.setdefault(tokens[0], []).append((tokens, rule))
        for candidates in self._by_first.values():
            candidates.sort(key=lambda item: rank(item[1]), reverse=True)

    def __len__(self) -> int:
        return sum(len(c) for c in self._by_first.values())

    def find(self, pattern: str) -> Rule | None:
        """The rule whose pattern is exactly `pattern` (normalised), if any."""
        tokens = tuple(pattern.split())
        return next((r for p, r in self._by_first.get(tokens[0], ()) if p == tokens), None) if tokens else None

    def match(self, payee: str) -> Rule | None:
        """The winning rule for `payee`, or None."""
        tokens = words(payee)
        best: Rule | None = None
        for start, token in enumerate(tokens):
            for pattern, rule in self._by_first.get(token, ()):
                if best is not None and rank(rule) <= rank(best):
                    break  # sorted best first: nothing after this one can win
                if tuple(tokens[start: start + len(pattern)]) == pattern:
                    best = rule
                    break
        return best


def learn(payee: str, category: str, matcher: Matcher) -> str | None:
    """What to offer after someone put an expense from `payee` in `category`: the words that name the payee
    (its first word, two when the first is short), as the payee wrote them; None when the rules already say
    so or the payee has no name in it."""
    shown = [w for w in words(payee, fold=False) if w.casefold() not in NOISE and not w.isdigit()]
    if not shown:
        return None
    take = shown[:2] if len(shown[0]) < 4 and len(shown) > 1 else shown[:1]
    contains = " ".join(take)
    current = matcher.match(payee)
    if current is not None and current.category == category:
        return None
    return contains


def check_pattern(contains: str) -> str:
    """The normalised pattern of what someone typed, or ValueError saying what is wrong with it."""
    text = " ".join(str(contains).split())
    if any(unicodedata.category(c) == "Cc" for c in str(contains) if c not in " "):
        raise ValueError("Remove control characters.")
    if len(text) > MAX_PATTERN:
        raise ValueError(f"Keep the text under {MAX_PATTERN} characters.")
    pattern = normalise(text)
    if not pattern:
        raise ValueError("Give a word the payee contains (letters; long numbers are ignored).")
    return pattern
