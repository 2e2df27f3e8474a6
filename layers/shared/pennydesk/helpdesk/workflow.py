"""Working a ticket: agent actions, customer replies, handing tickets back to the queue, closing.

Each change reads the ticket and the agents it involves, asks `decisions` what it does, and applies that
plan as one transaction: the ticket moves (on condition it is still the version we read), the history gets
an entry saying who did what and when, any agent whose open load changes is updated with its own
condition, and the timers the change moves move with it. A lost race reads again (`retrying`, jittered).
Emails are not sent here: the stream sees the new entry or status and sends them.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from typing import Any

from pynamodb.exceptions import DoesNotExist
from pynamodb.transactions import TransactWrite

from pennydesk.helpdesk import decisions, ticket_timers
from pennydesk.helpdesk import roster as roster
from pennydesk.helpdesk.agent_records import Agent
from pennydesk.helpdesk.decisions import MAX_BODY, PRIORITIES, REMOVE, SYSTEM, Actor, Add, AgentState, Plan, TicketState
from pennydesk.helpdesk.ticket_records import ENTRY_PREFIX, Ticket, TicketEntry, entry_sk, ticket_pk
from pennydesk.helpdesk.vocabulary import ActorType, is_finished
from pennydesk.identity import sessions
from pennydesk.platform.clock import utcnow
from pennydesk.platform.dynamo import retrying, transaction
from pennydesk.platform.errors import NotFound

# More writes for a change's own transaction, given the entries it makes (an emailed reply's attachment
# records): they are stored with the message or not at all.
AlsoStage = Callable[[TransactWrite, list[TicketEntry]], None]

__all__ = [
    "MAX_BODY",
    "MAX_ENTRIES",
    "PRIORITIES",
    "SYSTEM",
    "Actor",
    "admin_reassign",
    "agent_action",
    "change_agent",
    "close_resolved",
    "customer_reply",
    "entries",
    "get_ticket",
    "hand_back_tickets",
    "queue",
    "return_to_queue",
    "stage_return_to_queue",
    "still_assigned",
]
MAX_ENTRIES = 1000


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


def queue(agent_id: str, limit: int = 50) -> list[Ticket]:
    """An agent's open tickets, most urgent first, then oldest (one Query on a sparse index)."""
    return list(Ticket.agent_queue.query(agent_id, limit=limit))


def still_assigned(agent_id: str, page_size: int = 100) -> Iterator[Ticket]:
    """Every open ticket the agent's queue lists, however many, a page at a time."""
    return iter(Ticket.agent_queue.query(agent_id, page_size=page_size))


# ----------------------------------------------------------------------------------------- changes
def agent_action(
    ticket_id: str,
    actor_agent_id: str,
    action: str,
    *,
    body: str | None = None,
    to: str | None = None,
    priority: str | None = None,
    also: AlsoStage | None = None,
) -> Ticket:
    """Apply an agent's action to a ticket they own. Returns the ticket as it is afterwards."""
    decisions.check_agent_action(action)

    def attempt() -> Ticket:
        ticket = get_ticket(ticket_id)
        named = None if decisions.is_to_queue(to) or to == actor_agent_id else to
        agents = _read_agents(actor_agent_id, named)
        plan = decisions.agent_action(
            TicketState.of(ticket), action, _state(agents.get(actor_agent_id)), utcnow(),
            body=body, to=to, priority=priority, target=_state(agents.get(named or "")),
        )
        me = agents[actor_agent_id]  # the decision refused any action by nobody
        _apply(ticket, plan, Actor(ActorType.AGENT, me.agent_id, me.name), agents, also)
        return get_ticket(ticket_id)

    return retrying(attempt)


def admin_reassign(ticket_id: str, admin_email: str, to: str, reason: str) -> Ticket:
    """An admin hands a ticket to another agent (or the queue) with a reason. Returns the ticket afterwards."""

    def attempt() -> Ticket:
        ticket = get_ticket(ticket_id)
        named = None if decisions.is_to_queue(to) else to
        agents = _read_agents(ticket.agent_id, named)
        plan = decisions.admin_reassign(
            TicketState.of(ticket), _state(agents.get(ticket.agent_id or "")), _state(agents.get(named or "")),
            to, reason, utcnow(),
        )
        _apply(ticket, plan, Actor(ActorType.ADMIN, None, admin_email), agents)
        return get_ticket(ticket_id)

    return retrying(attempt)


def customer_reply(ticket_id: str, body: str, *, also: AlsoStage | None = None) -> TicketEntry:
    """The customer writes back: a public message; a resolved or closed ticket reopens with its agent."""
    text = decisions.clean_body(body, required=True)

    def attempt() -> TicketEntry:
        ticket = get_ticket(ticket_id)
        agents = _read_agents(ticket.agent_id if is_finished(ticket.status) else None)
        owner = _state(agents.get(ticket.agent_id or ""))
        plan = decisions.customer_reply(TicketState.of(ticket), text, owner, utcnow())
        return _apply(ticket, plan, Actor(ActorType.CUSTOMER, None, ticket.customer_name), agents, also)[0]

    return retrying(attempt)


def return_to_queue(ticket: Ticket, actor: Actor, *, only_from: str | None = None) -> None:
    """Hand an open ticket back for assignment (its agent was deactivated). With `only_from`, only while that
    agent still has it (a ticket that moved on since it was listed stays where it is)."""

    def attempt() -> None:
        current = get_ticket(ticket.ticket_id)
        if only_from is not None and current.agent_id != only_from:
            return
        agents = _read_agents(current.agent_id)
        owner = _state(agents.get(current.agent_id or ""))
        plan = decisions.return_to_queue(TicketState.of(current), owner, utcnow())
        if plan is not None:
            _apply(current, plan, actor, agents)

    retrying(attempt)


