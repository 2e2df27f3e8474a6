"""/api/admin/help/settings: whether agents may write help articles (admins decide; off by default), and
/api/agent/help: what the signed-in agent may do in the help center (the /agent/ page asks it)."""

from __future__ import annotations

from aws_lambda_powertools.event_handler.api_gateway import Router
from pennydesk.helpcenter import authoring
from pennydesk.helpdesk import staff
from pennydesk.platform.errors import Forbidden
from pydantic import BaseModel, ConfigDict, Field

from routes.auth_header import SECURITY, token_of

router = Router()


class HelpSettingsView(BaseModel):
    model_config = ConfigDict(extra="forbid")
    agents_may_write: bool = Field(description="Active agents may write and change articles (not delete them)")


class AgentHelp(BaseModel):
    may_write: bool = Field(description="This session may write articles at /admin/articles.html")


@router.get("/admin/help/settings", summary="The help center's settings", tags=["Help center"], security=SECURITY)
def get_settings() -> HelpSettingsView:
    staff.require_admin_session(token_of(router))
    return HelpSettingsView(agents_may_write=authoring.agents_may_write())


@router.put("/admin/help/settings", summary="Allow agents to write articles, or stop them (at once)",
            tags=["Help center"], security=SECURITY)
def put_settings(settings: HelpSettingsView) -> HelpSettingsView:
    admin = staff.require_admin_session(token_of(router))
    return HelpSettingsView(agents_may_write=authoring.allow_agents(settings.agents_may_write, admin.email))


@router.get("/agent/help", summary="What this agent may do in the help center", tags=["Help center"],
            security=SECURITY)
def agent_help() -> AgentHelp:
    current = staff.session(token_of(router))
    if current.agent is None and not current.is_admin:
        raise Forbidden("This page is for active agents.")
    return AgentHelp(may_write=staff.may_write_articles(current, authoring.agents_may_write()))
