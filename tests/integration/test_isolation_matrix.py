"""Who may call what: every route the API function registers, called by every kind of caller, gets exactly
the access the design gives it, and a refusal carries nobody's data.

The routes come from the resolver's own route table, so a route added without a row in ACCESS fails
test_every_route_has_a_row before anything else runs. Each row names a policy (who the route is for);
POLICIES says, from the design, what each caller gets under that policy: "ok" (2xx) or the refusal status.

The callers: nobody; the ticket's customer and another ticket's customer (their emailed links); the
ticket's survey link; the assigned agent's link and session; the agent of another ticket; two signed-in
spending users; an admin; and, built from the token the route's rightful caller holds, that token tampered
with, expired, and re-signed for another purpose.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from pennydesk.identity import tokens
from pennydesk.spending import unsubscribe

from infra.local.engine import LocalStack
from tests.support.blobs import upload
from tests.support.helpdesk import OpenTicket, open_ticket
from tests.support.identity import sign_in, tamper
from tests.support.stack import ADMIN

OK = "ok"
CALLERS = (
    "anonymous", "customer", "other_customer", "survey", "agent", "agent_session", "other_agent",
    "user", "other_user", "admin", "unsubscribe", "upload", "tampered", "expired", "wrong_purpose",
)
SESSIONS = ("agent_session", "user", "other_user", "admin")
LINKS = ("customer", "other_customer", "survey", "agent", "other_agent", "unsubscribe", "upload")
FORGED = ("anonymous", "tampered", "expired", "wrong_purpose")


def _policy(allowed: dict[str, Any], default: int = 401) -> dict[str, Any]:
    return {caller: allowed.get(caller, default) for caller in CALLERS}


# From docs and the design: who each kind of route is for, and what everyone else gets.
POLICIES: dict[str, dict[str, Any]] = {
    # Anyone: a token, good or bad, is not even read.
    "public": _policy({caller: OK for caller in CALLERS}),
    # The customer's emailed link opens its own ticket; another ticket's link is a 403; anything else 401.
    "customer_link": _policy({"customer": OK, "other_customer": 403}),
    # A customer's files: their link, or the upload token the ticket form's 201 carried (files alone).
    "customer_files": _policy({"customer": OK, "other_customer": 403, "upload": OK}),
    # The survey link rates exactly its ticket's resolution.
    "survey_link": _policy({"survey": OK}),
    # The assigned agent, by link or session; another ticket's agent link is a 403, and so is a session
    # of someone who is not this ticket's agent.
    "agent_ticket": _policy(
        {"agent": OK, "agent_session": OK, "other_agent": 403, "user": 403, "other_user": 403, "admin": 403}
    ),
    # The ticket's page: its agent (link or session) and, since the desk is shared, an admin's session.
    "desk_ticket": _policy(
        {"agent": OK, "agent_session": OK, "other_agent": 403, "user": 403, "other_user": 403, "admin": OK}
    ),
    # The desk's views and search: an active agent's or an admin's session.
    "desk": _policy({"agent_session": OK, "admin": OK, "user": 403, "other_user": 403}),
    # An admin acting on any ticket of the desk.
    "desk_admin": _policy({"admin": OK, "agent_session": 403, "user": 403, "other_user": 403}),
    # Only a signed-in agent has a queue.
    "agent_session": _policy({"agent_session": OK, "user": 403, "other_user": 403, "admin": 403}),
    "admin": _policy({"admin": OK, "agent_session": 403, "user": 403, "other_user": 403}),
    # Every signed-in person has a spending account of their own and these routes act on it alone.
    "own_account": _policy({caller: OK for caller in SESSIONS}),
    # One record by id: its owner reads it; any other account is told it does not exist.
    "own_record": _policy({"user": OK, "other_user": 404, "admin": 404, "agent_session": 404}),
    # A digest's List-Unsubscribe link: its own token, which opens nothing else (every other row says so).
    "unsubscribe_link": _policy({"unsubscribe": OK}),
}

ACCESS: dict[str, str] = {
    "GET /api/openapi.json": "public",
    "GET /api/docs": "public",
    "GET /api/tickets/options": "public",
    "POST /api/tickets": "public",
    "POST /api/auth/sign-in": "public",
    "POST /api/auth/session": "public",
    "POST /api/auth/sign-out": "own_account",
    "POST /api/auth/sign-out-everywhere": "own_account",
    "GET /api/tickets/<ticket_id>": "customer_link",
    "POST /api/tickets/<ticket_id>/messages": "customer_link",
    "POST /api/tickets/<ticket_id>/attachments": "customer_files",
    "POST /api/tickets/<ticket_id>/attachments/<attachment_id>/complete": "customer_files",
    "POST /api/agent/tickets/<ticket_id>/attachments": "agent_ticket",
    "POST /api/agent/tickets/<ticket_id>/attachments/<attachment_id>/complete": "agent_ticket",
    "POST /api/tickets/<ticket_id>/link": "public",
    "GET /api/tickets/<ticket_id>/feedback": "survey_link",
    "POST /api/tickets/<ticket_id>/feedback": "survey_link",
    "GET /api/agent/tickets/<ticket_id>": "desk_ticket",
    "GET /api/agent/tickets": "desk",
    "GET /api/agent/agents": "desk",
    "GET /api/me/tickets": "own_account",
    "POST /api/agent/tickets/<ticket_id>/actions": "agent_ticket",
    "GET /api/agent/queue": "agent_session",
    "GET /api/agent/saved-replies": "desk",
    "PUT /api/agent/saved-replies/<reply_id>": "desk",
    "DELETE /api/agent/saved-replies/<reply_id>": "desk",
    "GET /api/agent/tickets/<ticket_id>/saved-replies": "desk_ticket",
    "GET /api/agent/tickets/<ticket_id>/articles": "desk_ticket",
    "GET /api/admin/agents": "admin",
    "POST /api/admin/agents": "admin",
    "PATCH /api/admin/agents/<agent_id>": "admin",
    "GET /api/admin/reports/helpdesk": "admin",
    "GET /api/me": "own_account",
    "PUT /api/me": "own_account",
    "POST /api/expenses": "own_account",
    "GET /api/expenses": "own_account",
    "GET /api/reports/monthly": "own_account",
    "GET /api/reports/trend": "own_account",
    "POST /api/expenses/import": "own_account",
    "GET /api/expenses/export": "own_account",
    "GET /api/expenses/<expense_id>": "own_record",
    "PUT /api/expenses/<expense_id>": "own_record",
    "DELETE /api/expenses/<expense_id>": "own_record",
    "GET /api/rules": "own_account",
    "POST /api/rules": "own_account",
    "GET /api/rules/suggest": "own_account",
    "PUT /api/rules/<rule_id>": "own_record",
    "POST /api/rules/<rule_id>/apply": "own_record",
    "DELETE /api/rules/<rule_id>": "own_record",
    "GET /api/recurring": "own_account",
    "POST /api/recurring": "own_account",
    "PUT /api/recurring/<series_id>": "own_record",
    "DELETE /api/recurring/<series_id>": "own_record",
    "GET /api/help/articles": "public",
    "GET /api/help/suggest": "public",
    "GET /api/help/articles/<slug>": "public",
    "POST /api/help/articles/<slug>/vote": "public",
    "POST /api/help/articles/<slug>/events": "public",
    "GET /api/admin/articles": "admin",
    "POST /api/admin/articles": "admin",
    "POST /api/admin/articles/preview": "admin",
    "GET /api/admin/articles/<article_id>": "admin",
    "PATCH /api/admin/articles/<article_id>": "admin",
    "DELETE /api/admin/articles/<article_id>": "admin",
    "GET /api/admin/reports/help": "admin",
    "GET /api/admin/help/settings": "admin",
    "PUT /api/admin/help/settings": "admin",
    "GET /api/agent/help": "desk",
    "POST /api/admin/articles/<article_id>/images": "admin",
    "GET /api/help/images/<image_id>": "public",
    "GET /api/unsubscribe": "unsubscribe_link",
    "POST /api/unsubscribe": "unsubscribe_link",
    # Last: the admin's call hands the ticket to the spare agent, and no route after it needs the ticket's agent.
    "POST /api/agent/tickets/<ticket_id>/reassign": "desk_admin",
}

# Whose token the tampered, expired and wrong-purpose callers start from, per policy.
RIGHTFUL = {
    "public": "user", "customer_link": "customer", "customer_files": "customer", "survey_link": "survey",
    "agent_ticket": "agent",
    "agent_session": "agent_session", "admin": "admin", "own_account": "user", "own_record": "user",
    "desk_ticket": "agent", "desk": "agent_session", "desk_admin": "admin", "unsubscribe_link": "unsubscribe",
}
# What a token of each purpose is re-signed as for the wrong-purpose caller (same subject, same claims).
OTHER_PURPOSE = {
    "customer": "sign_in", "survey": "customer", "agent": "customer", "session": "sign_in", "unsubscribe": "sign_in",
}

# Routes that end the session they are called with: each call by a signed-in party is made with a session of
# its own for that address, and one that ends them all leaves the party a new session for the routes after it.
ENDS_SESSIONS = {"POST /api/auth/sign-out", "POST /api/auth/sign-out-everywhere"}

TICKET_MARK = "Isolation subject 7Q"
EXPENSE_MARK = "Payee-only-user-knows 7Q"
CUSTOMER = "iso.customer@example.com"
USER = "iso.user@example.com"


def registered_routes(stack: LocalStack) -> set[str]:
    """Every (method, path) the API function's resolver has, as Powertools registered them."""
    app = stack.functions["ApiFunction"].module.app
    return {f"{route.method} {route.path}" for route in app._static_routes + app._dynamic_routes}


