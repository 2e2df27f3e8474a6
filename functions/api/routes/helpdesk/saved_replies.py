"""/api/agent/saved-replies: the desk's shared replies (agents and admins manage them), and
/api/agent/tickets/{id}/saved-replies: each one filled in for a ticket, to insert and edit before sending."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path
from pennydesk.helpdesk import access, saved_replies, staff, workflow
from pennydesk.helpdesk.agent_records import SavedReply
from pydantic import BaseModel, ConfigDict, Field

from routes.auth_header import SECURITY, token_of
from routes.helpdesk.agent_desk import desk_caller

router = Router()
ReplyId = Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9-]{0,39}$", description="A short name: a-z, 0-9, -")]
TicketId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$", description="The ticket's id")]
PLACEHOLDER_HELP = "Placeholders: " + ", ".join(f"`{{{{{p}}}}}`" for p in saved_replies.PLACEHOLDERS) + "."


class SavedReplyOut(BaseModel):
    id: str
    title: str
    body: str  # the template, as saved
    updated_at: str
    updated_by: str


class SavedReplies(BaseModel):
    replies: list[SavedReplyOut]


class SavedReplyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str = Field(max_length=saved_replies.MAX_TITLE)
    body: str = Field(max_length=saved_replies.MAX_BODY, description=PLACEHOLDER_HELP)


class FilledReply(BaseModel):
    id: str
    title: str
    body: str  # filled in for the ticket: plain text for the reply box


class FilledReplies(BaseModel):
    replies: list[FilledReply]


def saved_reply_out(reply: SavedReply) -> SavedReplyOut:
    return SavedReplyOut(id=reply.reply_id, title=reply.title, body=reply.body, updated_at=reply.updated_at,
                         updated_by=reply.updated_by)


@router.get("/agent/saved-replies", summary="The desk's saved replies", tags=["Agents"], security=SECURITY)
def list_saved_replies() -> SavedReplies:
    desk_caller(token_of(router))
    return SavedReplies(replies=[saved_reply_out(r) for r in saved_replies.all_replies()])


@router.put("/agent/saved-replies/<reply_id>", summary="Save a reply for the desk (create or replace)",
            description=PLACEHOLDER_HELP, tags=["Agents"], security=SECURITY)
def put_saved_reply(reply_id: ReplyId, reply: SavedReplyIn) -> SavedReplyOut:
    caller = desk_caller(token_of(router))
    return saved_reply_out(saved_replies.save(reply_id, reply.title, reply.body, by=caller.email))


@router.delete("/agent/saved-replies/<reply_id>", summary="Remove a saved reply", tags=["Agents"],
               security=SECURITY)
def delete_saved_reply(reply_id: ReplyId) -> SavedReplies:
    desk_caller(token_of(router))
    saved_replies.delete(reply_id)
    return SavedReplies(replies=[saved_reply_out(r) for r in saved_replies.all_replies()])


@router.get("/agent/tickets/<ticket_id>/saved-replies", summary="The saved replies, filled in for this ticket",
            tags=["Agents"], security=SECURITY)
def get_filled_replies(ticket_id: TicketId) -> FilledReplies:
    token = token_of(router)
    reader = access.desk_reader_for_ticket(token, ticket_id)
    admin_email = "" if reader else staff.session(token).email
    filled = saved_replies.rendered_for(workflow.get_ticket(ticket_id), reader, admin_email)
    return FilledReplies(replies=[FilledReply(id=r.reply_id, title=r.title, body=text) for r, text in filled])
