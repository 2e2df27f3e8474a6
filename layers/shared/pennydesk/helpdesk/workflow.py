"""Working a ticket: agent actions, customer replies, and handing tickets back to the queue.

Every change is one transaction: the ticket moves (on condition it is still the version we read), the
history gets an entry saying who did what and when, and any agent whose open load changes is updated
with its own condition. Emails are not sent here: the stream sees the new entry or status and sends them.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pynamodb.exceptions import DoesNotExist
from pynamodb.transactions import TransactWrite

from pennydesk.helpdesk import lifecycle, ticket_timers
from pennydesk.helpdesk import roster as roster
from pennydesk.helpdesk.agent_records import Agent
from pennydesk.helpdesk.ticket_records import ENTRY_PREFIX, Ticket, TicketEntry, ticket_pk
from pennydesk.platform.clock import iso, utcnow
from pennydesk.platform.dynamo import retrying, transaction
from pennydesk.platform.errors import Forbidden, NotFound, PennydeskError
from pennydesk.platform.text import has_control_characters

PRIORITIES = ("low", "normal", "high", "urgent")
MAX_BODY = 20_000
MAX_ENTRIES = 1000


@dataclass(frozen=True)
class Actor:
    kind: str  # customer | agent | admin | system
    id: str | None
    name: str


# Scheduled work (auto-close, SLA escalation) acts as the desk itself.
SYSTEM = Actor("system", None, "Pennydesk")


def get_ticket(ticket_id: str) -> Ticket:
    try:
        return Ticket.get_by_id(ticket_id, consistent=True)
    except DoesNotExist as exc:
        raise NotFound("No such ticket.") from exc


def entries(ticket_id: str) -> list[TicketEntry]:
    """The ticket's thread, notes and history, oldest first (one Query on the ticket's partition)."""
    return list(
        TicketEntry.query(
            ticket_pk(ticket_id), TicketEntry.sk.startswith(ENTRY_PREFIX), consistent_read=True, limit=MAX_ENTRIES
        )
    )


def _entry(ticket: Ticket, actor: Actor, kind: str, now: str, position: int = 0, **fields: Any) -> TicketEntry:
    """An entry sorts by the ticket version its change creates, then its place within that change:
    changes to one ticket are serialised by the version condition, so this is the order they happened in,
    however many land in the same second."""
    entry_id = uuid.uuid4().hex
    return TicketEntry(
        pk=ticket_pk(ticket.ticket_id),
        sk=f"{ENTRY_PREFIX}{int(ticket.version) + 1:010d}#{position:02d}#{entry_id}",
        entry_id=entry_id,
        ticket_id=ticket.ticket_id,
        kind=kind,
        actor_type=actor.kind,
        actor_id=actor.id,
        actor_name=actor.name,
        created_at=now,
        **fields,
    )


def _clean_body(body: str | None, *, required: bool) -> str:
    text = (body or "").strip()
    if required and not text:
        raise PennydeskError("Write a message first.", field="body")
    if len(text) > MAX_BODY:
        raise PennydeskError(f"Keep it under {MAX_BODY:,} characters.", field="body")
    if has_control_characters(text):
        raise PennydeskError("Remove control characters.", field="body")
    return text


def _stage_ticket(tx: TransactWrite, ticket: Ticket, actions: list[Any], actor: Actor) -> None:
    seen = int(ticket.version)
    tx.update(
        ticket,
        actions=[*actions, Ticket.version.set(seen + 1), Ticket.changed_by.set(actor.kind)],
        condition=Ticket.version == seen,
    )


def _owner_joins(ticket: Ticket) -> list[Any]:
    """Ticket fields for becoming open and owned by its agent again (the agent's queue lists it)."""
    return [
        Ticket.queue_agent.set(ticket.agent_id),
        Ticket.queue_key.set(ticket.queue_position_key()),
        Ticket.resolved_at.remove(),
    ]


def _back_to_queue_actions() -> list[Any]:
    return [
        Ticket.status.set("new"),
        Ticket.agent_id.remove(),
        Ticket.queue_agent.remove(),
        Ticket.queue_key.remove(),
        Ticket.assignment_seq.add(1),
    ]


def agent_action(
    ticket_id: str,
    actor_agent_id: str,
    action: str,
    *,
    body: str | None = None,
    to: str | None = None,
    priority: str | None = None,
) -> Ticket:
    """Apply an agent's action to a ticket they own. Returns the ticket as it is afterwards."""
    if action not in lifecycle.AGENT_ACTIONS:
        raise PennydeskError(f"Unknown action. Use one of: {', '.join(lifecycle.AGENT_ACTIONS)}.", field="action")

    def attempt() -> Ticket:
        ticket = get_ticket(ticket_id)
        me = roster.get(actor_agent_id)
        if me is None or ticket.agent_id != actor_agent_id:
            raise Forbidden("This ticket is not assigned to you.")
        new_status = lifecycle.next_status(action, ticket.status)
        old_status, old_priority = ticket.status, ticket.priority
        actor = Actor("agent", me.agent_id, me.name)
        moment = utcnow()
        now = iso(moment)
        text = _clean_body(body, required=action in ("reply", "note"))
        actions: list[Any] = [Ticket.updated_at.set(now)]
        staged_entries: list[TicketEntry] = []
        detail: str | None = None  # what the history adds to the action, e.g. "to Ada" or "priority high"
        first_response = False
        with transaction() as tx:
            if action == "reply":
                staged_entries.append(_entry(ticket, actor, "message", now, body=text))
                if not ticket.first_response_at:
                    actions.append(Ticket.first_response_at.set(now))
                    first_response = True
            elif action == "note":
                staged_entries.append(_entry(ticket, actor, "note", now, body=text))
            elif action == "resolve":
                actions += [Ticket.resolved_at.set(now), Ticket.queue_agent.remove(), Ticket.queue_key.remove()]
                if text:
                    # The closing words travel in the "resolved" email, not as a separate reply email.
                    staged_entries.append(_entry(ticket, actor, "message", now, body=text, detail="resolve"))
                    if not ticket.first_response_at:
                        actions.append(Ticket.first_response_at.set(now))
                        first_response = True
                roster.stage_load_change(tx, me, -1)
            elif action == "reopen":
                if not me.active:
                    raise Forbidden("Inactive agents can't reopen tickets.")
                actions += _owner_joins(ticket)
                roster.stage_load_change(tx, me, +1)
            elif action == "reassign":
                detail = _stage_reassign(tx, ticket, me, to, actions)
                new_status = "new" if not to or to == "queue" else "assigned"
            elif action == "set_priority":
                if priority not in PRIORITIES:
                    raise PennydeskError(f"Choose one of: {', '.join(PRIORITIES)}.", field="priority")
                ticket.priority = priority
                actions += [Ticket.priority.set(priority)]
                detail = f"priority {priority}"
                if lifecycle.is_open(ticket.status):
                    actions.append(Ticket.queue_key.set(ticket.queue_position_key()))
            if new_status != ticket.status and action != "reassign":
                actions.append(Ticket.status.set(new_status))
            _stage_timers(
                tx, ticket, ticket_timers.Change(
                    old_status, new_status, moment, first_response=first_response,
                    priority=priority if action == "set_priority" and priority != old_priority else None,
                    agent_id=me.agent_id,
                ),
            )
            staged_entries.append(
                _entry(
                    ticket, actor, "event", now, len(staged_entries), action=action, from_status=ticket.status,
                    to_status=new_status, detail=detail,
                )
            )
            _stage_ticket(tx, ticket, actions, actor)
            for entry in staged_entries:
                tx.save(entry)
        return get_ticket(ticket_id)

    return retrying(attempt)


def _stage_timers(tx: TransactWrite, ticket: Ticket, change: ticket_timers.Change) -> None:
    """Timers move in the same transaction as the change that moves them (one Query, only when needed)."""
    if ticket_timers.needs_timers(
        change.old_status, change.new_status, first_response=change.first_response,
        priority_change=change.priority is not None,
    ):
        ticket_timers.stage(tx, ticket, ticket_timers.load(ticket.ticket_id), change)


def _stage_reassign(tx: TransactWrite, ticket: Ticket, me: Agent, to: str | None, actions: list[Any]) -> str:
    """Stage the handover; returns how the history says it ("to <name>" or "back to the queue")."""
    if not to or to == "queue":
        roster.stage_load_change(tx, me, -1)
        actions += _back_to_queue_actions()
        return "back to the queue"
    if to == me.agent_id:
        raise PennydeskError("The ticket is already yours.", field="to")
    target = roster.get(to)
    if target is None or not target.active:
        raise PennydeskError("Choose an active agent, or the queue.", field="to")
    roster.stage_load_change(tx, me, -1)
    roster.stage_load_change(tx, target, +1)
    ticket.agent_id = target.agent_id
    actions += [
        Ticket.status.set("assigned"),
        Ticket.agent_id.set(target.agent_id),
        Ticket.assigned_at.set(iso(utcnow())),
        Ticket.assignment_seq.add(1),
        Ticket.queue_agent.set(target.agent_id),
        Ticket.queue_key.set(ticket.queue_position_key()),
    ]
    return f"to {target.name}"


def customer_reply(ticket_id: str, body: str) -> TicketEntry:
    """The customer writes back: a public message; a resolved or closed ticket reopens with its agent."""
    text = _clean_body(body, required=True)

    def attempt() -> TicketEntry:
        ticket = get_ticket(ticket_id)
        new_status = lifecycle.next_status("customer_reply", ticket.status)
        actor = Actor("customer", None, ticket.customer_name)
        moment = utcnow()
        now = iso(moment)
        message = _entry(ticket, actor, "message", now, body=text)
        actions: list[Any] = [Ticket.updated_at.set(now)]
        with transaction() as tx:
            reopening = ticket.status in ("resolved", "closed")
            if reopening:
                owner = roster.get(ticket.agent_id) if ticket.agent_id else None
                if owner is not None and owner.active:
                    actions += [Ticket.status.set("in_progress"), *_owner_joins(ticket)]
                    roster.stage_load_change(tx, owner, +1)
                else:
                    new_status = "new"
                    actions += _back_to_queue_actions()
            elif new_status != ticket.status:
                actions.append(Ticket.status.set(new_status))
            _stage_timers(tx, ticket, ticket_timers.Change(ticket.status, new_status, moment))
            _stage_ticket(tx, ticket, actions, actor)
            tx.save(message)
            if new_status != ticket.status:
                tx.save(
                    _entry(
                        ticket, actor, "event", now, 1, action="reopen" if reopening else "customer_reply",
                        from_status=ticket.status, to_status=new_status,
                    )
                )
        return message

    return retrying(attempt)


def return_to_queue(ticket: Ticket, actor: Actor) -> None:
    """Hand an open ticket back for assignment (its agent was deactivated)."""

    def attempt() -> None:
        current = get_ticket(ticket.ticket_id)
        if not lifecycle.is_open(current.status):
            return
        moment = utcnow()
        with transaction() as tx:
            stage_return_to_queue(tx, current, actor, iso(moment))
            _stage_timers(tx, current, ticket_timers.Change(current.status, "new", moment))

    retrying(attempt)


def stage_return_to_queue(
    tx: TransactWrite, current: Ticket, actor: Actor, now: str, *, detail: str = "back to the queue"
) -> None:
    """Add to `tx`: the open ticket `current` (as read) leaves its agent, whose load drops, for the queue.
    The stream then assigns it again, preferring someone else."""
    owner = roster.get(current.agent_id) if current.agent_id else None
    if owner is not None:
        roster.stage_load_change(tx, owner, -1)
    _stage_ticket(tx, current, [Ticket.updated_at.set(now), *_back_to_queue_actions()], actor)
    tx.save(
        _entry(
            current, actor, "event", now, action="reassign", from_status=current.status,
            to_status="new", detail=detail,
        )
    )


def close_resolved(
    ticket_id: str,
    *,
    detail: str,
    still_wanted: Callable[[], bool] = lambda: True,
    stage_also: Callable[[TransactWrite], None] | None = None,
) -> bool:
    """resolved -> closed, by the desk itself (the quiet period passed), recorded in the history.

    `stage_also` adds the caller's own guard to the transaction (the auto-close timer still being the
    one it read); `still_wanted` is asked before every attempt. Returns whether this call closed it.
    """

    def attempt() -> bool:
        if not still_wanted():
            return False
        ticket = get_ticket(ticket_id)
        if ticket.status != "resolved":
            return False
        new_status = lifecycle.next_status("close", ticket.status)
        now = iso(utcnow())
        with transaction() as tx:
            if stage_also is not None:
                stage_also(tx)
            _stage_ticket(tx, ticket, [Ticket.status.set(new_status), Ticket.updated_at.set(now)], SYSTEM)
            tx.save(
                _entry(
                    ticket, SYSTEM, "event", now, action="close", from_status=ticket.status, to_status=new_status,
                    detail=detail,
                )
            )
        return True

    return retrying(attempt)


def queue(agent_id: str, limit: int = 50) -> list[Ticket]:
    """An agent's open tickets, most urgent first, then oldest (one Query on a sparse index)."""
    return list(Ticket.agent_queue.query(agent_id, limit=limit))