@dataclass
class Parties:
    stack: LocalStack
    ticket: OpenTicket
    other_ticket: OpenTicket
    tokens: dict[str, str]
    spare_agent: str
    published_slug: str | None = None
    image_id: str | None = None
    uploads: list[tuple[str, str]] = field(default_factory=list)  # (side, id) of every upload handed to a caller

    def article(self) -> str:
        """A fresh published help article (the admin writes it), so a DELETE leaves the next caller one."""
        created = self.stack.http(
            "POST", "/api/admin/articles", headers={"authorization": f"Bearer {self.tokens['admin']}"},
            json_body={"title": "Isolation article", "body": "Charged twice?", "published": True},
        )
        assert created.status == 201, created.body
        self.published_slug = self.published_slug or created.json()["slug"]
        return created.json()["id"]

    def slug(self) -> str:
        """One published article's slug, written on first use (before any caller travels in time)."""
        if self.published_slug is None:
            self.article()
        assert self.published_slug is not None
        return self.published_slug

    def image(self) -> str:
        """An image on a published article (the admin attaches it on first use, before any caller travels
        in time): public while the article is published."""
        if self.image_id is None:
            answer = self.stack.http(
                "POST", f"/api/admin/articles/{self.article()}/images", body=PNG_FORM[1],
                headers={"authorization": f"Bearer {self.tokens['admin']}", "content-type": PNG_FORM[0]},
            )
            assert answer.status == 201, answer.body
            self.image_id = answer.json()["id"]
        return self.image_id

    def uploaded_file(self, path: str) -> str:
        """A fresh upload, sent to S3 by the route's rightful side, waiting to be completed."""
        side = "agent" if path.startswith("/api/agent/") else "customer"
        base = f"/api/{'agent/' if side == 'agent' else ''}tickets/{self.ticket.id}/attachments"
        # A ticket holds at most 20 unfinished uploads: the rightful side finishes those refused callers left.
        for earlier_side, earlier in self.uploads:
            earlier_base = f"/api/{'agent/' if earlier_side == 'agent' else ''}tickets/{self.ticket.id}/attachments"
            self.stack.http("POST", f"{earlier_base}/{earlier}/complete",
                            headers={"authorization": f"Bearer {self.tokens[earlier_side]}"})
        self.uploads.clear()
        started = self.stack.http("POST", base, headers={"authorization": f"Bearer {self.tokens[side]}"},
                                  json_body={"filename": "note.txt", "size": 12})
        assert started.status == 201, started.body
        assert upload(self.stack, started.json()["upload"], b"Hello there\n").status_code == 204
        self.uploads.append((side, started.json()["id"]))
        return started.json()["id"]

    def expense(self) -> str:
        """A fresh expense of the user's, so a DELETE by one caller leaves the next one something to find."""
        created = self.stack.http(
            "POST", "/api/expenses", headers={"authorization": f"Bearer {self.tokens['user']}"},
            json_body={"amount": "41.07", "category": "dining", "date": "2026-11-03", "payee": EXPENSE_MARK},
        )
        assert created.status == 201, created.body
        return created.json()["id"]


    def rule(self) -> str:
        """A fresh payee rule of the user's (its words unique: a rule's id is its pattern's)."""
        created = self.stack.http(
            "POST", "/api/rules", headers={"authorization": f"Bearer {self.tokens['user']}"},
            json_body={"contains": letters(), "category": "dining"},
        )
        assert created.status == 201, created.body
        return created.json()["id"]

    def series(self) -> str:
        """A fresh recurring expense of the user's."""
        created = self.stack.http(
            "POST", "/api/recurring", headers={"authorization": f"Bearer {self.tokens['user']}"},
            json_body={**SERIES, "payee": EXPENSE_MARK},
        )
        assert created.status == 201, created.body
        return created.json()["id"]


