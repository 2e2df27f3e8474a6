"""The desk's figures for admins (GET /api/admin/reports/helpdesk): computed from what happened to real
tickets on the local stack, unchanged by redelivered stream records, read by key in proportion to the
range, and only for admins."""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any

import boto3
import botocore.client
import pytest

from infra.local.engine import REGION, LocalStack
from tests.support.helpdesk import OpenTicket, act, open_ticket, submit_ticket, survey_links, surveys
from tests.support.identity import sign_in
from tests.support.outbox import query_of
from tests.support.records import stored_items, stored_ticket, stream_records
from tests.support.stack import ADMIN, moment

REPORT = "/api/admin/reports/helpdesk"


def admin_headers(stack: LocalStack) -> dict[str, str]:
    return {"Authorization": f"Bearer {sign_in(stack, ADMIN)}"}


def report(stack: LocalStack, headers: dict[str, str], **params: str) -> dict[str, Any]:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    answer = stack.http("GET", REPORT, query=query, headers=headers)
    assert answer.status == 200, answer.body
    return answer.json()


def seconds_between(start: str, end: str) -> int:
    return int((moment(end) - moment(start)).total_seconds())


def helpdesk_items() -> list[dict[str, Any]]:
    return sorted(
        (i for i in stored_items() if i["pk"]["S"].startswith("HELPDESK#")), key=lambda i: (i["pk"]["S"], i["sk"]["S"])
    )


def rate(stack: LocalStack, ticket: OpenTicket, rating: int) -> None:
    """The customer presses one of the survey email's ratings, then Send."""
    customer = stored_ticket(ticket.id)["customer_email"]
    mails = [m for m in surveys(stack, customer) if f"[#{ticket.number}]" in m["subject"]]
    token = query_of(survey_links(mails[-1])[rating])["token"]
    posted = stack.http(
        "POST", f"/api/tickets/{ticket.id}/feedback", headers={"Authorization": f"Bearer {token}"},
        json_body={"rating": rating},
    )
    assert posted.status in (200, 201), posted.body


def redeliver(stack: LocalStack, records: list[dict[str, Any]]) -> None:
    result = stack.invoke("TicketStreamFunction", {"Records": records})
    assert result == {"batchItemFailures": []}
    stack.drain()


# ------------------------------------------------------------------------------------------ the story
def work_the_desk(stack: LocalStack) -> dict[str, OpenTicket]:
    """Three customers write in. Two get answers and resolutions at different speeds and rate them;
    the third waits past its first-response target (normal: 8 hours) and is still open."""
    billing = open_ticket(stack, category="billing")
    general = open_ticket(stack, category="general", email="sam@example.com", subject="Password reset")
    waiting = open_ticket(stack, category="technical", email="kim@example.com", subject="App crashes")
    start = moment(stored_ticket(billing.id)["created_at"])
    general_start = moment(stored_ticket(general.id)["created_at"])  # a moment later

    stack.advance_clock(start + timedelta(hours=1))
    assert act(stack, billing, "reply", body="Refund on its way.")[0] == 200
    stack.advance_clock(general_start + timedelta(hours=2))
    assert act(stack, general, "reply", body="I've sent a reset link.")[0] == 200
    stack.advance_clock(start + timedelta(hours=3))
    assert act(stack, billing, "resolve")[0] == 200
    stack.advance_clock(general_start + timedelta(hours=5))
    assert act(stack, general, "resolve", body="Glad you're back in.")[0] == 200

    stack.run_schedule(start + timedelta(hours=8, minutes=5))  # the technical ticket misses its first response
    stack.run_schedule(start + timedelta(hours=54))  # 49 hours after the last resolution: both surveys are out
    rate(stack, billing, 4)
    rate(stack, general, 2)
    rate(stack, general, 5)  # changed their mind: the latest rating counts, once
    stack.drain()
    return {"billing": billing, "general": general, "waiting": waiting}


