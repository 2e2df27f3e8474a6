"""The words a ticket's subject is found by: lower-cased runs of letters and digits, at least two long,
without the commonest English words, at most MAX_WORDS distinct ones (the first in the subject)."""

from __future__ import annotations

import re

from pennydesk.helpdesk.ticket_records import Ticket, TicketWord, recency_key, word_pk

MAX_WORDS = 16  # the ticket's transaction holds it, its timers and these: well under DynamoDB's 100
MAX_WORD_LENGTH = 40
WORD = re.compile(r"[^\W_]+")
_COMMON_TEXT = (
    "a an and are as at be but by can do for from has have how i in is it its me my no not of on or our so "
    "that the this to was we what when why will with you your"
)
COMMON = frozenset(_COMMON_TEXT.split(" "))


def words_of(text: str) -> list[str]:
    """Distinct search words of `text`, in order of first appearance."""
    found = (w[:MAX_WORD_LENGTH] for w in WORD.findall(text.casefold()))
    return list(dict.fromkeys(w for w in found if len(w) >= 2 and w not in COMMON))[:MAX_WORDS]


def word_items(ticket: Ticket) -> list[TicketWord]:
    """One item per subject word, saved with the new ticket."""
    words = words_of(ticket.subject)
    joined = " ".join(words)
    return [
        TicketWord(pk=word_pk(w), sk=recency_key(ticket.created_at, ticket.ticket_id), ticket_id=ticket.ticket_id,
                   words=joined)
        for w in words
    ]