def letters() -> str:
    return "".join(chr(97 + int(c, 16)) for c in uuid.uuid4().hex[:12])


SERIES = {"amount": "9.99", "category": "entertainment", "every": "month", "start": "2026-11-03", "payee": "Gym"}
CSV = "date,amount,payee\n2026-11-04,-3.20,Corner shop\n"
# An article's image as a script sends it: (content type with its boundary, multipart body).
PNG_FORM = (
    "multipart/form-data; boundary=matrixboundary",
    b"--matrixboundary\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\n"
    b"Content-Type: image/png\r\n\r\n"
    + (Path(__file__).resolve().parents[1] / "fixtures" / "attachments" / "console.png").read_bytes()
    + b"\r\n--matrixboundary--\r\n",
)


def request_for(route: str, parties: Parties) -> tuple[str, str, str, dict[str, str], bytes | None]:
    """A well-formed request for the route (method, path, query, headers, body), as its rightful caller sends."""
    method, template = route.split(" ", 1)
    path = (
        template.replace("<ticket_id>", parties.ticket.id)
        .replace("<agent_id>", parties.spare_agent)
        .replace("<reply_id>", "greeting")
        .replace("<expense_id>", parties.expense() if "<expense_id>" in template else "")
        .replace("<article_id>", parties.article() if "<article_id>" in template else "")
        .replace("<slug>", parties.slug() if "<slug>" in template else "")
        .replace("<attachment_id>", parties.uploaded_file(template) if "<attachment_id>" in template else "")
        .replace("<rule_id>", parties.rule() if "<rule_id>" in template else "")
        .replace("<series_id>", parties.series() if "<series_id>" in template else "")
        .replace("<image_id>", parties.image() if "<image_id>" in template else "")
    )
    bodies: dict[str, Callable[[], Any]] = {
        "POST /api/tickets": lambda: {
            "name": "Kim", "email": f"kim-{uuid.uuid4().hex[:8]}@example.com",  # intake limits each inbox
            "subject": "Hello", "description": "Hi", "category": "general",
        },
        "POST /api/auth/sign-in": lambda: {"email": f"someone+{uuid.uuid4().hex[:8]}@example.com"},
        "POST /api/auth/session": lambda: {
            "token": tokens.issue("sign_in", f"new+{uuid.uuid4().hex[:8]}@example.com", jti=uuid.uuid4().hex)
        },
        "POST /api/tickets/<ticket_id>/messages": lambda: {"body": "Any news?"},
        "POST /api/tickets/<ticket_id>/attachments": lambda: {"filename": "receipt.pdf", "size": 2048},
        "POST /api/agent/tickets/<ticket_id>/attachments": lambda: {"filename": "refund.pdf", "size": 2048},
        "POST /api/tickets/<ticket_id>/feedback": lambda: {"rating": 4},
        "POST /api/agent/tickets/<ticket_id>/actions": lambda: {"action": "note", "body": "checked"},
        "POST /api/agent/tickets/<ticket_id>/reassign": lambda: {"to": parties.spare_agent, "reason": "cover"},
        "POST /api/admin/agents": lambda: {
            "email": f"agent+{uuid.uuid4().hex[:8]}@pennydesk.local", "name": "New Agent", "categories": ["general"],
        },
        "PATCH /api/admin/agents/<agent_id>": lambda: {"capacity": 30},
        "PUT /api/agent/saved-replies/<reply_id>": lambda: {"title": "Greeting", "body": "Hi {{customer.first_name}},"},
        "PUT /api/me": lambda: {"digest": "weekly"},
        "POST /api/expenses": lambda: {"amount": "2.50", "category": "dining", "date": "2026-11-05"},
        "PUT /api/expenses/<expense_id>": lambda: {
            "amount": "41.08", "category": "dining", "date": "2026-11-03", "payee": EXPENSE_MARK,
        },
        "POST /api/rules": lambda: {"contains": letters(), "category": "groceries"},
        "PUT /api/rules/<rule_id>": lambda: {"contains": letters(), "category": "groceries"},
        "POST /api/rules/<rule_id>/apply": lambda: {"month": "2026-11"},
        "POST /api/recurring": lambda: SERIES,
        "PUT /api/recurring/<series_id>": lambda: {**SERIES, "amount": "10.99"},
        "POST /api/admin/articles": lambda: {"title": "Refunds", "body": "How refunds work.", "published": True},
        "POST /api/admin/articles/preview": lambda: {"body": "**Refunds**"},
        "PATCH /api/admin/articles/<article_id>": lambda: {"title": "Renamed"},
        "PUT /api/admin/help/settings": lambda: {"agents_may_write": False},
        "POST /api/help/articles/<slug>/vote": lambda: {"helpful": True, "visitor": str(uuid.uuid4())},
        "POST /api/help/articles/<slug>/events": lambda: {"event": "article_opened"},
    }
    query = {
        "GET /api/expenses": "month=2026-11",
        "GET /api/reports/monthly": "month=2026-11",
        "GET /api/expenses/export": "from=2026-11-01&to=2026-11-30",
        "POST /api/expenses/import": "payee=payee",
        "GET /api/help/articles": "q=charged",
        "GET /api/help/suggest": "q=charged",
        "GET /api/rules/suggest": "payee=Corner%20shop",
    }.get(route, "")
    if route == "POST /api/expenses/import":
        return method, path, query, {"content-type": "text/csv"}, CSV.encode()
    if route == "POST /api/admin/articles/<article_id>/images":
        return method, path, query, {"content-type": PNG_FORM[0]}, PNG_FORM[1]
    if route == "POST /api/unsubscribe":
        return method, path, query, {"content-type": "application/x-www-form-urlencoded"}, b"List-Unsubscribe=One-Click"
    if route in bodies:
        return method, path, query, {"content-type": "application/json"}, json.dumps(bodies[route]()).encode()
    return method, path, query, {}, None