def test_the_figures_are_what_happened_on_the_desk(stack: LocalStack) -> None:
    tickets = work_the_desk(stack)
    admin = admin_headers(stack)
    stored = {name: stored_ticket(t.id) for name, t in tickets.items()}
    first_day = moment(stored["billing"]["created_at"]).date()

    figures = report(stack, admin, **{"from": first_day.isoformat(), "to": stack.now().date().isoformat()})

    worked = ("billing", "general")
    responses = [seconds_between(stored[n]["created_at"], stored[n]["first_response_at"]) for n in worked]
    resolutions = [seconds_between(stored[n]["created_at"], stored[n]["resolved_at"]) for n in worked]
    assert 3600 <= responses[0] < 3660 and 7200 <= responses[1] < 7260  # 1 and 2 hours, as worked
    assert 3 * 3600 <= resolutions[0] < 3 * 3600 + 60 and 5 * 3600 <= resolutions[1] < 5 * 3600 + 60
    assert figures["tickets"] == {"opened": 3, "resolved": 2}
    assert figures["first_response"] == {"count": 2, "median_seconds": round(statistics.median(responses))}
    assert figures["resolution"] == {"count": 2, "median_seconds": round(statistics.median(resolutions))}
    assert figures["sla_breaches"] == {"total": 1, "first_response": 1, "resolution": 0}
    assert figures["satisfaction"] == {
        "count": 2,
        "average": 4.5,
        "distribution": [{"rating": r, "count": 1 if r in (4, 5) else 0} for r in range(1, 6)],
    }
    backlog = figures["backlog"]
    assert backlog["total"] == 1 and backlog["unassigned"] == 0
    assert backlog["by_category"] == [
        {"category": "general", "open": 0}, {"category": "billing", "open": 0}, {"category": "technical", "open": 1},
    ]
    owner = stored["waiting"]["agent_id"]
    assert {a["agent_id"]: a["open"] for a in backlog["by_agent"]} == {
        a["agent_id"]: (1 if a["agent_id"] == owner else 0) for a in backlog["by_agent"]
    }
    assert [a["name"] for a in backlog["by_agent"]] == ["Ada Lovelace", "Bill Mollison", "Grace Hopper"]
    assert {s["status"]: s["open"] for s in backlog["by_status"]}[stored["waiting"]["status"]] == 1

    # The default range is the 30 days that end today, and it holds all of this.
    default = report(stack, admin)
    today = stack.now().date()
    assert (default["from"], default["to"], default["days"]) == (
        (today - timedelta(days=29)).isoformat(), today.isoformat(), 30
    )
    assert {k: v for k, v in default.items() if k not in ("from", "to", "days")} == {
        k: v for k, v in figures.items() if k not in ("from", "to", "days")
    }


def test_a_range_counts_only_what_happened_in_it(stack: LocalStack) -> None:
    admin = admin_headers(stack)
    early = open_ticket(stack, category="billing")
    opened_day = moment(stored_ticket(early.id)["created_at"]).date()
    stack.advance_clock(moment(stored_ticket(early.id)["created_at"]) + timedelta(days=3))
    act(stack, early, "resolve", body="Sorted.")  # resolved three days later
    resolved_day = stack.now().date()

    on_opening = report(stack, admin, **{"from": opened_day.isoformat(), "to": opened_day.isoformat()})
    on_resolving = report(stack, admin, **{"from": resolved_day.isoformat(), "to": resolved_day.isoformat()})
    day_after, day_before = opened_day + timedelta(days=1), resolved_day - timedelta(days=1)
    between = report(stack, admin, **{"from": day_after.isoformat(), "to": day_before.isoformat()})

    assert on_opening["tickets"] == {"opened": 1, "resolved": 0} and on_opening["days"] == 1
    assert on_resolving["tickets"] == {"opened": 0, "resolved": 1}
    assert on_resolving["resolution"]["count"] == 1 and on_resolving["resolution"]["median_seconds"] >= 3 * 86400
    assert between["tickets"] == {"opened": 0, "resolved": 0} and between["resolution"]["median_seconds"] is None
    assert on_opening["backlog"]["total"] == 0  # the backlog is always now, whatever the range


