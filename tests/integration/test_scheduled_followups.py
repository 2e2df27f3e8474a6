"""After a ticket is resolved: one survey 48 hours on, one rating per resolution, and a quiet close.

Time moves only through the schedule (`stack.run_schedule(moment)`, the local stack's
`POST /_local/schedule`), which moves the clock, runs the scheduler with that event time and drains the
work queue and the streams.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from infra.local.engine import LocalStack
from tests.support.helpdesk import resolve, resolved_ticket, survey_links, surveys
from tests.support.outbox import link_to, outbox_for, query_of
from tests.support.records import queue_depth, stored_items, stored_ticket, timers_of

CUSTOMER = "maya@example.com"


def closings(stack: LocalStack, address: str = CUSTOMER) -> list[dict[str, Any]]:
    return [m for m in outbox_for(stack, address) if "] Closed: " in m["subject"]]


def feedback_items(ticket_id: str) -> list[dict[str, Any]]:
    return [
        item
        for item in stored_items()
        if item["pk"]["S"] == f"TICKET#{ticket_id}" and item["sk"]["S"].startswith("FEEDBACK#")
    ]


# ---------------------------------------------------------------------------------------------- survey
def test_one_survey_goes_out_48_hours_after_resolution_and_never_again(stack: LocalStack) -> None:
    ticket, resolved_at = resolved_ticket(stack)

    stack.run_schedule(resolved_at + timedelta(hours=47))
    assert surveys(stack) == []

    stack.run_schedule(resolved_at + timedelta(hours=49))
    assert len(surveys(stack)) == 1

    stack.run_schedule(resolved_at + timedelta(hours=49))  # the same moment again (EventBridge redelivers)
    stack.run_schedule(resolved_at + timedelta(hours=50))
    assert len(surveys(stack)) == 1

    (survey,) = surveys(stack)
    assert survey["subject"] == f"[#{ticket.number}] How did we do? Charged twice for March"
    links = survey_links(survey)
    assert sorted(links) == [1, 2, 3, 4, 5]
    for rating, url in links.items():
        query = query_of(url)
        assert query["id"] == ticket.id and query["rating"] == str(rating) and query["token"]
    assert len({query_of(url)["token"] for url in links.values()}) == 1
    assert survey["html"].count("/survey.html?") >= 5  # the one-click links are in the HTML part too
    assert not any(k.startswith("TIMER#survey") for k in timers_of(ticket.id))
    assert queue_depth(stack, "WorkQueue") == queue_depth(stack, "WorkDeadLetterQueue") == 0


def test_the_rating_page_reads_and_only_its_submit_records_one_rating(stack: LocalStack) -> None:
    ticket, resolved_at = resolved_ticket(stack)
    stack.run_schedule(resolved_at + timedelta(hours=49))
    url = survey_links(surveys(stack)[0])[4]
    survey = {"Authorization": f"Bearer {query_of(url)['token']}"}

    for _ in range(3):  # a mail scanner, then the customer, open the link: the page only reads
        page = stack.http("GET", f"/api/tickets/{ticket.id}/feedback", headers=survey)
        assert page.status == 200, page.body
    assert page.json()["rating"] is None and page.json()["ticket"]["number"] == ticket.number
    assert feedback_items(ticket.id) == []

    first = stack.http(
        "POST", f"/api/tickets/{ticket.id}/feedback", headers=survey,
        json_body={"rating": 4, "comment": "Quick and kind."},
    )
    again = stack.http("POST", f"/api/tickets/{ticket.id}/feedback", headers=survey, json_body={"rating": 5})

    assert first.status == 201, first.body
    assert again.status == 200, again.body
    assert again.json()["rating"] == 5
    (stored,) = feedback_items(ticket.id)
    assert stored["rating"]["N"] == "5"
    assert stored["comment"]["S"] == ""
    assert stored["rated_at"]["S"]
    assert stored["agent_id"]["S"] == stored_ticket(ticket.id)["agent_id"]
    assert stack.http("GET", f"/api/tickets/{ticket.id}/feedback", headers=survey).json()["rating"] == 5


def test_a_survey_link_rates_only_its_own_ticket_and_only_with_its_own_token(stack: LocalStack) -> None:
    ticket, resolved_at = resolved_ticket(stack)
    other, _ = resolved_ticket(stack, email="sam@example.com")
    stack.run_schedule(resolved_at + timedelta(hours=49))
    token = query_of(survey_links(surveys(stack)[0])[3])["token"]

    def post(ticket_id: str, headers: dict[str, str], body: Any) -> int:
        return stack.http("POST", f"/api/tickets/{ticket_id}/feedback", headers=headers, json_body=body).status

    assert post(ticket.id, {}, {"rating": 3}) == 401
    assert post(ticket.id, ticket.customer, {"rating": 3}) == 401  # a customer link is not a survey link
    assert post(other.id, {"Authorization": f"Bearer {token}"}, {"rating": 3}) == 403
    assert post(ticket.id, {"Authorization": f"Bearer {token[:-2]}xx"}, {"rating": 3}) == 401
    for bad in ({"rating": 0}, {"rating": 6}, {"rating": "5"}, {"rating": 4.5}, {}, {"rating": 3, "extra": 1},
                {"rating": 3, "comment": "x" * 2001}, {"rating": 3, "comment": "bad\x1b[31m"}):
        assert post(ticket.id, {"Authorization": f"Bearer {token}"}, bad) == 422, bad
    assert feedback_items(ticket.id) == feedback_items(other.id) == []


def test_a_reopened_ticket_asks_nothing_until_it_is_resolved_again_then_asks_anew(stack: LocalStack) -> None:
    ticket, first_resolution = resolved_ticket(stack)
    stack.run_schedule(first_resolution + timedelta(hours=49))
    assert len(surveys(stack)) == 1

    # The customer writes back: the ticket reopens; its quiet-period close is cancelled.
    reply = stack.http("POST", f"/api/tickets/{ticket.id}/messages", headers=ticket.customer,
                       json_body={"body": "Actually the refund never arrived."})
    assert reply.status == 201
    stack.drain()
    assert stored_ticket(ticket.id)["status"] == "in_progress"
    assert not any(k.startswith(("TIMER#survey", "TIMER#autoclose")) for k in timers_of(ticket.id))
    stack.run_schedule(first_resolution + timedelta(days=7))
    assert stored_ticket(ticket.id)["status"] == "in_progress"
    assert len(surveys(stack)) == 1 and closings(stack) == []

    second_resolution = resolve(stack, ticket, "Refund re-sent.")
    stack.run_schedule(second_resolution + timedelta(hours=47))
    assert len(surveys(stack)) == 1
    stack.run_schedule(second_resolution + timedelta(hours=49))
    assert len(surveys(stack)) == 2

    first_token, second_token = (query_of(survey_links(m)[5])["token"] for m in surveys(stack))
    for token, rating in ((first_token, 2), (second_token, 5)):
        posted = stack.http("POST", f"/api/tickets/{ticket.id}/feedback",
                            headers={"Authorization": f"Bearer {token}"}, json_body={"rating": rating})
        assert posted.status == 201, posted.body
    assert sorted(item["rating"]["N"] for item in feedback_items(ticket.id)) == ["2", "5"]


def test_a_reply_before_the_survey_means_no_survey_for_that_resolution(stack: LocalStack) -> None:
    ticket, resolved_at = resolved_ticket(stack)
    stack.run_schedule(resolved_at + timedelta(hours=1))
    stack.http("POST", f"/api/tickets/{ticket.id}/messages", headers=ticket.customer,
               json_body={"body": "Wait, one more thing."})
    stack.drain()

    stack.run_schedule(resolved_at + timedelta(days=6))

    assert surveys(stack) == [] and closings(stack) == []
    assert stored_ticket(ticket.id)["status"] == "in_progress"


# ------------------------------------------------------------------------------------------ auto-close
def test_a_quiet_resolved_ticket_closes_with_an_email_saying_how_to_reopen(stack: LocalStack) -> None:
    ticket, resolved_at = resolved_ticket(stack)

    stack.run_schedule(resolved_at + timedelta(days=4, hours=23))
    assert stored_ticket(ticket.id)["status"] == "resolved" and closings(stack) == []

    stack.run_schedule(resolved_at + timedelta(days=5, minutes=5))
    stack.run_schedule(resolved_at + timedelta(days=5, minutes=10))

    assert stored_ticket(ticket.id)["status"] == "closed"
    (closing,) = closings(stack)
    assert "5 days" in closing["text"] and "opens again" in closing["text"]
    status_link = link_to(closing["text"], "/ticket.html")
    assert query_of(status_link)["id"] == ticket.id
    page = stack.http("GET", f"/api/agent/tickets/{ticket.id}", headers=ticket.agent)
    events = [e for e in page.json()["entries"] if e["kind"] == "event"]
    assert (events[-1]["action"], events[-1]["from_status"], events[-1]["to_status"], events[-1]["author_type"]) == (
        "close", "resolved", "closed", "system"
    )

    # Replying from the closing email's link reopens the ticket.
    token = query_of(status_link)["token"]
    reply = stack.http("POST", f"/api/tickets/{ticket.id}/messages", headers={"Authorization": f"Bearer {token}"},
                       json_body={"body": "It happened again."})
    assert reply.status == 201
    stack.drain()
    assert stored_ticket(ticket.id)["status"] == "in_progress"


def test_a_missed_run_leaves_nothing_behind(stack: LocalStack) -> None:
    """No run between the resolution and six days later (the scheduler was down): the next run finds both
    the survey and the close, because it asks for everything due by now, not what fell due since last time."""
    ticket, resolved_at = resolved_ticket(stack)

    stack.run_schedule(resolved_at + timedelta(days=6))

    assert len(surveys(stack)) == 1 and len(closings(stack)) == 1
    assert stored_ticket(ticket.id)["status"] == "closed"
    assert timers_of(ticket.id) == {}


# ------------------------------------------------------------------------------------------- settings
def test_the_quiet_period_must_outlast_the_survey_delay() -> None:
    from pennydesk.platform.settings import ConfigurationError, _follow_ups

    with pytest.raises(ConfigurationError, match="must be longer"):
        _follow_ups({"SURVEY_DELAY_HOURS": "48", "AUTO_CLOSE_DAYS": "2"})
    with pytest.raises(ConfigurationError, match="must be longer"):
        _follow_ups({"SURVEY_DELAY_HOURS": "120", "AUTO_CLOSE_DAYS": "5"})
    with pytest.raises(ConfigurationError):
        _follow_ups({"SURVEY_DELAY_HOURS": "soon"})
    fine = _follow_ups({"SURVEY_DELAY_HOURS": "24", "AUTO_CLOSE_DAYS": "4"})
    assert (fine["survey_delay_seconds"], fine["auto_close_seconds"]) == (24 * 3600, 4 * 86400)
    defaults = _follow_ups({})
    assert (defaults["survey_delay_seconds"], defaults["auto_close_seconds"]) == (48 * 3600, 5 * 86400)


def test_sla_targets_have_defaults_and_refuse_nonsense() -> None:
    from pennydesk.platform.settings import ConfigurationError, parse_sla_targets

    defaults = parse_sla_targets(None)
    assert {p: (t.first_response_seconds // 3600, t.resolution_seconds // 3600) for p, t in defaults.items()} == {
        "urgent": (1, 4), "high": (4, 24), "normal": (8, 72), "low": (24, 120)
    }
    changed = parse_sla_targets('{"urgent": [0.5, 2], "low": {"first_response_hours": 48, "resolution_hours": 240}}')
    assert changed["urgent"].first_response_seconds == 1800 and changed["low"].resolution_seconds == 240 * 3600
    assert changed["normal"] == defaults["normal"]
    for bad in ("[1, 2]", '{"critical": [1, 2]}', '{"urgent": [1]}', '{"urgent": [0, 4]}', '{"urgent": [-1, 4]}',
                '{"urgent": ["x", 4]}', "{not json"):
        with pytest.raises(ConfigurationError):
            parse_sla_targets(bad)