def token_of(caller: str, route: str, parties: Parties) -> str | None:
    rightful = parties.tokens[RIGHTFUL[ACCESS[route]]]
    if caller == "anonymous":
        return None
    if caller in ("tampered",):
        return tamper(rightful)
    if caller == "expired":
        return rightful  # sent after its lifetime: see call()
    if caller == "wrong_purpose":
        purpose = next(p for p in OTHER_PURPOSE if _verifies(p, rightful))
        grant = tokens.verify(purpose, rightful)
        return tokens.issue(OTHER_PURPOSE[purpose], grant.subject, **grant.claims)
    if route in ENDS_SESSIONS and caller in SESSIONS:
        return another_session(parties.tokens[caller])
    return parties.tokens[caller]


def another_session(session: str, after_ms: int = 0) -> str:
    """A second session for the same address, as signing in again on another device would give (issued
    `after_ms` milliseconds from now: a sign-in that follows a sign-out everywhere comes after it)."""
    return tokens.issue("session", tokens.verify("session", session).subject, sid=uuid.uuid4().hex,
                        iat=time.time_ns() // 1_000_000 + after_ms)


def _verifies(purpose: str, token: str) -> bool:
    try:
        tokens.verify(purpose, token)
    except Exception:
        return False
    return True


@pytest.fixture
def parties(stack: LocalStack) -> Parties:
    ticket = open_ticket(stack, subject=TICKET_MARK, email=CUSTOMER, category="billing")
    other = open_ticket(stack, subject="Someone else's", email="lee@example.com", category="technical")
    assert ticket.agent_email != other.agent_email, "the two tickets need different agents"
    admin = sign_in(stack, ADMIN)
    spare = stack.http(
        "POST", "/api/admin/agents", headers={"authorization": f"Bearer {admin}"},
        json_body={"email": "spare@pennydesk.local", "name": "Spare Agent", "categories": ["general"]},
    )
    assert spare.status == 201, spare.body
    agent_id = tokens.verify("agent", ticket.agent_token).subject
    found = {
        "customer": ticket.customer_token,
        "other_customer": other.customer_token,
        "survey": tokens.issue("survey", ticket.id, resolution=1, agent=agent_id),
        "agent": ticket.agent_token,
        "agent_session": sign_in(stack, ticket.agent_email),
        "other_agent": other.agent_token,
        "user": sign_in(stack, USER),
        "other_user": sign_in(stack, "iso.other@example.com"),
        "admin": admin,
        "unsubscribe": unsubscribe.issue(USER, "digest"),
        "upload": tokens.issue("upload", ticket.id),  # as the ticket form's 201 would carry
    }
    return Parties(stack, ticket, other, found, spare.json()["id"])


def call(route: str, caller: str, parties: Parties):
    method, path, query, headers, body = request_for(route, parties)
    token = token_of(caller, route, parties)
    if token is not None:
        headers = {**headers, "authorization": f"Bearer {token}"}
    if caller != "expired":
        answer = parties.stack.http(method, path, query=query, headers=headers, body=body)
        if route == "POST /api/auth/sign-out-everywhere" and caller in SESSIONS:
            parties.tokens[caller] = another_session(parties.tokens[caller], after_ms=2)
        return answer
    # Every token the product issues lives at most 180 days (unsubscribe links); a year on, all are dead.
    later = datetime.now(UTC) + timedelta(days=366)
    with time_machine.travel(later, tick=False):
        if ACCESS[route] == "public":  # bodies carrying their own tokens are minted at that moment
            method, path, query, headers, body = request_for(route, parties)
        return parties.stack.http(method, path, query=query, headers=headers, body=body)


def entitled_to_see(caller: str, route: str) -> set[str]:
    """The marks a caller may find in an answer: the ticket's to those it belongs to, the expense's to its owner."""
    marks = set()
    if caller in ("customer", "survey", "agent", "agent_session") and ACCESS[route] != "public":
        marks.add(TICKET_MARK)
    if caller == "user":
        marks |= {EXPENSE_MARK, USER}
    if caller in ("customer", "agent", "agent_session"):
        marks.add(CUSTOMER)
    if caller == "admin" and ACCESS[route] in ("desk", "desk_ticket", "desk_admin"):
        marks |= {TICKET_MARK, CUSTOMER}  # an admin sees the whole desk
    return marks


def test_every_route_has_a_row(stack: LocalStack) -> None:
    routes = registered_routes(stack)
    assert routes - set(ACCESS) == set(), "a route without a row in ACCESS: say who it is for"
    assert set(ACCESS) - routes == set(), "a row for a route that no longer exists"


def test_every_caller_gets_exactly_the_access_the_design_gives(
    parties: Parties, subtests: pytest.Subtests
) -> None:
    assert registered_routes(parties.stack) == set(ACCESS)
    wrong = []
    for route, policy in ACCESS.items():
        for caller in CALLERS:
            expected = POLICIES[policy][caller]
            with subtests.test(f"{route} as {caller}"):
                answer = call(route, caller, parties)
                text = answer.body.decode("utf-8", "replace")
                if expected == OK:  # a redirect to a signed link (an article's image) is an answer too
                    ok = 200 <= answer.status < 300 or (answer.status == 302 and "location" in answer.headers)
                else:
                    ok = answer.status == expected
                    if ok:
                        refusal = answer.json()
                        assert refusal["message"] and refusal["code"], refusal
                if not ok:
                    wrong.append(f"{route} as {caller}: {answer.status}, expected {expected}: {text[:160]}")
                leaked = {m for m in (TICKET_MARK, EXPENSE_MARK, CUSTOMER, USER) if m in text}
                leaked -= entitled_to_see(caller, route) if expected == OK else set()
                assert leaked == set(), f"{route} as {caller} shows {leaked}"
    assert wrong == []
