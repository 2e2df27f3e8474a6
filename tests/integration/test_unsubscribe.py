"""One click in Gmail's or Yahoo's "Unsubscribe" stops a digest or budget alerts (RFC 8058), without signing in:
their servers POST to the List-Unsubscribe URL as given, with no Origin, cookie or session. A GET (a mail
scanner) changes nothing, and the token can do nothing else."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from infra.local.engine import LocalStack
from tests.support.actors import Spender, signed_in
from tests.support.identity import tamper
from tests.support.outbox import link_to, outbox_for, query_of

ONE_CLICK = b"List-Unsubscribe=One-Click"
FORM = {"content-type": "application/x-www-form-urlencoded"}
SITE = "http://127.0.0.1:3000"
START = datetime(2031, 2, 25, 9, 0, tzinfo=UTC)  # sessions last a week: the digest comes on 1 March
DIGEST_SUBJECT = re.compile(r"^Your (week|[A-Z][a-z]+ \d{4}): ")


def digests(stack: LocalStack, email: str) -> list[dict[str, Any]]:
    return [m for m in outbox_for(stack, email) if DIGEST_SUBJECT.match(m["subject"])]


def alerts(stack: LocalStack, email: str) -> list[dict[str, Any]]:
    stack.drain()
    return [m for m in outbox_for(stack, email) if "budget" in m["subject"]]


def header_url(message: dict[str, Any]) -> str:
    """The one URL of the List-Unsubscribe header, as a mailbox provider reads it."""
    value = message["headers"]["List-Unsubscribe"]
    assert value.startswith("<") and value.endswith(">") and value.count("<") == 1, value
    return value[1:-1]


def provider_post(stack: LocalStack, url: str, body: bytes = ONE_CLICK, headers: dict[str, str] | None = None):
    """What Gmail's servers send: a POST to the URL exactly as given, form body, no Origin, no session."""
    split = urlsplit(url)
    return stack.http("POST", split.path, query=split.query, headers=headers or FORM, body=body)


def february_digest(stack: LocalStack, lee: Spender) -> dict[str, Any]:
    lee.add("200.00", "groceries", "2031-02-10")
    stack.run_schedule(datetime(2031, 3, 1, 8, 5, tzinfo=UTC))
    (digest,) = digests(stack, lee.email)
    return digest


def test_one_click_in_the_mailbox_stops_the_digest_and_a_second_click_is_the_same(stack: LocalStack) -> None:
    stack.advance_clock(START)
    lee = signed_in(stack, "lee@example.com")
    digest = february_digest(stack, lee)

    assert digest["headers"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = header_url(digest)
    assert url.startswith(f"{SITE}/api/unsubscribe?token=")
    # The body links to a page with a button (its token in the fragment) and to settings.
    page = link_to(digest["text"], "/unsubscribe.html")
    assert urlsplit(page).query == "" and query_of(page)["token"] == query_of(url)["token"]
    assert f"{SITE}/spending/settings.html" in digest["text"]
    assert f'href="{SITE}/spending/settings.html"' in digest["html"]

    looked = stack.http("GET", urlsplit(url).path, query=urlsplit(url).query)  # a mail scanner
    assert looked.status == 200, looked.body
    assert looked.json()["subscribed"] is True and looked.json()["kind"] == "digest"
    assert looked.json()["email"] == "l***@example.com"
    assert lee.me()["digest"] == "monthly"

    done = provider_post(stack, url)
    assert done.status == 200, done.body
    assert done.json()["subscribed"] is False
    assert lee.me()["digest"] == "off"
    again = provider_post(stack, url)
    assert again.status == 200 and again.json() == done.json()

    lee.add("50.00", "groceries", "2031-03-10")
    stack.run_schedule(datetime(2031, 4, 1, 8, 5, tzinfo=UTC))
    assert len(digests(stack, lee.email)) == 1  # no April digest


def test_the_form_can_also_come_multipart_and_the_page_posts_it_with_the_token_as_bearer(stack: LocalStack) -> None:
    stack.advance_clock(START)
    lee = signed_in(stack, "lee@example.com")
    digest = february_digest(stack, lee)
    token = query_of(header_url(digest))["token"]

    multipart = (
        b'--b1\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n--b1--\r\n'
    )
    answer = stack.http(
        "POST", "/api/unsubscribe", headers={"content-type": "multipart/form-data; boundary=b1",
                                             "authorization": f"Bearer {token}", "sec-fetch-site": "same-origin"},
        body=multipart,
    )
    assert answer.status == 200, answer.body
    assert lee.me()["digest"] == "off"


def test_a_budget_alert_unsubscribes_from_budget_alerts_alone(stack: LocalStack) -> None:
    maya = signed_in(stack, "maya@example.com")
    assert maya.me()["budget_alerts"] is True
    maya.settle(monthly_limit="100.00", category_limits={"dining": "50.00"})
    maya.add("85.00", "groceries", "2026-10-02")
    (alert,) = alerts(stack, maya.email)
    assert alert["headers"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/unsubscribe.html#token=" in alert["text"] and f"{SITE}/spending/settings.html" in alert["text"]

    assert provider_post(stack, header_url(alert)).status == 200
    me = maya.me()
    assert me["budget_alerts"] is False and me["digest"] == "monthly"  # the digest is another kind of mail

    maya.add("40.00", "dining", "2026-10-03")  # over 100 % overall and 80 % of dining: nothing is sent
    assert len(alerts(stack, maya.email)) == 1

    maya.settle(budget_alerts=True)  # back on in settings: the next threshold crossed is announced
    maya.add("20.00", "dining", "2026-10-04")
    assert len(alerts(stack, maya.email)) > 1


def test_forged_expired_foreign_or_bodiless_requests_change_nothing(stack: LocalStack) -> None:
    stack.advance_clock(START)
    lee = signed_in(stack, "lee@example.com")
    url = header_url(february_digest(stack, lee))
    token = query_of(url)["token"]

    refusals = {
        "tampered": provider_post(stack, f"{SITE}/api/unsubscribe?token={tamper(token)}"),
        "none": provider_post(stack, f"{SITE}/api/unsubscribe"),
        "session as token": provider_post(stack, f"{SITE}/api/unsubscribe?token={lee.session}"),
        "no body": provider_post(stack, url, body=b""),
        "other body": provider_post(stack, url, body=b"List-Unsubscribe=Yes"),
        "json": provider_post(stack, url, body=b'{"List-Unsubscribe": "One-Click"}',
                              headers={"content-type": "application/json"}),
    }
    assert {k: r.status for k, r in refusals.items()} == {
        "tampered": 401, "none": 401, "session as token": 401, "no body": 422, "other body": 422, "json": 422,
    }
    assert all(r.json()["message"] for r in refusals.values())
    # The token opens nothing else: not the account, not the expenses.
    assert stack.http("GET", "/api/me", headers={"authorization": f"Bearer {token}"}).status == 401

    stack.advance_clock(datetime(2031, 9, 1, 9, 0, tzinfo=UTC))  # 184 days on: past its 180
    expired = provider_post(stack, url)
    assert expired.status == 401 and "expired" in expired.json()["message"]
    assert signed_in(stack, lee.email).me()["digest"] == "monthly"


def test_a_cross_site_page_cannot_post_it_for_a_visitor(stack: LocalStack) -> None:
    stack.advance_clock(START)
    lee = signed_in(stack, "lee@example.com")
    url = header_url(february_digest(stack, lee))
    refused = provider_post(stack, url, headers={**FORM, "sec-fetch-site": "cross-site", "origin": "https://evil.example"})
    assert refused.status == 403
    assert lee.me()["digest"] == "monthly"
