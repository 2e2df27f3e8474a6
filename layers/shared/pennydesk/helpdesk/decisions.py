"""What a change to a ticket does, decided from values: (ticket, action, actor, now) -> a Plan.

Nothing here reads or writes DynamoDB. `workflow` reads the ticket and the agents a change involves, asks
here, and applies the Plan as one transaction: the ticket's new fields (on condition of the version it
read), the entries for its history, the agents whose open load moves, and the timers the change moves.
A change that does not fit is refused here, with the API's errors (Conflict, Forbidden, PennydeskError).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pennydesk.helpdesk import lifecycle, ticket_timers
from pennydesk.helpdesk.agent_records import Agent
from pennydesk.helpdesk.ticket_records import Ticket, queue_key
from pennydesk.helpdesk.vocabulary import (
    AGENT_ACTIONS,
    BACK_TO_QUEUE,
    RESOLVE_DETAIL,
    Action,
    ActorType,
    EntryKind,
    Priority,
    Status,
    is_finished,
    is_open,
)
from pennydesk.platform.clock import iso
from pennydesk.platform.errors import Forbidden, PennydeskError
from pennydesk.platform.text import has_control_characters

MAX_BODY = 20_000
MAX_REASON = 500
PRIORITIES = tuple(Priority)
QUEUE = "queue"  # a reassign's `to` that hands the ticket back for assignment


@dataclass(frozen=True)
class Actor:
    kind: str  # an ActorType
    id: str | None
    name: str


# Scheduled work (auto-close, SLA escalation) acts as the desk itself.
SYSTEM = Actor(ActorType.SYSTEM, None, "Pennydesk")


@dataclass(frozen=True)
class TicketState:
    """What a decision needs to know of a ticket, as read."""

    ticket_id: str
    status: str
    priority: str
    created_at: str
    version: int = 0
    agent_id: str | None = None
    first_response_at: str | None = None
    customer_name: str = ""

    @classmethod
    def of(cls, ticket: Ticket) -> TicketState:
        return cls(
            ticket.ticket_id, ticket.status, ticket.priority, ticket.created_at, int(ticket.version),
            ticket.agent_id, ticket.first_response_at, ticket.customer_name,
        )

    def queue_key(self, priority: str | None = None) -> str:
        return queue_key(priority or self.priority, self.created_at, self.ticket_id)


@dataclass(frozen=True)
class AgentState:
    agent_id: str
    name: str
    active: bool

    @classmethod
    def of(cls, agent: Agent) -> AgentState:
        return cls(agent.agent_id, agent.name, bool(agent.active))


class _Remove:
    def __repr__(self) -> str:
        return "REMOVE"


REMOVE: Any = _Remove()  # a field the change removes


@dataclass(frozen=True)
class Add:
    """A number field the change adds to (the assignment sequence)."""

    amount: int


@dataclass(frozen=True)
class EntryPlan:
    """An entry for the ticket's thread or history; its place in the change is its place in `Plan.entries`."""

    kind: str  # an EntryKind
    body: str = ""
    action: str | None = None
    from_status: str | None = None
    to_status: str | None = None
    detail: str | None = None


@dataclass(frozen=True)
class LoadChange:
    agent_id: str
    delta: int


@dataclass(frozen=True)
class Plan:
    status: str  # the ticket's status afterwards
    at: str  # ISO UTC: when the change happens
    fields: Mapping[str, Any]  # Ticket attributes: a value to set, REMOVE, or Add(n)
    entries: tuple[EntryPlan, ...]
    loads: tuple[LoadChange, ...] = ()  # agents whose open count moves, in this order
    timers: ticket_timers.Change | None = None  # None: the change can't move a timer


def check_agent_action(action: str) -> None:
    if action not in AGENT_ACTIONS:
        raise PennydeskError(f"Unknown action. Use one of: {', '.join(AGENT_ACTIONS)}.", field="action")


