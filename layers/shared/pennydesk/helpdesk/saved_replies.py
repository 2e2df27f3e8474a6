"""The desk's saved replies: shared text with placeholders, managed by agents and admins, inserted on a ticket
page and editable before sending.

A reply is a Jinja template rendered in Jinja's sandbox (no attribute of Python objects reachable, only the
plain values below) with undefined names refused, as the emails are rendered. The result is plain text that
becomes the reply's body, so it is not HTML-escaped here: the reply email's HTML part escapes the whole body
when it is sent, as it does for any reply typed by hand.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment

from pennydesk.helpdesk.agent_records import SAVED_REPLIES_PK, Agent, SavedReply, saved_reply_sk
from pennydesk.helpdesk.ticket_records import Ticket
from pennydesk.platform.clock import iso, utcnow
from pennydesk.platform.errors import PennydeskError
from pennydesk.platform.text import has_control_characters

MAX_TITLE = 80
MAX_BODY = 5_000
MAX_REPLIES = 200
PLACEHOLDERS = (
    "customer.first_name", "customer.name", "customer.email", "ticket.number", "ticket.subject", "agent.name",
    "agent.first_name",
)
SAMPLE = {
    "customer": {"first_name": "Kim", "name": "Kim Lee", "email": "kim@example.com"},
    "ticket": {"number": 1042, "subject": "Charged twice"},
    "agent": {"first_name": "Ada", "name": "Ada Lovelace"},
}


@cache
def _environment() -> SandboxedEnvironment:
    return SandboxedEnvironment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True)


def context_for(ticket: Ticket, agent_name: str) -> dict[str, Any]:
    """The placeholders' values for one ticket and the agent writing (plain values only)."""
    return {
        "customer": {"first_name": _first(ticket.customer_name), "name": ticket.customer_name,
                     "email": ticket.customer_email},
        "ticket": {"number": int(ticket.number), "subject": ticket.subject},
        "agent": {"first_name": _first(agent_name), "name": agent_name},
    }


def render(body: str, context: dict[str, Any]) -> str:
    """The reply's text for `context`; a template that can't render is a 422 naming the placeholders."""
    try:
        return _environment().from_string(body).render(context)
    except TemplateError as exc:
        raise PennydeskError(
            f"This reply can't be filled in ({exc.message}). Placeholders: "
            + ", ".join(f"{{{{{p}}}}}" for p in PLACEHOLDERS) + ".",
            field="body",
        ) from exc


def all_replies() -> list[SavedReply]:
    """Every saved reply, by id (one Query)."""
    return list(SavedReply.query(SAVED_REPLIES_PK, limit=MAX_REPLIES))


def rendered_for(ticket: Ticket, agent: Agent | None, admin_email: str) -> list[tuple[SavedReply, str]]:
    """Each saved reply filled in for `ticket`, written by `agent` (or the admin reading)."""
    context = context_for(ticket, agent.name if agent else admin_email)
    out = []
    for reply in all_replies():
        try:
            out.append((reply, render(reply.body, context)))
        except PennydeskError:
            continue  # checked when saved; a reply that somehow can't render is left out, not a 5xx
    return out


def save(reply_id: str, title: str, body: str, by: str) -> SavedReply:
    """Create or replace a saved reply, after checking it fills in."""
    title, body = " ".join(title.split()), body.strip()
    if not title or len(title) > MAX_TITLE or has_control_characters(title):
        raise PennydeskError(f"Give it a title of up to {MAX_TITLE} characters.", field="title")
    if not body or len(body) > MAX_BODY or has_control_characters(body):
        raise PennydeskError(f"Write the reply, up to {MAX_BODY:,} characters.", field="body")
    render(body, SAMPLE)
    reply = SavedReply(pk=SAVED_REPLIES_PK, sk=saved_reply_sk(reply_id), reply_id=reply_id, title=title, body=body,
                       updated_at=iso(utcnow()), updated_by=by)
    reply.save()
    return reply


def delete(reply_id: str) -> None:
    """Gone, whether or not it was there."""
    SavedReply(pk=SAVED_REPLIES_PK, sk=saved_reply_sk(reply_id)).delete()


def _first(name: str) -> str:
    return (name.split() or [name])[0]
