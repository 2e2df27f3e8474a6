"""The subprocess stack (`make dev`) over real HTTP: its outbox, the links in its mail, a ticket, a session."""

from __future__ import annotations

import json
import re
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

import requests

from tests.support.stack import RunningStack

if TYPE_CHECKING:
    from playwright.sync_api import Page

EMAIL_WAIT_SECONDS = 10.0


def outbox(site: RunningStack) -> list[dict[str, Any]]:
    response = requests.get(f"{site.base}/_local/outbox", timeout=5)
    response.raise_for_status()
    return response.json()["messages"]


def wait_for_email(site: RunningStack, to: str, subject_contains: str, after: int = 0) -> dict[str, Any]:
    """The first message to `to` whose subject contains the text, among those after index `after`."""
    deadline = time.monotonic() + EMAIL_WAIT_SECONDS
    while time.monotonic() < deadline:
        for message in outbox(site)[after:]:
            if to in message["to"] and subject_contains in message["subject"]:
                return message
        time.sleep(0.1)  # polling the outbox with a deadline, not waiting for a fixed time
    raise AssertionError(f"no email to {to} about {subject_contains!r} within {EMAIL_WAIT_SECONDS} s")


def link_in(message: dict[str, Any], path: str) -> str:
    """The first link in the message's text part whose path starts with `path`."""
    match = re.search(rf"https?://[^\s\"'<>]+{re.escape(path)}[^\s\"'<>]*", message["text"])
    assert match, f"no {path} link in: {message['text']}"
    return match.group(0)


def wait_for_subject(site: RunningStack, subject_contains: str, to_any: tuple[str, ...] = ()) -> dict[str, Any]:
    """The first message whose subject contains the text (to any of `to_any`, if given): for mail whose
    recipient the test can't know in advance, such as the agent a ticket was assigned to."""
    deadline = time.monotonic() + EMAIL_WAIT_SECONDS
    while time.monotonic() < deadline:
        for message in outbox(site):
            if subject_contains in message["subject"] and (not to_any or set(to_any) & set(message["to"])):
                return message
        time.sleep(0.1)  # polling the outbox with a deadline, not waiting for a fixed time
    raise AssertionError(f"no email about {subject_contains!r} within {EMAIL_WAIT_SECONDS} s")


def open_ticket(site: RunningStack, **overrides: str) -> dict[str, Any]:
    """A ticket opened over HTTP, as the form would send it, for flows that start after the form."""
    body = {
        "name": "Kim Lee",
        "email": "kim@example.com",
        "subject": "Charged twice for November",
        "description": "My card shows two charges of 9.99 on the 3rd.",
        "category": "billing",
        **overrides,
    }
    response = requests.post(f"{site.base}/api/tickets", json=body, timeout=10)
    assert response.status_code == 201, response.text
    return response.json()


def session_for(site: RunningStack, email: str, *, accept_language: str | None = None) -> dict[str, Any]:
    """Sign `email` in over HTTP (request a link, read it from the outbox, exchange it): the stored
    session a page keeps, for tests whose subject is not the sign-in page itself. A first sign-in opens the
    account in `accept_language`'s locale, as a browser saying it would."""
    after = len(outbox(site))
    assert requests.post(f"{site.base}/api/auth/sign-in", json={"email": email}, timeout=10).status_code == 202
    link = link_in(wait_for_email(site, email, "sign-in link", after=after), "/signin.html")
    token = parse_qs(urlsplit(link).fragment).get("token")
    assert token, link
    headers = {"Accept-Language": accept_language} if accept_language else {}
    response = requests.post(f"{site.base}/api/auth/session", json={"token": token[0]}, headers=headers, timeout=10)
    assert response.status_code == 200, response.text
    granted = response.json()
    return {"email": email, **granted}


def sign_in_page(page: Page, session: dict[str, Any]) -> None:
    """Make `page` start every load signed in with `session`, as the sign-in page would have left it."""
    stored = {k: session.get(k) for k in ("session", "expires_at", "email", "roles")}
    page.context.add_init_script(
        f"window.localStorage.setItem('pennydesk.session', {json.dumps(json.dumps(stored))});"
    )