def clean_body(body: str | None, *, required: bool) -> str:
    text = (body or "").strip()
    if required and not text:
        raise PennydeskError("Write a message first.", field="body")
    if len(text) > MAX_BODY:
        raise PennydeskError(f"Keep it under {MAX_BODY:,} characters.", field="body")
    if has_control_characters(text):
        raise PennydeskError("Remove control characters.", field="body")
    return text


def is_to_queue(to: str | None) -> bool:
    return not to or to == QUEUE


# ------------------------------------------------------------------------------------------ agents
@dataclass
class _Draft:
    """An agent action's plan while it is decided: what every action shares, and what each adds."""

    ticket: TicketState
    action: str
    me: AgentState
    now: datetime
    status: str
    fields: dict[str, Any] = field(default_factory=dict)
    entries: list[EntryPlan] = field(default_factory=list)
    loads: list[LoadChange] = field(default_factory=list)
    detail: str | None = None  # what the history adds to the action, e.g. "to Ada" or "priority high"
    first_response: bool = False
    new_priority: str | None = None

    def load(self, agent_id: str, delta: int) -> None:
        self.loads.append(LoadChange(agent_id, delta))

    def message(self, text: str, detail: str | None = None) -> None:
        """A public message from the agent; the ticket's first one is its first response."""
        self.entries.append(EntryPlan(EntryKind.MESSAGE, body=text, detail=detail))
        if not self.ticket.first_response_at:
            self.fields["first_response_at"] = iso(self.now)
            self.first_response = True

    def plan(self) -> Plan:
        old = self.ticket.status
        fields = {"updated_at": iso(self.now), **self.fields}
        if self.status != old and "status" not in fields:
            fields["status"] = self.status
        event = EntryPlan(EntryKind.EVENT, action=self.action, from_status=old, to_status=self.status,
                          detail=self.detail)
        moved = ticket_timers.Change(
            old, self.status, self.now, first_response=self.first_response, priority=self.new_priority,
            agent_id=self.me.agent_id,
        )
        return Plan(self.status, iso(self.now), fields, (*self.entries, event), tuple(self.loads), _if_needed(moved))


def agent_action(
    ticket: TicketState,
    action: str,
    me: AgentState | None,
    now: datetime,
    *,
    body: str | None = None,
    to: str | None = None,
    priority: str | None = None,
    target: AgentState | None = None,
) -> Plan:
    """An agent's action on a ticket they own, or taking an unassigned one (a reassign to themselves).
    `target` is the agent a reassign names in `to`, as read."""
    check_agent_action(action)
    if me is None or (ticket.agent_id != me.agent_id and not is_taking(ticket, action, me, to)):
        raise Forbidden("This ticket is not assigned to you.")
    status = lifecycle.next_status(action, ticket.status)
    text = clean_body(body, required=action in (Action.REPLY, Action.NOTE))
    draft = _Draft(ticket, action, me, now, status)
    _DECIDE[Action(action)](draft, text, to, priority, target)
    return draft.plan()


def _reply(draft: _Draft, text: str, *_: Any) -> None:
    draft.message(text)


def _note(draft: _Draft, text: str, *_: Any) -> None:
    draft.entries.append(EntryPlan(EntryKind.NOTE, body=text))


def _acknowledge(draft: _Draft, *_: Any) -> None:
    """Only the status moves."""


def _resolve(draft: _Draft, text: str, *_: Any) -> None:
    draft.fields.update(resolved_at=iso(draft.now), queue_agent=REMOVE, queue_key=REMOVE)
    if text:
        # The closing words travel in the "resolved" email, not as a separate reply email.
        draft.message(text, detail=RESOLVE_DETAIL)
    draft.load(draft.me.agent_id, -1)


def _reopen(draft: _Draft, *_: Any) -> None:
    if not draft.me.active:
        raise Forbidden("Inactive agents can't reopen tickets.")
    draft.fields.update(_owner_joins(draft.ticket))
    draft.load(draft.me.agent_id, +1)


