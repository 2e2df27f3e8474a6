"""Load-based assignment: a new ticket goes to the least-loaded available agent who covers its category.

Cost does not grow with the roster: one Query on the sparse ``available_by_category`` index (it holds
only agents who are active and below capacity, least-loaded first), one consistent BatchGet of the few
front-runners (the index is eventually consistent), and one transaction that bumps the agent's open
count, moves its slots in the index, and assigns the ticket, each under a condition. If two tickets race
for the same agent, one transaction fails its condition and that ticket looks again, so no agent is ever
pushed past a fair share by concurrent arrivals.
"""

from __future__ import annotations

from dataclasses import dataclass

from aws_lambda_powertools import Logger
from pynamodb.exceptions import TransactWriteError

from pennydesk.helpdesk import history
from pennydesk.helpdesk.agent_records import PROFILE_SK, Agent, AgentSlot
from pennydesk.helpdesk.roster import slot_for
from pennydesk.helpdesk.ticket_records import Ticket
from pennydesk.helpdesk.vocabulary import Status
from pennydesk.platform.clock import iso, iso_precise, utcnow
from pennydesk.platform.dynamo import cancellation_codes, transaction

logger = Logger(child=True)

CANDIDATES = 3
MAX_ATTEMPTS = 8


class AssignmentContention(Exception):
    """Every attempt lost a race; the stream retries the record, which is safe."""


@dataclass(frozen=True)
class Assigned:
    agent: Agent


@dataclass(frozen=True)
class AlreadyAssigned:
    agent_id: str | None
    status: str


@dataclass(frozen=True)
class NoAgent:
    reason: str


AssignmentResult = Assigned | AlreadyAssigned | NoAgent


def _front_runners(category: str, avoid: str | None = None) -> list[Agent]:
    slots = list(AgentSlot.available.query(category, limit=CANDIDATES + (1 if avoid else 0)))
    if not slots:
        return []
    keys = [(slot.pk, PROFILE_SK) for slot in slots]
    agents = list(Agent.batch_get(keys, consistent_read=True))
    eligible = sorted((a for a in agents if a.available and category in a.categories), key=lambda a: a.load_key())
    preferred = [a for a in eligible if a.agent_id != avoid]
    return preferred or eligible


def _already_assigned(ticket: Ticket) -> AlreadyAssigned | None:
    """The ticket as stored, if it is no longer waiting for an agent (a redelivered record, or a race lost)."""
    current = Ticket.get_by_id(ticket.ticket_id, consistent=True)
    if current.status != Status.NEW or current.agent_id:
        return AlreadyAssigned(agent_id=current.agent_id, status=current.status)
    return None


def assign(ticket: Ticket, *, avoid: str | None = None) -> AssignmentResult:
    """Assign `ticket` if it is still new. Safe to call again for the same ticket.

    `avoid` names an agent who just handed the ticket back: anyone else available is preferred.
    """
    for attempt in range(1, MAX_ATTEMPTS + 1):
        candidates = _front_runners(ticket.category, avoid)
        if not candidates:
            return _already_assigned(ticket) or NoAgent(
                f'no active agent with spare capacity covers "{ticket.category}"'
            )
        agent = candidates[0]
        moment = utcnow()
        now = iso(moment)
        seen_open = int(agent.open_count)
        agent.open_count = seen_open + 1
        # Round robin among equals depends on this order, so it must hold within one second too.
        agent.last_assigned_at = iso_precise(moment)
        try:
            with transaction() as tx:
                tx.update(
                    agent,
                    actions=[Agent.open_count.set(seen_open + 1), Agent.last_assigned_at.set(agent.last_assigned_at)],
                    condition=(Agent.open_count == seen_open) & (Agent.active == True),  # noqa: E712
                )
                for category in sorted(agent.categories):
                    tx.save(slot_for(agent, category))
                tx.update(
                    ticket,
                    actions=[
                        Ticket.status.set(Status.ASSIGNED),
                        Ticket.agent_id.set(agent.agent_id),
                        Ticket.assigned_at.set(now),
                        Ticket.updated_at.set(now),
                        Ticket.assignment_seq.add(1),
                        Ticket.version.add(1),
                        Ticket.queue_agent.set(agent.agent_id),
                        Ticket.queue_key.set(ticket.queue_position_key()),
                        *ticket.desk_key_actions({"status": Status.ASSIGNED, "updated_at": now}),
                    ],
                    condition=(Ticket.status == Status.NEW) & Ticket.agent_id.does_not_exist(),
                )
                tx.save(history.assigned(ticket, agent.name, now))  # the story keeps it after a reassignment
        except TransactWriteError as exc:
            # Whose condition failed is read from the ticket itself, not from the order of the reasons.
            taken = _already_assigned(ticket)
            if taken is not None:
                return taken
            logger.info("assignment raced, retrying", extra={"attempt": attempt, "reasons": cancellation_codes(exc)})
            continue
        logger.info("ticket assigned", extra={"ticket": ticket.ticket_id, "agent": agent.agent_id})
        return Assigned(agent=agent)
    raise AssignmentContention(f"could not assign ticket {ticket.ticket_id} after {MAX_ATTEMPTS} attempts")
