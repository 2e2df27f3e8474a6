"""Why a ticket changed hands, read back from the history entry the change wrote, so the emails to the agent
who receives it and the one who loses it can say who moved it and why."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from pennydesk.helpdesk.ticket_records import Ticket, TicketEntry
from pennydesk.helpdesk.vocabulary import Action, ActorType, EntryKind, Status


@dataclass(frozen=True)
class Handover:
    by: str  # who moved it: an agent's name, an admin's address, or Pennydesk
    by_kind: str  # an ActorType
    reason: str  # "" when none was given


def of(ticket: Ticket, entries: Iterable[TicketEntry]) -> Handover | None:
    """The reassignment that gave `ticket` its current agent, if a person made it (the entry written in the
    same change: same moment as `assigned_at`); None for the desk's own assignment."""
    for entry in reversed(list(entries)):
        if _gave_it(entry, ticket):
            if entry.actor_type == ActorType.SYSTEM or entry.actor_id == ticket.agent_id:  # the desk; taking it
                return None
            detail = entry.detail or ""
            reason = detail.split(": ", 1)[1] if ": " in detail else ""
            return Handover(entry.actor_name or entry.actor_type, entry.actor_type, reason)
    return None


def _gave_it(entry: TicketEntry, ticket: Ticket) -> bool:
    return (
        entry.kind == EntryKind.EVENT and entry.action == Action.REASSIGN and entry.to_status == Status.ASSIGNED
        and entry.created_at == ticket.assigned_at
    )
