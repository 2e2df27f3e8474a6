"""The desk's lists: each view one Query on the index built for it, one page per request, and search by
number, customer address or subject words (docs/data-model.md, "Desk views").

A page reads at most PAGE_SIZE index items whatever the desk holds; filters (category, priority, agent, SLA
state) are applied to that page, so a filtered page may be short and still carry a cursor. Cursors are
signed and name the view, search, filters and caller they were issued for: any other request refuses them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from itsdangerous import BadSignature, URLSafeSerializer

from pennydesk.helpdesk import desk_sla, subject_words
from pennydesk.helpdesk.ticket_records import (
    DESK_ALL,
    DESK_OPEN,
    TICKET_SK,
    Ticket,
    TicketTimer,
    TicketWord,
    customer_key,
    desk_bucket,
    ticket_pk,
    ticket_timers_pk,
    word_pk,
)
from pennydesk.helpdesk.vocabulary import SLA_KINDS
from pennydesk.identity import tokens
from pennydesk.platform.clock import utcnow
from pennydesk.platform.errors import PennydeskError
from pennydesk.scheduling.records import timer_sk

VIEWS = ("mine", "unassigned", "open", "waiting", "resolved", "all")
PAGE_SIZE = 25
MAX_QUERY = 200
NUMBER = re.compile(r"^#?\s*(\d{1,9})$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class Filters:
    category: str | None = None
    priority: str | None = None
    agent: str | None = None
    sla: str | None = None


@dataclass(frozen=True)
class Caller:
    email: str
    agent_id: str | None  # None: an admin who is not an agent (their "mine" is empty)


@dataclass(frozen=True)
class Row:
    ticket: Ticket
    sla: desk_sla.SlaState


@dataclass(frozen=True)
class Page:
    rows: list[Row]
    next_cursor: str | None


def page(view: str, caller: Caller, *, q: str = "", filters: Filters = Filters(), cursor: str | None = None) -> Page:
    """One page of `view` (narrowed by `q` and `filters`) for `caller`."""
    if view not in VIEWS:
        raise PennydeskError(f"view is one of {', '.join(VIEWS)}.", field="view")
    query = clean_query(q)
    start = _open_cursor(cursor, _binding(view, query, filters, caller))
    tickets, last = _search(query, start) if query else _list(view, caller, start)
    if query:
        tickets = [t for t in tickets if _in_view(t, view, caller)]
    rows = [Row(t, s) for t, s in zip(tickets, _sla_states(tickets), strict=True) if _passes(t, s, filters)]
    return Page(rows, _issue_cursor(last, _binding(view, query, filters, caller)) if last else None)


def customer_tickets(email: str, limit: int = 100) -> list[Ticket]:
    """Every ticket raised from `email`, newest first (one Query on the customer index)."""
    return list(Ticket.by_customer.query(customer_key(email), scan_index_forward=False, limit=limit))


# ------------------------------------------------------------------------------------------ search
def clean_query(q: str | None) -> str:
    """The search as typed, trimmed; too long or with control characters is a 422 saying which."""
    text = (q or "").strip()
    if len(text) > MAX_QUERY:
        raise PennydeskError(f"A search is at most {MAX_QUERY} characters.", field="q")
    if any(unicodedata.category(c) in ("Cc", "Cf", "Cs", "Co") for c in text):
        raise PennydeskError("A search can't contain control characters.", field="q")
    return text


def _search(query: str, start: dict[str, Any] | None) -> tuple[list[Ticket], dict[str, Any] | None]:
    number = NUMBER.match(query)
    if number:
        return (list(Ticket.by_number.query(int(number.group(1)), limit=1)), None) if start is None else ([], None)
    if "@" in query:
        if not EMAIL.match(query):
            return [], None
        found = Ticket.by_customer.query(
            customer_key(query), scan_index_forward=False, limit=PAGE_SIZE, page_size=PAGE_SIZE,
            last_evaluated_key=start,
        )
        return list(found), found.last_evaluated_key
    return _by_words(subject_words.words_of(query), start)


def _by_words(words: list[str], start: dict[str, Any] | None) -> tuple[list[Ticket], dict[str, Any] | None]:
    """Read one page of the longest word's partition and keep the tickets whose subject has every word."""
    if not words:
        return [], None
    anchor = max(words, key=len)
    found = TicketWord.query(
        word_pk(anchor), scan_index_forward=False, limit=PAGE_SIZE, page_size=PAGE_SIZE, last_evaluated_key=start
    )
    hits = [item.ticket_id for item in found if set(words) <= set(item.words.split())]
    return _tickets_by_id(hits), found.last_evaluated_key


