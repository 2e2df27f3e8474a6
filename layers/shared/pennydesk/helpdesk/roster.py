"""The agent roster: creating and changing agents, and keeping their assignment slots and load in step."""

from __future__ import annotations

import uuid

from pynamodb.exceptions import DoesNotExist, TransactWriteError
from pynamodb.transactions import TransactWrite

from pennydesk.helpdesk.agent_records import (
    EMAIL_SK,
    PROFILE_SK,
    ROSTER,
    Agent,
    AgentEmail,
    AgentSlot,
    agent_pk,
    email_pk,
    roster_key,
    slot_sk,
)
from pennydesk.platform.clock import iso, utcnow
from pennydesk.platform.dynamo import retrying, transaction
from pennydesk.platform.errors import Conflict, NotFound
from pennydesk.platform.settings import get_settings


def slot_for(agent: Agent, category: str) -> AgentSlot:
    """A slot is listed in the available_by_category index only while the agent can take work."""
    return AgentSlot(
        pk=agent_pk(agent.agent_id),
        sk=slot_sk(category),
        available_category=category if agent.available else None,
        load_key=agent.load_key(),
    )


def stage_load_change(tx: TransactWrite, agent: Agent, delta: int) -> None:
    """Add to `tx`: the agent's open count moves by `delta`, on condition nobody moved it since we read it,
    and its slots follow (leaving or re-entering the index as the agent fills up or frees up)."""
    seen = int(agent.open_count)
    agent.open_count = max(0, seen + delta)
    tx.update(agent, actions=[Agent.open_count.set(agent.open_count)], condition=Agent.open_count == seen)
    for category in sorted(agent.categories):
        tx.save(slot_for(agent, category))


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
        roster=ROSTER,
        roster_key=roster_key(name, agent_id),
    )
    try:
        with transaction() as tx:
            tx.save(agent, condition=Agent.pk.does_not_exist())
            tx.save(
                AgentEmail(pk=email_pk(email), sk=EMAIL_SK, agent_id=agent_id),
                condition=AgentEmail.pk.does_not_exist(),
            )
            for category in sorted(agent.categories):
                tx.save(slot_for(agent, category))
    except TransactWriteError as exc:
        raise Conflict(f"An agent with email {email} already exists.", field="email") from exc
    return agent


def update_agent(
    agent_id: str,
    *,
    name: str | None = None,
    categories: list[str] | None = None,
    capacity: int | None = None,
    active: bool | None = None,
) -> Agent:
    """Change an agent's profile; its slots (and so its place in assignment) change in the same transaction."""

    def attempt() -> Agent:
        agent = require(agent_id)
        seen = int(agent.open_count)
        old_categories = set(agent.categories)
        actions = []
        if name is not None:
            agent.name = name
            agent.roster_key = roster_key(name, agent_id)
            actions += [Agent.name.set(name), Agent.roster_key.set(agent.roster_key)]
        if categories is not None:
            agent.categories = set(categories)
            actions.append(Agent.categories.set(agent.categories))
        if capacity is not None:
            agent.capacity = capacity
            actions.append(Agent.capacity.set(capacity))
        if active is not None:
            agent.active = active
            actions.append(Agent.active.set(active))
        if not actions:
            return agent
        with transaction() as tx:
            tx.update(agent, actions=actions, condition=Agent.open_count == seen)
            for category in sorted(old_categories - set(agent.categories)):
                tx.delete(AgentSlot(pk=agent_pk(agent_id), sk=slot_sk(category)))
            for category in sorted(agent.categories):
                tx.save(slot_for(agent, category))
        return agent

    return retrying(attempt)


def list_agents() -> list[Agent]:
    return list(Agent.by_name.query(ROSTER))


def find_by_email(email: str) -> Agent | None:
    try:
        link = AgentEmail.get(email_pk(email), EMAIL_SK)
        return Agent.get(agent_pk(link.agent_id), PROFILE_SK)
    except DoesNotExist:
        return None


def get(agent_id: str) -> Agent | None:
    try:
        return Agent.get(agent_pk(agent_id), PROFILE_SK, consistent_read=True)
    except DoesNotExist:
        return None


def require(agent_id: str) -> Agent:
    agent = get(agent_id)
    if agent is None:
        raise NotFound("No such agent.")
    return agent