def is_taking(ticket: TicketState, action: str, me: AgentState, to: str | None) -> bool:
    """An agent takes a ticket nobody has (from the unassigned view) by reassigning it to themselves."""
    return action == Action.REASSIGN and ticket.agent_id is None and to == me.agent_id


def _reassign(draft: _Draft, _text: str, to: str | None, _priority: Any, target: AgentState | None) -> None:
    if is_taking(draft.ticket, draft.action, draft.me, to):
        if not draft.me.active:
            raise Forbidden("Inactive agents can't take tickets.")
        draft.load(draft.me.agent_id, +1)
        draft.fields.update(_assigned_to(draft.me, draft.ticket, draft.now))
        draft.status, draft.detail = Status.ASSIGNED, f"to {draft.me.name}, taken from the queue"
        return
    if is_to_queue(to):
        draft.load(draft.me.agent_id, -1)
        draft.fields.update(_back_to_queue())
        draft.status, draft.detail = Status.NEW, BACK_TO_QUEUE
        return
    if to == draft.me.agent_id:
        raise PennydeskError("The ticket is already yours.", field="to")
    if target is None or target.agent_id != to or not target.active:
        raise PennydeskError("Choose an active agent, or the queue.", field="to")
    draft.load(draft.me.agent_id, -1)
    draft.load(target.agent_id, +1)
    draft.fields.update(_assigned_to(target, draft.ticket, draft.now))
    draft.status, draft.detail = Status.ASSIGNED, f"to {target.name}"


def _set_priority(draft: _Draft, _text: str, _to: Any, priority: str | None, _target: Any) -> None:
    if priority not in PRIORITIES:
        raise PennydeskError(f"Choose one of: {', '.join(PRIORITIES)}.", field="priority")
    draft.fields["priority"] = priority
    if is_open(draft.ticket.status):
        draft.fields["queue_key"] = draft.ticket.queue_key(priority)
    draft.detail = f"priority {priority}"
    draft.new_priority = priority if priority != draft.ticket.priority else None


_DECIDE = {
    Action.ACKNOWLEDGE: _acknowledge,
    Action.REPLY: _reply,
    Action.NOTE: _note,
    Action.RESOLVE: _resolve,
    Action.REOPEN: _reopen,
    Action.REASSIGN: _reassign,
    Action.SET_PRIORITY: _set_priority,
}


# ---------------------------------------------------------------------------------- the customer, the desk
def customer_reply(ticket: TicketState, text: str, owner: AgentState | None, now: datetime) -> Plan:
    """The customer writes back (`text` already clean): a public message; a resolved or closed ticket
    reopens with its agent (`owner`, as read), or goes back to the queue if they are gone or inactive."""
    status = lifecycle.next_status(Action.CUSTOMER_REPLY, ticket.status)
    fields: dict[str, Any] = {"updated_at": iso(now)}
    loads: tuple[LoadChange, ...] = ()
    reopening = is_finished(ticket.status)
    if reopening and owner is not None and owner.active and owner.agent_id == ticket.agent_id:
        fields.update(status=Status.IN_PROGRESS, **_owner_joins(ticket))
        loads = (LoadChange(owner.agent_id, +1),)
    elif reopening:
        status = Status.NEW
        fields.update(_back_to_queue())
    elif status != ticket.status:
        fields["status"] = status
    entries = [EntryPlan(EntryKind.MESSAGE, body=text)]
    if status != ticket.status:
        action = Action.REOPEN if reopening else Action.CUSTOMER_REPLY
        entries.append(EntryPlan(EntryKind.EVENT, action=action, from_status=ticket.status, to_status=status))
    moved = ticket_timers.Change(ticket.status, status, now)
    return Plan(status, iso(now), fields, tuple(entries), loads, _if_needed(moved))


