"""Another web page can't make its visitors' browsers act on Pennydesk. A browser sends a `Blob` body with no
type, or a form, without a CORS preflight; it always says where a request comes from (Origin,
Sec-Fetch-Site). A JSON route reads only `application/json`, and a state-changing request that a browser marks
as cross-site is refused before anything is stored or sent."""

from __future__ import annotations

import json

import pytest

from infra.local.engine import LocalStack
from tests.support.helpdesk import VALID_TICKET
from tests.support.records import stored_tickets

SITE = "http://127.0.0.1:3000"


def nothing_happened(stack: LocalStack) -> None:
    stack.drain()
    assert stored_tickets() == []
    assert stack.outbox() == []


def test_a_body_without_a_content_type_is_not_read_as_json(stack: LocalStack) -> None:
    """Reproduced from a blank page: fetch(url, {method: "POST", body: new Blob([json])}) opened a ticket."""
    answer = stack.http("POST", "/api/tickets", body=json.dumps(VALID_TICKET))

    assert answer.status == 415
    assert answer.json()["code"] == "unsupported_media_type"
    nothing_happened(stack)


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"},
        {"Origin": "https://evil.example"},  # a browser too old to send Sec-Fetch-*
        {"Sec-Fetch-Site": "cross-site"},
        {"Origin": "null"},  # a sandboxed iframe or a data: page
    ],
)
def test_a_request_a_browser_marks_as_cross_site_is_refused(stack: LocalStack, headers: dict[str, str]) -> None:
    for path, body in (("/api/tickets", VALID_TICKET), ("/api/auth/sign-in", {"email": "victim@example.com"})):
        answer = stack.http("POST", path, json_body=body, headers=headers)

        assert answer.status == 403, (path, answer.body[:200])
        assert answer.json()["code"] == "cross_site"
    nothing_happened(stack)


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "same-origin", "Origin": SITE},
        {"Origin": SITE},
        {"Sec-Fetch-Site": "none"},  # typed into the address bar, or a bookmark
        {},  # not a browser: curl, a server, the tests
    ],
)
def test_the_site_itself_and_clients_that_are_not_browsers_are_served(
    stack: LocalStack, headers: dict[str, str]
) -> None:
    assert stack.http("POST", "/api/tickets", json_body=VALID_TICKET, headers=headers).status == 201


def test_reading_is_never_refused_for_where_it_comes_from(stack: LocalStack) -> None:
    answer = stack.http("GET", "/api/openapi.json", headers={"Sec-Fetch-Site": "cross-site"})

    assert answer.status == 200
