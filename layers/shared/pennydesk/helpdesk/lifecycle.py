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

from pennydesk.platform.errors import Conflict

STATUSES = ("new", "assigned", "in_progress", "waiting_on_customer", "resolved", "closed")
OPEN_STATUSES = frozenset({"assigned", "in_progress", "waiting_on_customer"})
AGENT_ACTIONS = ("acknowledge", "reply", "note", "resolve", "reopen", "reassign", "set_priority")


@dataclass(frozen=True)
class Transition:
    allowed_from: frozenset[str]
    to: str | None  # None: the status stays as it is
    refusal: str


TRANSITIONS: dict[str, Transition] = {
    "acknowledge": Transition(
        frozenset({"assigned"}), "in_progress", "Only a newly assigned ticket can be acknowledged."
    ),
    "reply": Transition(
        OPEN_STATUSES, "waiting_on_customer", "Reopen the ticket before replying to the customer."
    ),
    "note": Transition(frozenset(STATUSES), None, ""),
    "resolve": Transition(OPEN_STATUSES, "resolved", "Only an open ticket can be resolved."),
    "reopen": Transition(
        frozenset({"resolved", "closed"}), "in_progress", "Only a resolved or closed ticket can be reopened."
    ),
    "reassign": Transition(
        OPEN_STATUSES | {"new"}, "assigned", "A resolved or closed ticket can't be reassigned; reopen it first."
    ),
    "set_priority": Transition(
        OPEN_STATUSES | {"new"}, None, "The priority of a resolved or closed ticket can't change."
    ),
    "customer_reply": Transition(
        frozenset(STATUSES), None, ""
    ),
    # Not an agent action: the scheduled auto-close, after the quiet period with no customer reply.
    "close": Transition(frozenset({"resolved"}), "closed", "Only a resolved ticket closes after its quiet period."),
}


def next_status(action: str, current: str) -> str:
    """The status after `action`, or Conflict saying why the action does not fit `current`."""
    transition = TRANSITIONS[action]
    if current not in transition.allowed_from:
        raise Conflict(f"{transition.refusal} This ticket is {current.replace('_', ' ')}.")
    if action == "customer_reply":
        # A customer writing back puts the ball in the agent's court, and reopens a finished ticket.
        return "in_progress" if current in ("waiting_on_customer", "resolved", "closed") else current
    return transition.to or current


def is_open(status: str) -> bool:
    return status in OPEN_STATUSES