def test_a_ticket_resolved_twice_counts_once_with_its_latest_resolution(stack: LocalStack) -> None:
    admin = admin_headers(stack)
    ticket = open_ticket(stack)
    start = moment(stored_ticket(ticket.id)["created_at"])
    stack.advance_clock(start + timedelta(hours=1))
    act(stack, ticket, "resolve", body="Refunded.")
    reopened = stack.http("POST", f"/api/tickets/{ticket.id}/messages", headers=ticket.customer,
                          json_body={"body": "It didn't arrive."})
    assert reopened.status == 201
    stack.drain()
    assert report(stack, admin)["backlog"]["total"] == 1  # open again
    stack.advance_clock(start + timedelta(hours=6))
    act(stack, ticket, "resolve", body="Re-sent.")

    figures = report(stack, admin)

    latest = seconds_between(stored_ticket(ticket.id)["created_at"], stored_ticket(ticket.id)["resolved_at"])
    assert 6 * 3600 <= latest < 6 * 3600 + 60
    assert figures["tickets"]["resolved"] == 1
    assert figures["resolution"] == {"count": 1, "median_seconds": latest}
    assert figures["first_response"]["count"] == 1
    assert 3600 <= figures["first_response"]["median_seconds"] < 3660  # the closing words were the first response
    assert figures["backlog"]["total"] == 0


def test_an_unassigned_ticket_is_in_the_backlog_as_unassigned(make_stack: Callable[..., LocalStack]) -> None:
    stack = make_stack([{"name": "Ana", "email": "ana@pennydesk.local", "categories": ["billing"]}])
    assert submit_ticket(stack, category="general").status == 201  # nobody covers "general"
    stack.drain()

    backlog = report(stack, admin_headers(stack))["backlog"]

    assert backlog["total"] == 1 and backlog["unassigned"] == 1
    assert {s["status"]: s["open"] for s in backlog["by_status"]}["new"] == 1
    assert [(a["name"], a["active"], a["open"]) for a in backlog["by_agent"]] == [("Ana", True, 0)]


# ------------------------------------------------------------------------------------- at least once
def test_redelivered_stream_records_change_no_figure_in_any_order(stack: LocalStack) -> None:
    work_the_desk(stack)
    admin = admin_headers(stack)
    before, items = report(stack, admin), helpdesk_items()
    records = [r for r in stream_records(stack) if r["dynamodb"]["Keys"]["pk"]["S"].startswith("TICKET#")]
    assert any(r["dynamodb"]["Keys"]["sk"]["S"].startswith("FEEDBACK#") for r in records)

    redeliver(stack, records)  # the whole history again, in order
    redeliver(stack, list(reversed(records)))  # and backwards: stale states and older ratings arrive last

    assert report(stack, admin) == before
    assert helpdesk_items() == items


def test_a_breach_recorded_twice_is_one_breach(stack: LocalStack) -> None:
    ticket = open_ticket(stack)
    start = moment(stored_ticket(ticket.id)["created_at"])
    stack.run_schedule(start + timedelta(hours=8, minutes=5))
    stack.run_schedule(start + timedelta(hours=8, minutes=5))  # EventBridge delivers the same run again
    stack.run_schedule(start + timedelta(hours=72, minutes=5))  # the resolution target passes too

    figures = report(stack, admin_headers(stack))

    assert figures["sla_breaches"] == {"total": 2, "first_response": 1, "resolution": 1}


def test_a_drain_reads_past_a_page_of_records_the_stream_filter_leaves_out(stack: LocalStack) -> None:
    """The desk's own items (HELPDESK#...) are on the tickets stream but never wake the function; Lambda's
    poller reads on past any number of them, and so must the local stack's drain."""
    dynamodb = boto3.client("dynamodb", region_name=REGION)
    for n in range(25):  # more than two batches of records the filter drops
        dynamodb.put_item(TableName="TicketsTable", Item={"pk": {"S": "HELPDESK#2000-01"}, "sk": {"S": f"x#{n}"}})
    ticket_id = submit_ticket(stack).json()["id"]

    stack.drain()

    assert stored_ticket(ticket_id)["status"] == "assigned"


# ------------------------------------------------------------------------------------ reads by key only
@contextmanager
def dynamodb_calls() -> Iterator[list[tuple[str, dict[str, Any], dict[str, Any]]]]:
    """Every DynamoDB request made meanwhile, with its parameters and moto's answer."""
    seen: list[tuple[str, dict[str, Any], dict[str, Any]]] = []
    original = botocore.client.BaseClient._make_api_call

    def observe(client: Any, operation: str, params: dict[str, Any]) -> Any:
        answer = original(client, operation, params)
        if client.meta.service_model.service_name == "dynamodb":
            seen.append((operation, params, answer))
        return answer

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(botocore.client.BaseClient, "_make_api_call", observe)
        yield seen


