"""Index the subject words of tickets stored before search by words existed: a one-off job, paged and resumable.

Intake writes a ticket's word items in its own transaction, so only tickets older than that lack them. This
pages through the tickets table (a Scan filtered to ticket items: an operator's job, never a request's path),
reads back with one BatchGet the word items each ticket of the page should have, and writes only the
missing ones. The items are keyed by word, creation moment and ticket id, so running it again, or from
any cursor, writes nothing twice, and no ticket item is touched (the ticket stream sees nothing).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pennydesk.helpdesk.subject_words import word_items
from pennydesk.helpdesk.ticket_records import TICKET_SK, Ticket, TicketWord

PAGE_SIZE = 100


@dataclass(frozen=True)
class Page:
    """What one page did, and where the next one starts (None: every ticket has been looked at)."""

    looked_at: int
    indexed: int  # tickets that missed at least one of their words
    written: int  # word items written
    cursor: dict[str, Any] | None


def backfill_page(start: dict[str, Any] | None = None, page_size: int = PAGE_SIZE) -> Page:
    """Look at up to `page_size` tickets from `start` (a cursor from the previous page) and index their words."""
    found = Ticket.scan(Ticket.sk == TICKET_SK, limit=page_size, page_size=page_size, last_evaluated_key=start)
    tickets = list(found)
    wanted = {(w.pk, w.sk): w for t in tickets for w in word_items(t)}
    present = {(w.pk, w.sk) for w in TicketWord.batch_get(list(wanted))} if wanted else set()
    missing = [w for key, w in wanted.items() if key not in present]
    with TicketWord.batch_write() as batch:
        for item in missing:
            batch.save(item)
    cursor = found.last_evaluated_key if len(tickets) == page_size else None
    return Page(len(tickets), len({w.ticket_id for w in missing}), len(missing), cursor)


def backfill(start: dict[str, Any] | None = None, page_size: int = PAGE_SIZE) -> Iterator[Page]:
    """Every page from `start` to the end of the table; each page is done (written) before it is yielded."""
    cursor = start
    while True:
        page = backfill_page(cursor, page_size)
        yield page
        if page.cursor is None:
            return
        cursor = page.cursor
