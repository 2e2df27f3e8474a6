"""The ticket lifecycle and what each change plans: every row of the state table, and each action's new
status, fields, history entries, load changes and timers. Plain values; nothing here touches AWS."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pennydesk.helpdesk import decisions, lifecycle
from pennydesk.helpdesk.decisions import REMOVE, Add, AgentState, EntryPlan, LoadChange, TicketState
from pennydesk.helpdesk.ticket_timers import Change
from pennydesk.helpdesk.vocabulary import Status
from pennydesk.platform.errors import Conflict, Forbidden, PennydeskError

NOW = datetime(2026, 11, 20, 10, 30, tzinfo=UTC)
AT = "2026-11-20T10:30:00Z"
CREATED = "2026-11-19T09:00:00Z"
ADA = AgentState("ada", "Ada", active=True)
GRACE = AgentState("grace", "Grace", active=True)
IVY = AgentState("ivy", "Ivy", active=False)

OPEN = ("assigned", "in_progress", "waiting_on_customer")
EVERY = ("new", *OPEN, "resolved", "closed")
# The lifecycle table, written out: action -> {status it may start from: the status it leads to}.
TABLE = {
    "acknowledge": {"assigned": "in_progress"},
    "reply": dict.fromkeys(OPEN, "waiting_on_customer"),
    "note": {s: s for s in EVERY},
    "resolve": dict.fromkeys(OPEN, "resolved"),
    "reopen": {"resolved": "in_progress", "closed": "in_progress"},
    "reassign": dict.fromkeys(("new", *OPEN), "assigned"),
    "set_priority": {s: s for s in ("new", *OPEN)},
    "customer_reply": {
        "new": "new", "assigned": "assigned", "in_progress": "in_progress",
        "waiting_on_customer": "in_progress", "resolved": "in_progress", "closed": "in_progress",
    },
    "close": {"resolved": "closed"},
}
ROWS = [(action, status) for action in TABLE for status in EVERY]


def a_ticket(status: str = "in_progress", **overrides: object) -> TicketState:
    fields: dict[str, object] = {
        "ticket_id": "t1", "status": status, "priority": "normal", "created_at": CREATED, "version": 4,
        "agent_id": "ada", "first_response_at": "2026-11-19T09:30:00Z", "customer_name": "Eve",
    }
    return TicketState(**{**fields, **overrides})  # type: ignore[arg-type]


def event(action: str, old: str, new: str, detail: str | None = None) -> EntryPlan:
    return EntryPlan("event", action=action, from_status=old, to_status=new, detail=detail)


def act(
    action: str, ticket: TicketState | None = None, me: AgentState | None = ADA, **kwargs: object
) -> decisions.Plan:
    return decisions.agent_action(ticket or a_ticket(), action, me, NOW, **kwargs)  # type: ignore[arg-type]


# ------------------------------------------------------------------------------------------ the table
def test_the_table_covers_every_action_and_status_the_desk_knows() -> None:
    assert set(TABLE) == set(lifecycle.TRANSITIONS)
    assert set(EVERY) == {str(s) for s in Status}


@pytest.mark.parametrize(("action", "status"), ROWS)
def test_each_action_leads_where_the_table_says_or_is_refused_naming_the_status(action: str, status: str) -> None:
    allowed = TABLE[action]
    if status in allowed:
        assert lifecycle.next_status(action, status) == allowed[status]
    else:
        with pytest.raises(Conflict, match=f"This ticket is {status.replace('_', ' ')}."):
            lifecycle.next_status(action, status)


def test_an_agent_action_on_a_status_the_table_refuses_is_a_conflict() -> None:
    with pytest.raises(Conflict, match="Only a newly assigned ticket can be acknowledged"):
        act("acknowledge", a_ticket("in_progress"))


# ------------------------------------------------------------------------------------ who may act
def test_an_unknown_action_is_refused_by_name() -> None:
    with pytest.raises(PennydeskError, match="Unknown action") as refused:
        act("escalate")
    assert refused.value.field == "action"


@pytest.mark.parametrize("me", [GRACE, None])
def test_only_the_tickets_own_agent_may_act_on_it(me: AgentState | None) -> None:
    with pytest.raises(Forbidden, match="not assigned to you"):
        act("note", me=me, body="hello")


@pytest.mark.parametrize("body", [None, "   "])
def test_a_reply_or_note_needs_words(body: str | None) -> None:
    for action in ("reply", "note"):
        with pytest.raises(PennydeskError, match="Write a message first"):
            act(action, body=body)


def test_a_body_over_the_limit_or_with_control_characters_is_refused() -> None:
    with pytest.raises(PennydeskError, match="Keep it under 20,000 characters"):
        act("reply", body="x" * 20_001)
    with pytest.raises(PennydeskError, match="Remove control characters"):
        act("reply", body="hi\x07")


# ------------------------------------------------------------------------------- each action's plan
def test_acknowledging_moves_the_status_and_writes_the_history() -> None:
    plan = act("acknowledge", a_ticket("assigned"))
    assert plan.status == "in_progress"
    assert plan.fields == {"updated_at": AT, "status": "in_progress"}
    assert plan.entries == (event("acknowledge", "assigned", "in_progress"),)
    assert plan.loads == ()
    assert plan.timers is None


def test_the_first_reply_is_the_first_response_and_waits_on_the_customer() -> None:
    plan = act("reply", a_ticket(first_response_at=None), body="  On it.  ")
    assert plan.fields == {"updated_at": AT, "first_response_at": AT, "status": "waiting_on_customer"}
    assert plan.entries == (EntryPlan("message", body="On it."), event("reply", "in_progress", "waiting_on_customer"))
    assert plan.timers == Change("in_progress", "waiting_on_customer", NOW, first_response=True, agent_id="ada")


def test_a_later_reply_leaves_the_first_response_as_it_was() -> None:
    plan = act("reply", a_ticket("waiting_on_customer"), body="Any news?")
    assert plan.fields == {"updated_at": AT}
    assert plan.entries[1] == event("reply", "waiting_on_customer", "waiting_on_customer")
    assert plan.timers is None


def test_a_note_stays_inside_the_desk_and_moves_nothing() -> None:
    plan = act("note", a_ticket("closed"), body="Refund sent.")
    assert plan.status == "closed"
    assert plan.fields == {"updated_at": AT}
    assert plan.entries == (EntryPlan("note", body="Refund sent."), event("note", "closed", "closed"))
    assert plan.loads == ()
    assert plan.timers is None


def test_resolving_leaves_the_queue_and_frees_the_agent() -> None:
    plan = act("resolve")
    assert plan.fields == {
        "updated_at": AT, "resolved_at": AT, "queue_agent": REMOVE, "queue_key": REMOVE, "status": "resolved",
    }
    assert plan.entries == (event("resolve", "in_progress", "resolved"),)
    assert plan.loads == (LoadChange("ada", -1),)
    assert plan.timers == Change("in_progress", "resolved", NOW, agent_id="ada")


def test_closing_words_on_resolve_are_a_message_and_can_be_the_first_response() -> None:
    plan = act("resolve", a_ticket("assigned", first_response_at=None), body="Fixed.")
    assert plan.entries == (
        EntryPlan("message", body="Fixed.", detail="resolve"), event("resolve", "assigned", "resolved"),
    )
    assert plan.fields["first_response_at"] == AT
    assert plan.timers == Change("assigned", "resolved", NOW, first_response=True, agent_id="ada")


def test_reopening_puts_the_ticket_back_in_its_agents_queue() -> None:
    plan = act("reopen", a_ticket("resolved"))
    assert plan.fields == {
        "updated_at": AT, "queue_agent": "ada", "queue_key": f"2#{CREATED}#t1", "resolved_at": REMOVE,
        "status": "in_progress",
    }
    assert plan.entries == (event("reopen", "resolved", "in_progress"),)
    assert plan.loads == (LoadChange("ada", +1),)
    assert plan.timers == Change("resolved", "in_progress", NOW, agent_id="ada")


def test_an_inactive_agent_cannot_reopen() -> None:
    with pytest.raises(Forbidden, match="Inactive agents can't reopen"):
        act("reopen", a_ticket("closed", agent_id="ivy"), me=IVY)


@pytest.mark.parametrize("to", [None, "", "queue"])
def test_reassigning_to_the_queue_unassigns_and_frees_the_agent(to: str | None) -> None:
    plan = act("reassign", a_ticket("waiting_on_customer"), to=to)
    assert plan.status == "new"
    assert plan.fields == {
        "updated_at": AT, "status": "new", "agent_id": REMOVE, "queue_agent": REMOVE, "queue_key": REMOVE,
        "assignment_seq": Add(1),
    }
    assert plan.entries == (event("reassign", "waiting_on_customer", "new", "back to the queue"),)
    assert plan.loads == (LoadChange("ada", -1),)
    assert plan.timers == Change("waiting_on_customer", "new", NOW, agent_id="ada")


def test_reassigning_to_a_colleague_moves_the_load_and_the_queue() -> None:
    plan = act("reassign", a_ticket("in_progress"), to="grace", target=GRACE)
    assert plan.status == "assigned"
    assert plan.fields == {
        "updated_at": AT, "status": "assigned", "agent_id": "grace", "assigned_at": AT, "assignment_seq": Add(1),
        "queue_agent": "grace", "queue_key": f"2#{CREATED}#t1",
    }
    assert plan.entries == (event("reassign", "in_progress", "assigned", "to Grace"),)
    assert plan.loads == (LoadChange("ada", -1), LoadChange("grace", +1))
    assert plan.timers is None


@pytest.mark.parametrize(
    ("to", "target", "refusal"),
    [
        ("ada", ADA, "already yours"),
        ("ivy", IVY, "Choose an active agent"),
        ("nobody", None, "Choose an active agent"),
        ("grace", IVY, "Choose an active agent"),  # the agent read is not the one named
    ],
)
def test_reassigning_needs_another_active_agent(to: str, target: AgentState | None, refusal: str) -> None:
    with pytest.raises(PennydeskError, match=refusal) as refused:
        act("reassign", to=to, target=target)
    assert refused.value.field == "to"


def test_a_new_priority_moves_the_ticket_in_its_queue_and_retargets_its_timers() -> None:
    plan = act("set_priority", a_ticket("in_progress"), priority="urgent")
    assert plan.status == "in_progress"
    assert plan.fields == {"updated_at": AT, "priority": "urgent", "queue_key": f"0#{CREATED}#t1"}
    assert plan.entries == (event("set_priority", "in_progress", "in_progress", "priority urgent"),)
    assert plan.timers == Change("in_progress", "in_progress", NOW, priority="urgent", agent_id="ada")


def test_a_new_priority_on_an_unassigned_ticket_has_no_queue_place_to_move() -> None:
    plan = act("set_priority", a_ticket("new"), priority="low")
    assert plan.fields == {"updated_at": AT, "priority": "low"}


def test_setting_the_same_priority_again_moves_no_timer() -> None:
    plan = act("set_priority", priority="normal")
    assert plan.entries == (event("set_priority", "in_progress", "in_progress", "priority normal"),)
    assert plan.timers is None


@pytest.mark.parametrize("priority", [None, "critical"])
def test_only_a_known_priority_can_be_set(priority: str | None) -> None:
    with pytest.raises(PennydeskError, match="Choose one of: low, normal, high, urgent") as refused:
        act("set_priority", priority=priority)
    assert refused.value.field == "priority"


# ----------------------------------------------------------------------------------- the customer
def test_a_customer_reply_while_waiting_puts_the_ball_back_in_the_agents_court() -> None:
    plan = decisions.customer_reply(a_ticket("waiting_on_customer"), "Still broken.", ADA, NOW)
    assert plan.status == "in_progress"
    assert plan.fields == {"updated_at": AT, "status": "in_progress"}
    assert plan.entries == (
        EntryPlan("message", body="Still broken."), event("customer_reply", "waiting_on_customer", "in_progress"),
    )
    assert plan.loads == ()
    assert plan.timers == Change("waiting_on_customer", "in_progress", NOW)


@pytest.mark.parametrize("status", ["new", "assigned", "in_progress"])
def test_a_customer_reply_that_moves_nothing_writes_only_the_message(status: str) -> None:
    plan = decisions.customer_reply(a_ticket(status), "More detail.", ADA, NOW)
    assert plan.status == status
    assert plan.fields == {"updated_at": AT}
    assert plan.entries == (EntryPlan("message", body="More detail."),)
    assert plan.timers is None


@pytest.mark.parametrize("status", ["resolved", "closed"])
def test_a_customer_reply_reopens_a_finished_ticket_with_its_active_agent(status: str) -> None:
    plan = decisions.customer_reply(a_ticket(status), "Not fixed.", ADA, NOW)
    assert plan.status == "in_progress"
    assert plan.fields == {
        "updated_at": AT, "status": "in_progress", "queue_agent": "ada", "queue_key": f"2#{CREATED}#t1",
        "resolved_at": REMOVE,
    }
    assert plan.entries[1] == event("reopen", status, "in_progress")
    assert plan.loads == (LoadChange("ada", +1),)
    assert plan.timers == Change(status, "in_progress", NOW)


@pytest.mark.parametrize("owner", [IVY, None])
def test_a_customer_reply_sends_a_finished_ticket_to_the_queue_when_its_agent_is_gone(
    owner: AgentState | None,
) -> None:
    ticket = a_ticket("resolved", agent_id=owner.agent_id if owner else "gone")
    plan = decisions.customer_reply(ticket, "Hi", owner, NOW)
    assert plan.status == "new"
    assert plan.fields == {
        "updated_at": AT, "status": "new", "agent_id": REMOVE, "queue_agent": REMOVE, "queue_key": REMOVE,
        "assignment_seq": Add(1),
    }
    assert plan.entries[1] == event("reopen", "resolved", "new")
    assert plan.loads == ()
    assert plan.timers == Change("resolved", "new", NOW)


# ------------------------------------------------------------------------------------------ the desk
def test_handing_an_open_ticket_back_frees_its_agent_and_unassigns_it() -> None:
    plan = decisions.return_to_queue(a_ticket("waiting_on_customer"), ADA, NOW)
    assert plan is not None
    assert plan.status == "new"
    assert plan.fields["agent_id"] is REMOVE
    assert plan.fields["assignment_seq"] == Add(1)
    assert plan.entries == (event("reassign", "waiting_on_customer", "new", "back to the queue"),)
    assert plan.loads == (LoadChange("ada", -1),)
    assert plan.timers == Change("waiting_on_customer", "new", NOW)


def test_handing_back_says_why_and_frees_nobody_when_the_agent_is_gone() -> None:
    plan = decisions.return_to_queue(a_ticket("assigned"), None, NOW, detail="back to the queue: late")
    assert plan is not None
    assert plan.entries == (event("reassign", "assigned", "new", "back to the queue: late"),)
    assert plan.loads == ()
    assert plan.timers is None


@pytest.mark.parametrize("status", ["new", "resolved", "closed"])
def test_a_ticket_that_is_not_open_has_nothing_to_hand_back(status: str) -> None:
    assert decisions.return_to_queue(a_ticket(status), ADA, NOW) is None


def test_the_quiet_period_closes_a_resolved_ticket_as_the_desk() -> None:
    plan = decisions.close(a_ticket("resolved"), NOW, detail="closed after 7 days without a reply")
    assert plan is not None
    assert plan.status == "closed"
    assert plan.fields == {"status": "closed", "updated_at": AT}
    assert plan.entries == (event("close", "resolved", "closed", "closed after 7 days without a reply"),)
    assert plan.loads == ()
    assert plan.timers is None
    assert decisions.SYSTEM.kind == "system"


@pytest.mark.parametrize("status", ["in_progress", "closed"])
def test_only_a_resolved_ticket_closes(status: str) -> None:
    assert decisions.close(a_ticket(status), NOW, detail="x") is None
