"""/api/admin/agents...: admins manage the agents (deactivating one hands their open tickets back to assignment)."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path
from pennydesk.helpdesk import roster, staff, welcome, workflow
from pennydesk.platform.settings import get_settings
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from routes import responses
from routes.auth_header import SECURITY, token_of
from routes.fields import Email, PersonName
from routes.helpdesk.views import AgentSummary, agent_summary

router = Router()
AgentId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$", description="The agent's id")]


def _categories(values: list[str]) -> list[str]:
    allowed = get_settings().ticket_categories
    unknown = [v for v in values if v not in allowed]
    if unknown:
        raise ValueError(f"Unknown categories: {', '.join(unknown)}. Choose from: {', '.join(allowed)}.")
    return sorted(set(values))


Categories = Annotated[list[str], Field(min_length=1, max_length=20), AfterValidator(_categories)]


class NewAgent(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    email: Email
    name: PersonName
    categories: Categories
    capacity: int = Field(default=25, ge=1, le=1000)
    active: bool = True


class AgentChanges(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    name: PersonName | None = None
    categories: Categories | None = None
    capacity: int | None = Field(default=None, ge=1, le=1000)
    active: bool | None = None


class Roster(BaseModel):
    agents: list[AgentSummary]


@router.get("/admin/agents", summary="Every agent", tags=["Admin"], security=SECURITY)
def list_agents() -> Roster:
    staff.require_admin_session(token_of(router))
    return Roster(agents=[agent_summary(a) for a in roster.list_agents()])


@router.post(
    "/admin/agents",
    summary="Add an agent (they get a welcome email with where to sign in)",
    responses={201: {"description": "Created", "content": {"application/json": {"model": AgentSummary}}}},
    tags=["Admin"],
    security=SECURITY,
)
def create_agent(request: NewAgent) -> Response[AgentSummary]:
    admin = staff.require_admin_session(token_of(router))
    agent = roster.create_agent(
        email=request.email, name=request.name, categories=request.categories,
        capacity=request.capacity, active=request.active,
    )
    welcome.send_welcome(agent, added_by=admin.email)
    return responses.created(agent_summary(agent))


@router.patch("/admin/agents/<agent_id>", summary="Change an agent", tags=["Admin"], security=SECURITY)
def update_agent(agent_id: AgentId, changes: AgentChanges) -> AgentSummary:
    admin = staff.require_admin_session(token_of(router))
    agent = workflow.change_agent(
        agent_id, admin_email=admin.email, name=changes.name, categories=changes.categories,
        capacity=changes.capacity, active=changes.active,
    )
    return agent_summary(agent)
