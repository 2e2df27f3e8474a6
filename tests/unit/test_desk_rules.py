"""The desk's pure rules: which view a ticket is in, the words its subject is found by, its SLA state, taking
an unassigned ticket and an admin's reassignment with a reason. Plain values; nothing here touches AWS."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pennydesk.helpdesk import decisions, desk_sla
from pennydesk.helpdesk.agent_records import Agent
from pennydesk.helpdesk.decisions import Add, AgentState, LoadChange, TicketState
from pennydesk.helpdesk.desk_trends import trends
from pennydesk.helpdesk.figures import DeskFact
from pennydesk.helpdesk.subject_words import MAX_WORDS, words_of
from pennydesk.helpdesk.ticket_records import TicketTimer, desk_keys
from pennydesk.platform.errors import Forbidden, PennydeskError

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
ADA = AgentState("ada", "Ada", active=True)
GRACE = AgentState("grace", "Grace", active=True)


@pytest.mark.parametrize(
    ("status", "bucket", "is_open"),
    [("new", "unassigned", True), ("assigned", "working", True), ("in_progress", "working", True),
     ("waiting_on_customer", "waiting", True), ("resolved", "resolved", False), ("closed", "resolved", False)],
)
def test_each_status_lists_the_ticket_in_its_views(status: str, bucket: str, is_open: bool) -> None:
    keys = desk_keys(status, "urgent", "2026-11-19T09:00:00Z", "2026-11-20T09:00:00Z", "t1")
    assert keys["desk_status"] == bucket
    assert (keys["desk_open"] == "open") is is_open
    assert keys["desk_all"] == "all" and keys["desk_updated_key"] == "2026-11-20T09:00:00Z#t1"
    if bucket == "unassigned":
        assert keys["desk_status_key"] == "0#2026-11-19T09:00:00Z#t1", "most urgent, then oldest"


def test_subject_words_are_distinct_lower_case_and_skip_the_commonest() -> None:
    assert words_of("Refund for the MARCH invoice, refund please!") == ["refund", "march", "invoice", "please"]
    assert words_of('"re*und" %_ <script>') == ["re", "und", "script"]
    assert words_of("a I to") == []
    assert len(words_of(" ".join(f"w{i}" for i in range(40)))) == MAX_WORDS


def timer(kind: str, started: datetime, target: int, **extra: object) -> TicketTimer:
    return TicketTimer(kind=kind, started_at=started.strftime("%Y-%m-%dT%H:%M:%SZ"), target_seconds=target,
                       paused_seconds=0, **extra)


def test_the_sla_state_is_the_most_pressing_target() -> None:
    hour = 3600
    fresh = timer("sla_first", NOW - timedelta(minutes=10), 4 * hour)
    late = timer("sla_resolution", NOW - timedelta(hours=3, minutes=30), 4 * hour)
    assert desk_sla.state_of([fresh], NOW).state == "on_track"
    assert desk_sla.state_of([fresh, late], NOW) == desk_sla.SlaState("due_soon", "resolution", "2026-11-20T10:30:00Z")
    overdue = timer("sla_first", NOW - timedelta(hours=5), 4 * hour)
    assert desk_sla.state_of([overdue], NOW).state == "breached"
    recorded = timer("sla_first", NOW - timedelta(hours=9), 4 * hour, breached_at="2026-11-20T01:00:00Z")
    assert desk_sla.state_of([recorded, fresh], NOW).state == "breached"
    paused = timer("sla_first", NOW, hour, paused_at="2026-11-20T09:00:00Z")
    assert desk_sla.state_of([paused], NOW).state == "paused"
    assert desk_sla.state_of([], NOW).state == "met"


def unassigned() -> TicketState:
    return TicketState("t1", "new", "normal", "2026-11-19T09:00:00Z", version=2)


def test_an_agent_takes_a_ticket_nobody_has_by_reassigning_it_to_themselves() -> None:
    plan = decisions.agent_action(unassigned(), "reassign", ADA, NOW, to="ada")
    assert plan.status == "assigned"
    assert plan.fields["agent_id"] == "ada" and plan.fields["assignment_seq"] == Add(1)
    assert plan.loads == (LoadChange("ada", +1),)
    assert plan.entries[-1].detail == "to Ada, taken from the queue"


def test_nobody_takes_a_ticket_for_someone_else_or_one_that_has_an_agent() -> None:
    with pytest.raises(Forbidden):
        decisions.agent_action(unassigned(), "reassign", ADA, NOW, to="grace", target=GRACE)
    owned = TicketState("t1", "assigned", "normal", "2026-11-19T09:00:00Z", agent_id="grace")
    with pytest.raises(Forbidden):
        decisions.agent_action(owned, "reassign", ADA, NOW, to="ada")
    with pytest.raises(Forbidden, match="Inactive"):
        decisions.agent_action(unassigned(), "reassign", AgentState("ivy", "Ivy", active=False), NOW, to="ivy")


def test_an_admin_reassigns_with_a_reason_that_the_history_keeps() -> None:
    owned = TicketState("t1", "in_progress", "high", "2026-11-19T09:00:00Z", agent_id="ada")
    plan = decisions.admin_reassign(owned, ADA, GRACE, "grace", "  Grace knows\nthe account ", NOW)
    assert plan.status == "assigned" and plan.fields["agent_id"] == "grace"
    assert plan.loads == (LoadChange("ada", -1), LoadChange("grace", +1))
    assert plan.entries[-1].detail == "to Grace: Grace knows the account", "one line, spaces collapsed"
    back = decisions.admin_reassign(owned, ADA, None, "queue", "Ada is away", NOW)
    assert back.status == "new" and back.entries[-1].detail == "back to the queue: Ada is away"
    for reason in ("", "   ", "x" * 501, "bell\x07"):
        with pytest.raises(PennydeskError, match="Say why") as refused:
            decisions.admin_reassign(owned, ADA, GRACE, "grace", reason, NOW)
        assert refused.value.field == "reason"
    with pytest.raises(PennydeskError, match="already with Ada"):
        decisions.admin_reassign(owned, ADA, ADA, "ada", "why not", NOW)


def fact(kind: str, at: str, ticket: str, **fields: object) -> DeskFact:
    return DeskFact(pk=f"HELPDESK#{at[:7]}", sk=f"{at}#{kind}#{ticket}", kind=kind, ticket_id=ticket, at=at, **fields)


def test_trends_give_each_agents_medians_the_weekly_opened_and_resolved_and_the_newest_comments() -> None:
    ada = Agent(agent_id="ada", name="Ada")
    facts = [
        fact("opened", "2026-11-02T09:00:00Z", "t1"), fact("opened", "2026-11-03T09:00:00Z", "t2"),
        fact("opened", "2026-11-17T09:00:00Z", "t3"),
        fact("first_response", "2026-11-02T10:00:00Z", "t1", agent_id="ada", seconds=3600),
        fact("first_response", "2026-11-03T09:30:00Z", "t2", agent_id="ada", seconds=1800),
        fact("resolved", "2026-11-04T09:00:00Z", "t1", agent_id="ada", seconds=172800),
        fact("rating", "2026-11-05T09:00:00Z", "t1", rating=5, comment="Quick and kind"),
        fact("rating", "2026-11-06T09:00:00Z", "t2", rating=3),
    ]
    found = trends(facts + facts[:1], [ada])  # a fact read twice counts once
    assert found["by_agent"] == [{
        "agent_id": "ada", "name": "Ada", "first_response": {"count": 2, "median_seconds": 2700},
        "resolution": {"count": 1, "median_seconds": 172800},
    }]
    assert found["weekly"] == [
        {"week": "2026-11-02", "opened": 2, "resolved": 1},
        {"week": "2026-11-09", "opened": 0, "resolved": 0},
        {"week": "2026-11-16", "opened": 1, "resolved": 0},
    ]
    assert found["comments"] == [{"ticket_id": "t1", "rating": 5, "comment": "Quick and kind",
                                  "at": "2026-11-05T09:00:00Z"}]
