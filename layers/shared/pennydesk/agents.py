"""The agent roster: creating agents and keeping their per-category assignment slots in step."""

from __future__ import annotations

import uuid

from pynamodb.exceptions import DoesNotExist, TransactWriteError

from pennydesk.clock import iso, utcnow
from pennydesk.errors import Conflict
from pennydesk.models.base import transaction
from pennydesk.models.agent import PROFILE_SK, Agent, AgentEmail, AgentSlot, agent_pk, slot_sk
from pennydesk.settings import get_settings


def email_pk(email: str) -> str:
    return f"EMAIL#{email.lower()}"


def slot_for(agent: Agent, category: str) -> AgentSlot:
    """A slot is listed in the available_by_category index only while the agent can take work."""
    return AgentSlot(
        pk=agent_pk(agent.agent_id),
        sk=slot_sk(category),
        available_category=category if agent.available else None,
        load_key=agent.load_key(),
    )


def create_agent(
    *, email: str, name: str, categories: list[str], capacity: int | None = None, active: bool = True
) -> Agent:
    agent_id = uuid.uuid4().hex
    agent = Agent(
        pk=agent_pk(agent_id),
        sk=PROFILE_SK,
        agent_id=agent_id,
        email=email.lower(),
        name=name,
        categories=set(categories),
        active=active,
        capacity=capacity if capacity is not None else get_settings().agent_capacity_default,
        open_count=0,
        last_assigned_at="",
        created_at=iso(utcnow()),
    )
    try:
        with transaction() as tx:
            tx.save(agent, condition=Agent.pk.does_not_exist())
            tx.save(
                AgentEmail(pk=email_pk(email), sk="AGENT", agent_id=agent_id),
                condition=AgentEmail.pk.does_not_exist(),
            )
            for category in sorted(agent.categories):
                tx.save(slot_for(agent, category))
    except TransactWriteError as exc:
        raise Conflict(f"An agent with email {email} already exists.", field="email") from exc
    return agent


def find_by_email(email: str) -> Agent | None:
    try:
        link = AgentEmail.get(email_pk(email), "AGENT")
        return Agent.get(agent_pk(link.agent_id), PROFILE_SK)
    except DoesNotExist:
        return None


def get(agent_id: str) -> Agent | None:
    try:
        return Agent.get(agent_pk(agent_id), PROFILE_SK, consistent_read=True)
    except DoesNotExist:
        return None