def stage_return_to_queue(
    tx: TransactWrite, current: Ticket, actor: Actor, now: datetime, *, detail: str = decisions.BACK_TO_QUEUE
) -> None:
    """Add to `tx` (the caller's own transaction): the open ticket `current` (as read) leaves its agent, whose
    load drops, for the queue. The stream then assigns it again, preferring someone else."""
    agents = _read_agents(current.agent_id)
    owner = _state(agents.get(current.agent_id or ""))
    plan = decisions.return_to_queue(TicketState.of(current), owner, now, detail=detail)
    if plan is not None:
        _stage(tx, current, plan, actor, agents)


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
        plan = decisions.close(TicketState.of(ticket), utcnow(), detail=detail)
        if plan is None:
            return False
        with transaction() as tx:
            if stage_also is not None:
                stage_also(tx)
            _stage(tx, ticket, plan, SYSTEM, {})
        return True

    return retrying(attempt)


# ------------------------------------------------------------------------------------------ agents
def change_agent(
    agent_id: str,
    *,
    admin_email: str,
    name: str | None = None,
    categories: list[str] | None = None,
    capacity: int | None = None,
    active: bool | None = None,
) -> Agent:
    """An admin changes an agent; deactivating one ends their sessions and hands their open tickets back to
    assignment. Returns the agent as it is afterwards."""
    agent = roster.update_agent(agent_id, name=name, categories=categories, capacity=capacity, active=active)
    if active is False:
        sessions.end_sessions_of(agent.email)
        hand_back_tickets(agent_id, Actor(ActorType.ADMIN, None, admin_email))
        agent = roster.require(agent_id)
    return agent


def hand_back_tickets(agent_id: str, actor: Actor) -> int:
    """Every open ticket the agent still has goes back for assignment, however many: it pages through the
    agent's queue to the end. Resumable: run again after a crash, it finds only the tickets still theirs
    (each one re-read, and left alone if it moved on). Returns how many it looked at."""
    looked_at = 0
    for ticket in still_assigned(agent_id):
        return_to_queue(ticket, actor, only_from=agent_id)
        looked_at += 1
    return looked_at


# ---------------------------------------------------------------------------------------- applying
def _read_agents(*agent_ids: str | None) -> dict[str, Agent]:
    """The agents a change involves, by id, as they are now (the ones that exist)."""
    found = {}
    for agent_id in dict.fromkeys(a for a in agent_ids if a):
        agent = roster.get(agent_id)
        if agent is not None:
            found[agent_id] = agent
    return found


def _state(agent: Agent | None) -> AgentState | None:
    return AgentState.of(agent) if agent is not None else None


def _apply(
    ticket: Ticket, plan: Plan, actor: Actor, agents: Mapping[str, Agent], also: AlsoStage | None = None
) -> list[TicketEntry]:
    """Apply `plan` as one transaction (with what `also` adds); returns the entries it wrote."""
    with transaction() as tx:
        made = _stage(tx, ticket, plan, actor, agents)
        if also is not None:
            also(tx, made)
        return made


def _stage(
    tx: TransactWrite, ticket: Ticket, plan: Plan, actor: Actor, agents: Mapping[str, Agent]
) -> list[TicketEntry]:
    for load in plan.loads:
        roster.stage_load_change(tx, agents[load.agent_id], load.delta)
    if plan.timers is not None:
        ticket_timers.stage_change(tx, ticket, plan.timers)
    seen = int(ticket.version)
    tx.update(
        ticket,
        actions=[
            *_field_actions(plan.fields), *ticket.desk_key_actions(_changed_values(plan.fields)),
            Ticket.version.set(seen + 1), Ticket.changed_by.set(actor.kind),
        ],
        condition=Ticket.version == seen,
    )
    made = [_entry(ticket, actor, entry, plan.at, position) for position, entry in enumerate(plan.entries)]
    for entry in made:
        tx.save(entry)
    return made


def _field_actions(fields: Mapping[str, Any]) -> list[Any]:
    actions = []
    for name, value in fields.items():
        attribute = getattr(Ticket, name)
        if value is REMOVE:
            actions.append(attribute.remove())
        elif isinstance(value, Add):
            actions.append(attribute.add(value.amount))
        else:
            actions.append(attribute.set(value))
    return actions


def _changed_values(fields: Mapping[str, Any]) -> dict[str, object]:
    """The plan's fields as values after the change (None for a removed one; counters are not keys)."""
    return {name: None if value is REMOVE else value for name, value in fields.items() if not isinstance(value, Add)}


def _entry(ticket: Ticket, actor: Actor, planned: decisions.EntryPlan, now: str, position: int) -> TicketEntry:
    """An entry sorts by the ticket version its change creates, then its place within that change:
    changes to one ticket are serialised by the version condition, so this is the order they happened in,
    however many land in the same second."""
    entry_id = uuid.uuid4().hex
    return TicketEntry(
        pk=ticket_pk(ticket.ticket_id),
        sk=entry_sk(int(ticket.version) + 1, position, entry_id),
        entry_id=entry_id,
        ticket_id=ticket.ticket_id,
        kind=planned.kind,
        actor_type=actor.kind,
        actor_id=actor.id,
        actor_name=actor.name,
        body=planned.body,
        action=planned.action,
        from_status=planned.from_status,
        to_status=planned.to_status,
        detail=planned.detail,
        created_at=now,
    )
