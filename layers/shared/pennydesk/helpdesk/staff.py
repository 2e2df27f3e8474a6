"""Who is staff: a session's address is an active agent on the live roster, an admin, or both.

Decided when each request arrives, never from what a session claimed when it was issued, so deactivating an
agent or removing an admin from the list takes effect at once.
"""

from __future__ import annotations

from dataclasses import dataclass

from pennydesk.helpdesk import roster
from pennydesk.helpdesk.agent_records import Agent
from pennydesk.identity.sessions import signed_in_email
from pennydesk.platform.errors import Forbidden
from pennydesk.platform.settings import get_settings


@dataclass(frozen=True)
class Session:
    email: str
    agent: Agent | None
    is_admin: bool

    @property
    def roles(self) -> list[str]:
        return ["customer"] + (["agent"] if self.agent else []) + (["admin"] if self.is_admin else [])


def is_admin(email: str) -> bool:
    return email.lower() in get_settings().admin_emails


def session(token: str | None) -> Session:
    email = signed_in_email(token)
    agent = roster.find_by_email(email)
    if agent is not None and not agent.active:
        agent = None
    return Session(email=email, agent=agent, is_admin=is_admin(email))


def require_agent_session(token: str | None) -> Agent:
    current = session(token)
    if current.agent is None:
        raise Forbidden("This page is for active agents.")
    return current.agent


def require_admin_session(token: str | None) -> Session:
    current = session(token)
    if not current.is_admin:
        raise Forbidden("This page is for admins.")
    return current


def may_write_articles(current: Session, agents_may_write: bool) -> bool:
    """Admins write help articles; active agents too while an admin allows it (the help center's setting)."""
    return current.is_admin or (agents_may_write and current.agent is not None)


def require_article_writer(token: str | None, agents_may_write: bool) -> Session:
    current = session(token)
    if not may_write_articles(current, agents_may_write):
        raise Forbidden("Writing help articles is for admins and, when an admin allows it, agents.")
    return current

