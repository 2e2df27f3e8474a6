"""A new agent's welcome: what the desk is, and where to sign in (the sign-in page sends a fresh one-time link,
so this email carries no token that could be used by whoever reads it later)."""

from __future__ import annotations

from pennydesk.helpdesk.agent_records import Agent
from pennydesk.identity import links
from pennydesk.platform.email.render import render
from pennydesk.platform.email.send import send


def send_welcome(agent: Agent, added_by: str) -> None:
    """Once per agent (the key names them), whatever retries the request that created them."""
    send(
        f"agent/{agent.agent_id}/welcome",
        [agent.email],
        render("agent_welcome", agent=agent, added_by=added_by, signin_url=links.page("signin.html"),
               desk_url=links.page("agent/")),
    )
