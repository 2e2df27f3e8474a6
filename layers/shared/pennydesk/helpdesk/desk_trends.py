"""More of the desk's figures from the same facts as `figures.tally` (pure): first-response and resolution
medians per agent, opened vs resolved per ISO week, and the latest rating comments."""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from pennydesk.helpdesk import roster
from pennydesk.helpdesk.agent_records import Agent
from pennydesk.helpdesk.figures import (
    FIRST_RESPONSE,
    OPENED,
    RATING,
    RESOLVED,
    DeskFact,
    backlog,
    day_range,
    facts_in,
    summarize,
    tally,
)
from pennydesk.platform.settings import get_settings

MAX_COMMENTS = 10


def report(start: str | None = None, end: str | None = None) -> dict[str, Any]:
    """`figures.report` with the trends beside it, from one read of the range's facts."""
    days = day_range(start, end)
    facts, team = list(facts_in(days)), roster.list_agents()
    summary = summarize(days, tally(facts), backlog(), team, get_settings().ticket_categories)
    return {**summary, **trends(facts, team)}


def trends(facts: Iterable[DeskFact], team: Iterable[Agent]) -> dict[str, Any]:
    """`by_agent`, `weekly` and `comments` for the report (each fact counted once, as `tally` does)."""
    unique = list({(f.pk, f.sk): f for f in facts}.values())
    return {"by_agent": by_agent(unique, team), "weekly": weekly(unique), "comments": comments(unique)}


def by_agent(facts: list[DeskFact], team: Iterable[Agent]) -> list[dict[str, Any]]:
    """Each agent's first-response and resolution medians over the range (agents with neither are left out)."""
    first: dict[str, list[int]] = defaultdict(list)
    resolved: dict[str, dict[str, int]] = defaultdict(dict)  # per ticket: its last resolution in the range
    for fact in facts:
        if fact.agent_id and fact.seconds is not None:
            if fact.kind == FIRST_RESPONSE:
                first[fact.agent_id].append(int(fact.seconds))
            elif fact.kind == RESOLVED:
                resolved[fact.agent_id][fact.ticket_id] = int(fact.seconds)
    names = {a.agent_id: a.name for a in team}
    return [
        {
            "agent_id": agent_id, "name": names.get(agent_id, "A former agent"),
            "first_response": _timing(first[agent_id]), "resolution": _timing(list(resolved[agent_id].values())),
        }
        for agent_id in sorted(set(first) | set(resolved), key=lambda a: names.get(a, "~"))
    ]


def weekly(facts: list[DeskFact]) -> list[dict[str, Any]]:
    """Opened and resolved tickets per ISO week (weeks start on Monday, UTC), oldest first, empty weeks kept."""
    opened: dict[date, int] = defaultdict(int)
    resolved: dict[date, set[str]] = defaultdict(set)
    for fact in facts:
        if fact.kind == OPENED:
            opened[_monday(fact.at)] += 1
        elif fact.kind == RESOLVED:
            resolved[_monday(fact.at)].add(fact.ticket_id)
    weeks = sorted(set(opened) | set(resolved))
    if not weeks:
        return []
    out, week = [], weeks[0]
    while week <= weeks[-1]:
        out.append({"week": week.isoformat(), "opened": opened.get(week, 0), "resolved": len(resolved.get(week, ()))})
        week += timedelta(days=7)
    return out


def comments(facts: list[DeskFact]) -> list[dict[str, Any]]:
    """The newest rating comments in the range, newest first."""
    rated = [f for f in facts if f.kind == RATING and f.comment]
    rated.sort(key=lambda f: f.at, reverse=True)
    return [
        {"ticket_id": f.ticket_id, "rating": int(f.rating or 0), "comment": f.comment, "at": f.at}
        for f in rated[:MAX_COMMENTS]
    ]


def _timing(values: list[int]) -> dict[str, Any]:
    return {"count": len(values), "median_seconds": round(statistics.median(values)) if values else None}


def _monday(moment: str) -> date:
    day = date.fromisoformat(moment[:10])
    return day - timedelta(days=day.weekday())
