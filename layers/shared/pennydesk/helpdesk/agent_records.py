"""Agents table: agent profiles, the email lookup, and per-category assignment slots."""

from __future__ import annotations

from pynamodb.attributes import BooleanAttribute, NumberAttribute, UnicodeAttribute, UnicodeSetAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, KeysOnlyProjection

from pennydesk.platform.dynamo import KeyedModel, table_meta
from pennydesk.platform.settings import get_settings

PROFILE_SK = "PROFILE"


def agent_pk(agent_id: str) -> str:
    return f"AGENT#{agent_id}"


def slot_sk(category: str) -> str:
    return f"SLOT#{category}"


def email_pk(email: str) -> str:
    return f"EMAIL#{email.lower()}"


EMAIL_SK = "AGENT"


def roster_key(name: str, agent_id: str) -> str:
    """The roster lists agents by name (then id, to keep equal names apart)."""
    return f"{name.lower()}#{agent_id}"


ROSTER = "AGENTS"


class Roster(GlobalSecondaryIndex["Agent"]):
    class Meta:
        index_name = "roster"
        projection = AllProjection()

    roster = UnicodeAttribute(hash_key=True)
    roster_key = UnicodeAttribute(range_key=True)


class Agent(KeyedModel):
    Meta = table_meta(get_settings().agents_table)

    agent_id = UnicodeAttribute()
    email = UnicodeAttribute()
    name = UnicodeAttribute()
    categories = UnicodeSetAttribute(default=set)
    active = BooleanAttribute(default=True)
    capacity = NumberAttribute()
    open_count = NumberAttribute(default=0)
    last_assigned_at = UnicodeAttribute(default="")
    created_at = UnicodeAttribute()
    roster = UnicodeAttribute(default=ROSTER)
    roster_key = UnicodeAttribute(null=True)
    by_name = Roster()

    @property
    def available(self) -> bool:
        return bool(self.active) and self.open_count < self.capacity

    def load_key(self) -> str:
        """Sorts least-loaded first, then whoever waited longest since an assignment (round robin)."""
        return f"{int(self.open_count):06d}#{self.last_assigned_at or '0'}#{self.agent_id}"


class AgentEmail(KeyedModel):
    """pk=EMAIL#<email>: makes an email belong to one agent (a conditional put guards it)."""

    Meta = table_meta(get_settings().agents_table)

    agent_id = UnicodeAttribute()


class AvailableByCategory(GlobalSecondaryIndex["AgentSlot"]):
    class Meta:
        index_name = "available_by_category"
        projection = KeysOnlyProjection()

    available_category = UnicodeAttribute(hash_key=True)
    load_key = UnicodeAttribute(range_key=True)


class AgentSlot(KeyedModel):
    """One per (agent, category). `available_category` is set only while the agent can take work,
    which keeps the index sparse: it holds exactly the agents a new ticket may go to."""

    Meta = table_meta(get_settings().agents_table)

    available_category = UnicodeAttribute(null=True)
    load_key = UnicodeAttribute()
    available = AvailableByCategory()


SAVED_REPLIES_PK = "DESK#SAVED_REPLIES"


def saved_reply_sk(reply_id: str) -> str:
    return f"REPLY#{reply_id}"


class SavedReply(KeyedModel):
    """pk=DESK#SAVED_REPLIES, sk=REPLY#<id>: one of the desk's shared replies (a small set: one Query lists it)."""

    Meta = table_meta(get_settings().agents_table)

    reply_id = UnicodeAttribute()
    title = UnicodeAttribute()
    body = UnicodeAttribute()  # a template: {{customer.first_name}}, {{ticket.number}}, {{agent.name}} ...
    updated_at = UnicodeAttribute()
    updated_by = UnicodeAttribute()
