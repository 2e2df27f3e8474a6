"""The kinds of scheduled work. Each context registers its own (name, table, partition, handler), so the
scheduler and the worker find them here and this package never names a product module.

A handler is named as ``"package.module:function"`` and imported on first use: the module that arms a
timer (inside a workflow change) need not import the module that does its work, which imports the
workflow in turn, and the scheduler, which only leases and enqueues, never loads any product's worker.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from pennydesk.platform.jobs import load_handler
from pennydesk.scheduling.records import TimerBase

Handler = Callable[[Any, datetime], str]


@dataclass(frozen=True)
class Kind:
    name: str  # the timer's kind, as in its sort key TIMER#<name>
    table: str  # the logical table the work queue's messages name: "tickets" or "spending"
    model: type[TimerBase]  # the PynamoDB model of that table's timers
    partition: str  # the prefix every timer partition of this kind starts with, e.g. TIMERS#TICKET#
    handler: str  # "package.module:function", called by the worker with (timer, now)


_KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    """Make `kind` known to the scheduler and the worker (registering the same kind again is harmless)."""
    known = _KINDS.setdefault(kind.name, kind)
    if known != kind:
        raise ValueError(f"timer kind {kind.name!r} is registered twice, differently")
    return kind


def kinds() -> list[Kind]:
    return list(_KINDS.values())


def find(name: str) -> Kind | None:
    return _KINDS.get(name)


def model_of(table: str) -> type[TimerBase]:
    """The timer model of a logical table; KeyError for a table no registered kind uses."""
    for kind in _KINDS.values():
        if kind.table == table:
            return kind.model
    raise KeyError(table)


@cache
def handler_of(kind: Kind) -> Handler:
    return load_handler(kind.handler)