def return_to_queue(
    ticket: TicketState, owner: AgentState | None, now: datetime, *, detail: str = BACK_TO_QUEUE
) -> Plan | None:
    """An open ticket leaves its agent (`owner`, as read), whose load drops, for the queue; None when the
    ticket is no longer open (nothing to hand back). The stream then assigns it again, preferring someone else."""
    if not is_open(ticket.status):
        return None
    loads = (LoadChange(owner.agent_id, -1),) if owner is not None else ()
    event = EntryPlan(EntryKind.EVENT, action=Action.REASSIGN, from_status=ticket.status, to_status=Status.NEW,
                      detail=detail)
    moved = ticket_timers.Change(ticket.status, Status.NEW, now)
    return Plan(Status.NEW, iso(now), {"updated_at": iso(now), **_back_to_queue()}, (event,), loads,
                _if_needed(moved))


def close(ticket: TicketState, now: datetime, *, detail: str) -> Plan | None:
    """resolved -> closed, by the desk itself after the quiet period; None when it is not resolved now."""
    if ticket.status != Status.RESOLVED:
        return None
    status = lifecycle.next_status(Action.CLOSE, ticket.status)
    event = EntryPlan(EntryKind.EVENT, action=Action.CLOSE, from_status=ticket.status, to_status=status,
                      detail=detail)
    # Resolving completed the SLA targets and armed the follow-ups, which do their own work: no timer moves.
    return Plan(status, iso(now), {"status": status, "updated_at": iso(now)}, (event,))


def admin_reassign(
    ticket: TicketState, owner: AgentState | None, target: AgentState | None, to: str, reason: str, now: datetime
) -> Plan:
    """An admin hands an open or unassigned ticket to another agent, or back to the queue, saying why; the
    history and both agents' emails carry the reason. `owner` and `target` as read."""
    lifecycle.next_status(Action.REASSIGN, ticket.status)
    why = " ".join((reason or "").split())
    if not why or len(why) > MAX_REASON or has_control_characters(why):
        raise PennydeskError(f"Say why in words, under {MAX_REASON} characters.", field="reason")
    loads = [LoadChange(owner.agent_id, -1)] if owner is not None and ticket.agent_id else []
    if is_to_queue(to):
        status, fields, detail = Status.NEW, _back_to_queue(), f"{BACK_TO_QUEUE}: {why}"
    elif target is None or target.agent_id != to or not target.active:
        raise PennydeskError("Choose an active agent, or the queue.", field="to")
    elif target.agent_id == ticket.agent_id:
        raise PennydeskError(f"The ticket is already with {target.name}.", field="to")
    else:
        loads.append(LoadChange(target.agent_id, +1))
        status, fields, detail = Status.ASSIGNED, _assigned_to(target, ticket, now), f"to {target.name}: {why}"
    event = EntryPlan(EntryKind.EVENT, action=Action.REASSIGN, from_status=ticket.status, to_status=status,
                      detail=detail)
    moved = ticket_timers.Change(ticket.status, status, now)
    return Plan(status, iso(now), {"updated_at": iso(now), **fields}, (event,), tuple(loads), _if_needed(moved))


# ------------------------------------------------------------------------------------------- shared
def _assigned_to(agent: AgentState, ticket: TicketState, now: datetime) -> dict[str, Any]:
    return {
        "status": Status.ASSIGNED, "agent_id": agent.agent_id, "assigned_at": iso(now), "assignment_seq": Add(1),
        "queue_agent": agent.agent_id, "queue_key": ticket.queue_key(),
    }


def _owner_joins(ticket: TicketState) -> dict[str, Any]:
    """Ticket fields for becoming open and owned by its agent again (the agent's queue lists it)."""
    return {"queue_agent": ticket.agent_id, "queue_key": ticket.queue_key(), "resolved_at": REMOVE}


def _back_to_queue() -> dict[str, Any]:
    return {
        "status": Status.NEW, "agent_id": REMOVE, "queue_agent": REMOVE, "queue_key": REMOVE,
        "assignment_seq": Add(1),
    }


def _if_needed(change: ticket_timers.Change) -> ticket_timers.Change | None:
    return change if ticket_timers.needs_timers(change) else None
