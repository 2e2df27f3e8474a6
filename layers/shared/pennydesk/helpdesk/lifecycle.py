"""The ticket lifecycle as an explicit state machine.

    new ─assign─▶ assigned ─acknowledge─▶ in_progress ─reply─▶ waiting_on_customer
                     │                        ▲  │                   │ customer reply
                     └────────reply───────────┼──┘◀──────────────────┘
    any open state ─resolve─▶ resolved ─(quiet period)─▶ closed
    resolved / closed ─reopen (agent) or customer reply─▶ in_progress
    any open state ─reassign─▶ assigned (another agent) or new (back to the queue)

An action that does not fit the current state is refused with the reason (a 409 at the API).
"""

from __future__ import annotations

from dataclasses import dataclass

from pennydesk.helpdesk.vocabulary import AGENT_ACTIONS, OPEN_STATUSES, Action, Status, is_open
from pennydesk.platform.errors import Conflict

STATUSES = tuple(Status)
__all__ = ["AGENT_ACTIONS", "OPEN_STATUSES", "STATUSES", "TRANSITIONS", "Transition", "is_open", "next_status"]


@dataclass(frozen=True)
class Transition:
    allowed_from: frozenset[str]
    to: str | None  # None: the status stays as it is
    refusal: str


TRANSITIONS: dict[str, Transition] = {
    Action.ACKNOWLEDGE: Transition(
        frozenset({Status.ASSIGNED}), Status.IN_PROGRESS, "Only a newly assigned ticket can be acknowledged."
    ),
    Action.REPLY: Transition(OPEN_STATUSES, Status.WAITING, "Reopen the ticket before replying to the customer."),
    Action.NOTE: Transition(frozenset(Status), None, ""),
    Action.RESOLVE: Transition(OPEN_STATUSES, Status.RESOLVED, "Only an open ticket can be resolved."),
    Action.REOPEN: Transition(
        frozenset({Status.RESOLVED, Status.CLOSED}), Status.IN_PROGRESS,
        "Only a resolved or closed ticket can be reopened.",
    ),
    Action.REASSIGN: Transition(
        OPEN_STATUSES | {Status.NEW}, Status.ASSIGNED,
        "A resolved or closed ticket can't be reassigned; reopen it first.",
    ),
    Action.SET_PRIORITY: Transition(
        OPEN_STATUSES | {Status.NEW}, None, "The priority of a resolved or closed ticket can't change."
    ),
    Action.CUSTOMER_REPLY: Transition(frozenset(Status), None, ""),
    # Not an agent action: the scheduled auto-close, after the quiet period with no customer reply.
    Action.CLOSE: Transition(
        frozenset({Status.RESOLVED}), Status.CLOSED, "Only a resolved ticket closes after its quiet period."
    ),
}
# A customer writing back puts the ball in the agent's court, and reopens a finished ticket.
CUSTOMER_REPLY_REOPENS = frozenset({Status.WAITING, Status.RESOLVED, Status.CLOSED})


def next_status(action: str, current: str) -> str:
    """The status after `action`, or Conflict saying why the action does not fit `current`."""
    transition = TRANSITIONS[action]
    if current not in transition.allowed_from:
        raise Conflict(f"{transition.refusal} This ticket is {current.replace('_', ' ')}.")
    if action == Action.CUSTOMER_REPLY:
        return Status.IN_PROGRESS if current in CUSTOMER_REPLY_REOPENS else current
    return transition.to or current
