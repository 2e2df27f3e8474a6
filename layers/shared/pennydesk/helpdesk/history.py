"""Entries the desk itself writes into a ticket's history (its own assignment, the survey going out), each
keyed so that a retry writes the same item: the story keeps every step, even after a person reassigns."""

from __future__ import annotations

from pynamodb.exceptions import PutError

from pennydesk.helpdesk.decisions import SYSTEM
from pennydesk.helpdesk.ticket_records import Ticket, TicketEntry, entry_sk, ticket_pk
from pennydesk.helpdesk.vocabulary import Action, EntryKind, Status

# After the change's own entries (positions 0..n) and before the next change's.
DESK_POSITION = 90


def _event(ticket: Ticket, version: int, entry_id: str, at: str, **fields: str | None) -> TicketEntry:
    return TicketEntry(
        pk=ticket_pk(ticket.ticket_id),
        sk=entry_sk(version, DESK_POSITION, entry_id),
        entry_id=entry_id,
        ticket_id=ticket.ticket_id,
        kind=EntryKind.EVENT,
        actor_type=SYSTEM.kind,
        actor_id=SYSTEM.id,
        actor_name=SYSTEM.name,
        created_at=at,
        **fields,
    )


def assigned(ticket: Ticket, agent_name: str, at: str) -> TicketEntry:
    """The desk's assignment of `ticket` (as read, still new), written in the assignment's own transaction."""
    seq = int(ticket.assignment_seq or 0) + 1
    return _event(
        ticket, int(ticket.version) + 1, f"assign-{ticket.ticket_id}-{seq}", at,
        action=Action.ASSIGN, from_status=Status.NEW, to_status=Status.ASSIGNED,
        detail=f"to {agent_name}, the least-loaded agent covering {ticket.category}",
    )


def survey_sent(ticket: Ticket, resolution: int, at: str) -> TicketEntry:
    """The survey for one resolution went out; sorted with that resolution (the version the resolve created)."""
    return _event(
        ticket, resolution, f"survey-{ticket.ticket_id}-{resolution}", at,
        action=Action.SURVEY_SENT, from_status=ticket.status, to_status=ticket.status,
        detail=f"to {ticket.customer_email}",
    )


def keep_first(entry: TicketEntry) -> None:
    """Write `entry` unless a retry already did (its first moment stays)."""
    try:
        entry.save(condition=TicketEntry.sk.does_not_exist())
    except PutError as exc:
        if exc.cause_response_code != "ConditionalCheckFailedException":
            raise