def test_the_report_reads_by_key_and_what_it_reads_follows_the_range_not_the_history(stack: LocalStack) -> None:
    for n in range(4):  # history, more than a month before the range
        submit_ticket(stack, email=f"old{n}@example.com")
    stack.drain()
    stack.advance_clock(stack.now() + timedelta(days=45))
    recent = open_ticket(stack, email="new@example.com")
    admin = admin_headers(stack)
    today = stack.now().date()

    with dynamodb_calls() as calls:
        figures = report(stack, admin, **{"from": today.isoformat(), "to": today.isoformat()})

    assert figures["tickets"]["opened"] == 1 and figures["backlog"]["total"] == 5
    operations = [op for op, _, _ in calls]
    assert "Scan" not in operations
    fact_reads = [(p, a) for op, p, a in calls if op == "Query" and p["TableName"] == "TicketsTable"
                  and p["ExpressionAttributeValues"][":0"]["S"].startswith("HELPDESK#2")]
    assert len(fact_reads) == 1  # one month
    assert sum(a["ScannedCount"] for _, a in fact_reads) == 1  # the one fact of the range: the recent ticket opening
    assert stored_ticket(recent.id)["created_at"].startswith(today.isoformat())

    with dynamodb_calls() as calls:
        year = report(stack, admin, **{"from": (today - timedelta(days=365)).isoformat(), "to": today.isoformat()})
    fact_reads = [p for op, p, _ in calls if op == "Query" and p["TableName"] == "TicketsTable"
                  and p["ExpressionAttributeValues"][":0"]["S"].startswith("HELPDESK#2")]
    assert len(fact_reads) in (12, 13)  # one Query per calendar month the 366 days touch
    assert year["tickets"]["opened"] == 5 and "Scan" not in [op for op, _, _ in calls]


# ------------------------------------------------------------------------------------------ access
def test_only_admins_see_the_figures(stack: LocalStack) -> None:
    ticket = open_ticket(stack)
    agent_session = {"Authorization": f"Bearer {sign_in(stack, ticket.agent_email)}"}
    customer_session = {"Authorization": f"Bearer {sign_in(stack, 'maya@example.com')}"}
    for headers, status in (
        ({}, 401),
        ({"Authorization": "Bearer not-a-token"}, 401),
        (ticket.customer, 401),
        (ticket.agent, 401),
        (agent_session, 403),
        (customer_session, 403),
    ):
        answer = stack.http("GET", REPORT, headers=headers)
        assert answer.status == status, (headers, answer.body)
        assert answer.json()["message"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("from=2026-11-20&to=2026-11-01", "from"),  # reversed
        ("from=2025-01-01&to=2026-01-02", "from"),  # 367 days
        ("from=2026-02-30", "from"),  # no such day
        ("to=2026-13-01", "to"),
        ("from=yesterday", "from"),
        ("from=2026-1-1", "from"),
        ("to=2026-11-01T00:00:00Z", "to"),
        ("from=", "from"),
        ("to=0001-01-10", "to"),  # the default 30 days before it would be before the first day there is
    ],
)
def test_a_bad_range_is_a_422_that_names_the_field(stack: LocalStack, query: str, field: str) -> None:
    answer = stack.http("GET", REPORT, query=query, headers=admin_headers(stack))

    assert answer.status == 422, answer.body
    body = answer.json()
    assert body["code"] == "validation_failed" and body["message"]
    assert [e["field"] for e in body["errors"]] == [field]


def test_the_longest_range_is_366_days(stack: LocalStack) -> None:
    figures = report(stack, admin_headers(stack), **{"from": "2025-01-01", "to": "2026-01-01"})
    assert figures["days"] == 366 and figures["tickets"] == {"opened": 0, "resolved": 0}
    assert date.fromisoformat(figures["to"]) - date.fromisoformat(figures["from"]) == timedelta(days=365)


def test_the_report_is_in_the_openapi_contract(stack: LocalStack) -> None:
    spec = stack.http("GET", "/api/openapi.json").json()
    operation = spec["paths"]["/api/admin/reports/helpdesk"]["get"]
    assert {p["name"] for p in operation["parameters"]} == {"from", "to"}
    schema = spec["components"]["schemas"]["HelpdeskReport"]
    assert {"from", "to", "tickets", "first_response", "resolution", "sla_breaches", "backlog", "satisfaction"} <= set(
        schema["properties"]
    )