def _tickets_by_id(ids: list[str]) -> list[Ticket]:
    """The tickets, in the order given (one BatchGetItem for a page)."""
    by_id = {t.ticket_id: t for t in Ticket.batch_get([(ticket_pk(i), TICKET_SK) for i in ids])} if ids else {}
    return [by_id[i] for i in ids if i in by_id]


# ------------------------------------------------------------------------------------------- views
def _list(view: str, caller: Caller, start: dict[str, Any] | None) -> tuple[list[Ticket], dict[str, Any] | None]:
    paging: dict[str, Any] = {"limit": PAGE_SIZE, "page_size": PAGE_SIZE, "last_evaluated_key": start}
    if view == "mine":
        if caller.agent_id is None:
            return [], None
        found = Ticket.agent_queue.query(caller.agent_id, **paging)
    elif view == "open":
        found = Ticket.desk_open_index.query(DESK_OPEN, **paging)
    elif view == "all":
        found = Ticket.desk_all_index.query(DESK_ALL, scan_index_forward=False, **paging)
    else:
        newest_first = view != "unassigned"
        found = Ticket.desk_status_index.query(view, scan_index_forward=not newest_first, **paging)
    return list(found), found.last_evaluated_key


def _in_view(ticket: Ticket, view: str, caller: Caller) -> bool:
    """Whether a ticket a search found belongs to `view` (the views' own rules, as the indexes keep them)."""
    if view == "mine":
        return caller.agent_id is not None and ticket.queue_agent == caller.agent_id
    if view == "open":
        return ticket.desk_keys_after({})["desk_open"] == DESK_OPEN
    if view == "all":
        return True
    return desk_bucket(ticket.status) == view


def _passes(ticket: Ticket, sla: desk_sla.SlaState, filters: Filters) -> bool:
    return (
        (filters.category is None or ticket.category == filters.category)
        and (filters.priority is None or ticket.priority == filters.priority)
        and (filters.agent is None or ticket.agent_id == filters.agent)
        and (filters.sla is None or sla.state == filters.sla)
    )


def _sla_states(tickets: Iterable[Ticket]) -> list[desk_sla.SlaState]:
    """Each ticket's SLA state, from both its targets' timers: one BatchGetItem for the page."""
    tickets = list(tickets)
    keys = [(ticket_timers_pk(t.ticket_id), timer_sk(kind)) for t in tickets for kind in SLA_KINDS]
    by_ticket: dict[str, list[TicketTimer]] = {}
    for timer in TicketTimer.batch_get(keys) if keys else []:
        by_ticket.setdefault(str(timer.subject), []).append(timer)
    now = utcnow()
    return [desk_sla.state_of(by_ticket.get(t.ticket_id, []), now) for t in tickets]


def sla_breaches(ticket_id: str) -> list[tuple[str, str]]:
    """(target, when) for each SLA target the ticket missed, from its timers' breach records (one BatchGetItem)."""
    keys = [(ticket_timers_pk(ticket_id), timer_sk(kind)) for kind in SLA_KINDS]
    missed = [t for t in TicketTimer.batch_get(keys) if t.breached_at]
    return sorted((desk_sla.sla.LABELS.get(t.kind, str(t.kind)), str(t.breached_at)) for t in missed)


# ----------------------------------------------------------------------------------------- cursors
def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(tokens.signing_keys(), salt="pennydesk.desk-cursor")


def _binding(view: str, query: str, filters: Filters, caller: Caller) -> dict[str, Any]:
    return {"view": view, "q": query, "filters": asdict(filters), "caller": caller.email.lower()}


def _issue_cursor(last: dict[str, Any], binding: dict[str, Any]) -> str:
    return str(_serializer().dumps({**binding, "after": last}))


def _open_cursor(cursor: str | None, binding: dict[str, Any]) -> dict[str, Any] | None:
    """Where the page starts; a cursor that is not ours, or was issued for another list or person, is a 422."""
    if not cursor:
        return None
    try:
        payload = _serializer().loads(cursor)
    except BadSignature as exc:
        raise PennydeskError("This cursor is not valid: start the list again.", field="cursor") from exc
    if not isinstance(payload, dict) or not isinstance(payload.get("after"), dict):
        raise PennydeskError("This cursor is not valid: start the list again.", field="cursor")
    if {k: payload.get(k) for k in binding} != binding:
        raise PennydeskError("This cursor belongs to another list or person: start the list again.", field="cursor")
    return payload["after"]
