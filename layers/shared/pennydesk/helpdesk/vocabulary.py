"""The help desk's words, defined once: ticket statuses, priorities, actions, who acts, entry and timer kinds.

Each is a StrEnum, so a member is the very string that is stored and sent (``Status.NEW == "new"``).
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    NEW = "new"
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    WAITING = "waiting_on_customer"
    RESOLVED = "resolved"
    CLOSED = "closed"


OPEN_STATUSES = frozenset({Status.ASSIGNED, Status.IN_PROGRESS, Status.WAITING})
FINISHED_STATUSES = frozenset({Status.RESOLVED, Status.CLOSED})
# The backlog counts these, in this order.
BACKLOG_STATUSES = (Status.NEW, Status.ASSIGNED, Status.IN_PROGRESS, Status.WAITING)


def is_open(status: str) -> bool:
    """Assigned to someone and not finished: the ticket is in its agent's queue."""
    return status in OPEN_STATUSES


def is_finished(status: str) -> bool:
    return status in FINISHED_STATUSES


class Priority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


class Action(StrEnum):
    """What can happen to a ticket; the first seven are an agent's actions."""

    ACKNOWLEDGE = "acknowledge"
    REPLY = "reply"
    NOTE = "note"
    RESOLVE = "resolve"
    REOPEN = "reopen"
    REASSIGN = "reassign"
    SET_PRIORITY = "set_priority"
    CUSTOMER_REPLY = "customer_reply"
    CLOSE = "close"  # by the desk itself, after the quiet period
    ASSIGN = "assign"  # by the desk itself, by the least-loaded rule
    SURVEY_SENT = "survey_sent"  # by the desk itself, after a resolution


AGENT_ACTIONS = (
    Action.ACKNOWLEDGE, Action.REPLY, Action.NOTE, Action.RESOLVE, Action.REOPEN, Action.REASSIGN, Action.SET_PRIORITY,
)


class ActorType(StrEnum):
    CUSTOMER = "customer"
    AGENT = "agent"
    ADMIN = "admin"
    SYSTEM = "system"


class EntryKind(StrEnum):
    MESSAGE = "message"  # public: from the customer or an agent
    NOTE = "note"  # internal, never shown to the customer
    EVENT = "event"  # the history: a status change, an assignment, a priority change


# A message entry with this detail is the agent's closing words, sent in the "resolved" email.
RESOLVE_DETAIL = "resolve"
# How the history says a ticket went back for assignment.
BACK_TO_QUEUE = "back to the queue"


class TimerKind(StrEnum):
    SLA_FIRST = "sla_first"
    SLA_RESOLUTION = "sla_resolution"
    SURVEY = "survey"
    AUTOCLOSE = "autoclose"
    FILES = "files"  # files attached on the ticket page with no message: the other side hears (file_notices)


SLA_KINDS = (TimerKind.SLA_FIRST, TimerKind.SLA_RESOLUTION)
FOLLOWUP_KINDS = (TimerKind.SURVEY, TimerKind.AUTOCLOSE)
