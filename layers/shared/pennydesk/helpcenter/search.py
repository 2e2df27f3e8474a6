"""What a customer typed, turned into a query the engine cannot misread: our own words, each quoted.

The text is never handed to FTS5's MATCH as it came: NEAR, *, quotes, -, column filters and parentheses
are the engine's syntax, so the words are cut out here (letters and digits only), quoted one by one and
joined with OR; bm25 then ranks the articles that hold more of them, in any order, first. A word the
articles never use is tried with its one-letter typos fixed against the articles' own vocabulary.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from pennydesk.platform.errors import PennydeskError
from pennydesk.platform.text import has_control_characters

MAX_QUERY_CHARS = 200
MAX_TERMS = 12
MAX_TERM_CHARS = 40
MAX_TYPO_FIXES = 5
WORD = re.compile(r"[^\W_]+")
# Words that say nothing about the problem: "I was charged twice" is about "charged" and "twice".
STOP_WORDS = frozenset({
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "can", "could", "did", "do", "does", "for", "from",
    "had", "has", "have", "how", "i", "if", "in", "into", "is", "it", "its", "me", "my", "no", "not", "of", "on",
    "or", "our", "so", "that", "the", "their", "them", "then", "there", "these", "they", "this", "to", "too", "us",
    "was", "we", "were", "what", "when", "where", "which", "who", "why", "will", "with", "would", "you", "your",
})


class BadQuery(PennydeskError):
    """A search the help center will not run (422), said in words a customer understands."""


def check(query: str, field: str = "q") -> str:
    """The query, or a 422 when it is longer than anyone types or carries control characters."""
    if len(query) > MAX_QUERY_CHARS:
        raise BadQuery(f"Search for at most {MAX_QUERY_CHARS} characters.", field=field)
    if has_control_characters(query, allowed="") or any(unicodedata.category(ch) == "Cs" for ch in query):
        raise BadQuery("Search with words: the text has control characters.", field=field)
    return query


def words(text: str) -> list[str]:
    """Every run of letters and digits in `text`, lower-cased: the same cuts FTS5's unicode61 tokenizer makes."""
    return WORD.findall(text.lower())


def vocabulary(texts: Iterable[str]) -> set[str]:
    """Every word of the texts, once: split on whitespace first, so the regex runs once per distinct token
    rather than over every character (half the time on 2,000 articles)."""
    tokens: set[str] = set()
    for text in texts:
        tokens.update(text.lower().split())
    return {word for token in tokens for word in WORD.findall(token)}


def terms(query: str) -> list[str]:
    """The words worth searching for, in order, once each; stop words only when nothing else is left."""
    found = [w for w in dict.fromkeys(words(query)) if len(w) <= MAX_TERM_CHARS]
    meaningful = [w for w in found if w not in STOP_WORDS]
    return (meaningful or found)[:MAX_TERMS]


def quoted(term: str) -> str:
    """One FTS5 string: `term` holds letters and digits only, so it needs no escaping inside the quotes."""
    assert WORD.fullmatch(term), term
    return f'"{term}"'


def edits1(word: str, alphabet: Iterable[str]) -> set[str]:
    """Every string one deletion, swap of neighbours, replacement or insertion away from `word`."""
    letters = sorted(set(alphabet))
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = {a + b[1:] for a, b in splits if b}
    swaps = {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    replaces = {a + c + b[1:] for a, b in splits if b for c in letters}
    inserts = {a + c + b for a, b in splits for c in letters}
    return (deletes | swaps | replaces | inserts) - {word}


def typo_fixes(term: str, vocabulary: set[str], alphabet: Iterable[str]) -> list[str]:
    """The articles' words one typo away from `term` (a few, stable order); none for very short words."""
    if len(term) < 4:
        return []
    return sorted(edits1(term, alphabet) & vocabulary)[:MAX_TYPO_FIXES]


def expression(alternatives: list[list[str]], prefix_last: bool = False) -> str:
    """An FTS5 MATCH expression: each term's alternatives quoted and OR-ed together; the last term may also
    match as a prefix (the customer is still typing it)."""
    groups = []
    for position, options in enumerate(alternatives):
        parts = [quoted(option) for option in options]
        if prefix_last and position == len(alternatives) - 1 and len(options[0]) >= 2:
            parts.append(quoted(options[0]) + "*")
        groups.append(" OR ".join(parts))
    return " OR ".join(f"({group})" for group in groups)


def ticket_terms(subject: str, description: str) -> tuple[list[str], list[str]]:
    """(the subject's words, every word worth searching for: the subject's first, then the description's)."""
    from_subject = terms(subject)
    return from_subject, list(dict.fromkeys(from_subject + terms(description)))[:MAX_TERMS]


def answers_ticket(matched: set[str], subject_terms: list[str], all_terms: list[str]) -> bool:
    """An article is worth offering for a ticket (in its emails, on the agent's page) when it holds two of the
    ticket's words, one of them from the subject (the one word, when that is all there is): one shared word
    such as "order" or "account" is chance, not an answer."""
    if not matched & set(subject_terms or all_terms):
        return False
    return len(matched) >= min(2, len(all_terms))

