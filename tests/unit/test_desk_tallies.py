"""The desk's figures from its facts: counts, medians, breaches and ratings, a redelivered fact counted once,
and the backlog by category, status and agent. Plain values; nothing here touches AWS."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from pennydesk.helpdesk import figures
from pennydesk.helpdesk.agent_records import Agent
from pennydesk.helpdesk.figures import BacklogTicket, DayRange, DeskFact, summarize, tally, ticket_facts
from pennydesk.helpdesk.ticket_records import Ticket
from pennydesk.platform.errors import PennydeskError

NOVEMBER = DayRange(date(2026, 11, 1), date(2026, 11, 30))


def fact(kind: str, ticket_id: str, at: str = "2026-11-20T10:00:00Z", suffix: str = "", **fields: Any) -> DeskFact:
    sk = f"{at}#{kind}#{ticket_id}{'#' + suffix if suffix else ''}"
    return DeskFact(pk=figures.month_pk(at), sk=sk, kind=kind, ticket_id=ticket_id, at=at, **fields)


def a_ticket(**overrides: Any) -> Ticket:
    fields: dict[str, Any] = {
        "ticket_id": "t1", "status": "new", "category": "billing", "priority": "high", "version": 1,
        "created_at": "2026-11-20T10:00:00Z", "agent_id": None, "first_response_at": None, "resolved_at": None,
    }
    return Ticket(pk="TICKET#t1", sk="TICKET", **{**fields, **overrides})


def report_of(facts: list[DeskFact], **kwargs: Any) -> dict[str, Any]:
    return summarize(NOVEMBER, tally(facts), kwargs.get("backlog", []), kwargs.get("team", []), ("billing",))


# --------------------------------------------------------------------------------------- the tallies
def test_opened_and_resolved_tickets_are_counted() -> None:
    facts = [
        fact("opened", "t1"), fact("opened", "t2"), fact("opened", "t3"),
        fact("resolved", "t1", suffix="0000000004", seconds=600),
    ]
    assert report_of(facts)["tickets"] == {"opened": 3, "resolved": 1}


def test_the_medians_are_of_first_responses_and_of_each_tickets_last_resolution() -> None:
    facts = [
        fact("first_response", "t1", seconds=60),
        fact("first_response", "t2", seconds=120),
        fact("first_response", "t3", seconds=600),
        fact("first_response", "t4", seconds=700),
        fact("resolved", "t1", "2026-11-20T11:00:00Z", "0000000004", seconds=3600),
        fact("resolved", "t2", "2026-11-20T12:00:00Z", "0000000004", seconds=100),
        fact("resolved", "t1", "2026-11-21T09:00:00Z", "0000000009", seconds=9000),  # resolved again
    ]
    summary = report_of(facts)
    assert summary["first_response"] == {"count": 4, "median_seconds": 360}
    assert summary["resolution"] == {"count": 2, "median_seconds": 4550}
    assert summary["tickets"]["resolved"] == 2  # a ticket resolved twice counts once


def test_with_no_facts_there_are_no_medians_and_no_average() -> None:
    summary = report_of([])
    assert summary["first_response"] == {"count": 0, "median_seconds": None}
    assert summary["resolution"] == {"count": 0, "median_seconds": None}
    assert summary["satisfaction"]["average"] is None
    assert summary["sla_breaches"] == {"total": 0, "first_response": 0, "resolution": 0}


def test_breaches_are_counted_per_target() -> None:
    facts = [
        fact("breach", "t1", suffix="sla_first", target="sla_first"),
        fact("breach", "t1", suffix="sla_resolution", target="sla_resolution"),
        fact("breach", "t2", suffix="sla_resolution", target="sla_resolution"),
    ]
    assert report_of(facts)["sla_breaches"] == {"total": 3, "first_response": 1, "resolution": 2}


def test_ratings_give_the_count_the_average_and_the_distribution() -> None:
    facts = [
        fact("rating", "t1", suffix="0000000004", rating=5),
        fact("rating", "t2", suffix="0000000004", rating=4),
        fact("rating", "t3", suffix="0000000004", rating=4),
    ]
    satisfaction = report_of(facts)["satisfaction"]
    assert satisfaction["count"] == 3
    assert satisfaction["average"] == 4.33
    assert [d["count"] for d in satisfaction["distribution"]] == [0, 0, 0, 2, 1]


def test_a_redelivered_fact_is_counted_once() -> None:
    opened = fact("opened", "t1")
    rated = fact("rating", "t1", suffix="0000000004", rating=2)
    first = fact("first_response", "t1", seconds=90)
    counted = tally([opened, first, rated, fact("opened", "t1"), fact("first_response", "t1", seconds=90), rated])
    assert counted.opened == 1
    assert counted.first_response_seconds == [90]
    assert counted.ratings == [2]


def test_the_same_ticket_record_twice_makes_facts_with_the_same_keys() -> None:
    old = a_ticket(status="in_progress", agent_id="ada", version=3)
    new = a_ticket(
        status="resolved", agent_id="ada", version=4, first_response_at="2026-11-20T10:05:00Z",
        resolved_at="2026-11-20T11:00:00Z",
    )
    once, again = ticket_facts(old, new), ticket_facts(old, new)
    assert [(f.kind, f.seconds) for f in once] == [("first_response", 300), ("resolved", 3600)]
    assert [(f.pk, f.sk) for f in once] == [(f.pk, f.sk) for f in again]
    assert once[0].pk == "HELPDESK#2026-11"


def test_a_new_ticket_is_one_opened_fact() -> None:
    [opened] = ticket_facts(None, a_ticket())
    assert (opened.kind, opened.sk, opened.category, opened.priority) == (
        "opened", "2026-11-20T10:00:00Z#opened#t1", "billing", "high",
    )


# ---------------------------------------------------------------------------------------- the backlog
def test_the_backlog_is_counted_by_category_status_and_agent() -> None:
    team = [
        Agent(agent_id="ada", name="Ada", active=True, capacity=5),
        Agent(agent_id="ivy", name="Ivy", active=False, capacity=5),
    ]
    open_tickets = [
        BacklogTicket(ticket_id="t1", status="new", category="billing", priority="low", agent_id=None, version=1),
        BacklogTicket(ticket_id="t2", status="assigned", category="billing", priority="low", agent_id="ada", version=2),
        BacklogTicket(ticket_id="t3", status="waiting_on_customer", category="shipping", priority="low",
                      agent_id="gone", version=5),
    ]
    backlog = report_of([], backlog=open_tickets, team=team)["backlog"]
    assert backlog["total"] == 3
    assert backlog["unassigned"] == 1
    assert backlog["by_category"] == [{"category": "billing", "open": 2}, {"category": "shipping", "open": 1}]
    assert backlog["by_status"] == [
        {"status": "new", "open": 1}, {"status": "assigned", "open": 1}, {"status": "in_progress", "open": 0},
        {"status": "waiting_on_customer", "open": 1},
    ]
    assert backlog["by_agent"] == [
        {"agent_id": "ada", "name": "Ada", "active": True, "open": 1},
        {"agent_id": "ivy", "name": "Ivy", "active": False, "open": 0},
        {"agent_id": "gone", "name": "(removed agent)", "active": False, "open": 1},
    ]


# ------------------------------------------------------------------------------------------ the range
def test_the_range_defaults_to_the_thirty_days_that_end_today_and_names_its_months() -> None:
    days = figures.day_range(None, None, today=date(2026, 12, 10))
    assert (days.start, days.end, days.days) == (date(2026, 11, 11), date(2026, 12, 10), 30)
    assert list(figures.months(days)) == ["2026-11", "2026-12"]


@pytest.mark.parametrize(
    ("start", "end", "refusal"),
    [("2026-12-02", "2026-12-01", "starts after it ends"), ("2025-01-01", "2026-12-01", "at most 366 days"),
     ("yesterday", None, "as a date")],
)
def test_a_range_that_makes_no_sense_is_refused(start: str, end: str | None, refusal: str) -> None:
    with pytest.raises(PennydeskError, match=refusal):
        figures.day_range(start, end, today=date(2026, 12, 10))
