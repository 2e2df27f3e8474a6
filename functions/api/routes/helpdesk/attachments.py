"""/api/tickets/{id}/attachments and /api/agent/tickets/{id}/attachments: a file added to a ticket by its
customer (customer link) or its agent (agent link or session), sent whole or uploaded straight to S3.

Sent whole: `multipart/form-data` with one `file` field, up to 10 MB (deployed, Lambda takes at most 6 MB
a request, so bigger files use the upload). Uploaded: JSON `{filename, size}` answers with a presigned POST
for the file; `.../attachments/{attachment_id}/complete` then checks what arrived and keeps or refuses it.
"""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path
from pennydesk.helpdesk import access, ticket_attachments
from pennydesk.helpdesk.ticket_attachments import StoredAttachment
from pennydesk.platform.errors import PennydeskError
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from routes import responses
from routes.auth_header import SECURITY, token_of
from routes.request_body import file_in_form, media_type, raw_body

router = Router()
TicketId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$", description="The ticket's id")]
AttachmentId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$", description="The attachment's id")]
DESCRIPTION = (
    "Either `multipart/form-data` with one `file` field (stored at once: 201 with the attachment), or JSON "
    "`{filename, size}` (201 with `upload`: POST the `fields` and then the `file` as multipart/form-data to "
    "`upload.url` within 5 minutes, then call `.../attachments/{attachment_id}/complete`). Up to 10 MB a file "
    "(deployed, a request to the API carries at most 6 MB: use the upload for bigger files) and 50 a ticket. "
    "Accepted by content, whatever the name says: PNG, JPEG, GIF, WebP, PDF, plain text, CSV and Office "
    "documents; never HTML, SVG or scripts."
)


class AttachmentView(BaseModel):
    id: str
    filename: str
    content_type: str
    size: int
    url: str  # a five-minute link that always downloads the file
    message_id: str | None = None
    created_at: str


class UploadForm(BaseModel):
    url: str
    fields: dict[str, str]


class StartedUpload(BaseModel):
    id: str
    upload: UploadForm


class NewUpload(BaseModel):
    model_config = ConfigDict(extra="forbid")
    filename: str = Field(min_length=1, max_length=255)
    size: int = Field(ge=1, description="The file's size in bytes")


def _request_body() -> dict[str, Any]:
    """The two bodies `_add` reads itself (so Powertools can't see them), for the OpenAPI document."""
    return {
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": ["file"],
                        "properties": {
                            "file": {"type": "string", "format": "binary", "description": "The file, stored at once"}
                        },
                    }
                },
                "application/json": {"schema": NewUpload.model_json_schema()},
            },
        }
    }


ADDED: dict[int | str, Any] = {
    201: {
        "description": "Stored (multipart), or an upload to send it to (JSON)",
        "content": {"application/json": {"model": AttachmentView | StartedUpload}},
    }
}


def attachment_view(attachment: StoredAttachment) -> AttachmentView:
    return AttachmentView(
        id=attachment.attachment_id, filename=attachment.filename, content_type=attachment.content_type,
        size=int(attachment.size), url=ticket_attachments.link(attachment), message_id=attachment.message_id,
        created_at=attachment.created_at,
    )


def attachment_views(ticket_id: str, *, include_internal: bool) -> list[AttachmentView]:
    return [attachment_view(a) for a in ticket_attachments.listed(ticket_id, include_internal=include_internal)]


def _add(ticket_id: str, role: str) -> Response[AttachmentView | StartedUpload]:
    headers = router.current_event.headers
    if media_type(headers) == "multipart/form-data":
        filename, data = file_in_form(headers.get("content-type") or "", raw_body(router))
        return responses.created(attachment_view(ticket_attachments.store(ticket_id, role, filename, data)))
    try:
        wanted = NewUpload.model_validate_json(raw_body(router) or b"{}")
    except ValidationError as exc:
        first = exc.errors()[0]
        raise PennydeskError(
            f"Send {{filename, size}}: {first['msg']}.", field=".".join(str(p) for p in first["loc"]) or "body"
        ) from None
    started = ticket_attachments.start_upload(ticket_id, role, wanted.filename, wanted.size)
    upload = UploadForm(url=started.upload.url, fields=started.upload.fields)
    return responses.created(StartedUpload(id=started.attachment_id, upload=upload))


@router.post(
    "/tickets/<ticket_id>/attachments",
    summary="Attach a file as the customer",
    description=DESCRIPTION,
    responses=ADDED,
    openapi_extensions=_request_body(),
    tags=["Help desk"],
    security=SECURITY,
)
def post_customer_attachment(ticket_id: TicketId) -> Response[AttachmentView | StartedUpload]:
    access.customer_uploader(token_of(router), ticket_id)
    return _add(ticket_id, "customer")


@router.post(
    "/tickets/<ticket_id>/attachments/<attachment_id>/complete",
    summary="Finish a customer's upload",
    description="Reads the uploaded file's first bytes: a file of an accepted type within 10 MB is kept (201); "
    "anything else is deleted and refused (422, or 413 when too large). Completing twice answers the same.",
    responses={201: {"description": "Kept", "content": {"application/json": {"model": AttachmentView}}}},
    tags=["Help desk"],
    security=SECURITY,
)
def post_customer_complete(ticket_id: TicketId, attachment_id: AttachmentId) -> Response[AttachmentView]:
    access.customer_uploader(token_of(router), ticket_id)
    return responses.created(attachment_view(ticket_attachments.complete(ticket_id, attachment_id)))


@router.post(
    "/agent/tickets/<ticket_id>/attachments",
    summary="Attach a file as the ticket's agent",
    description=DESCRIPTION,
    responses=ADDED,
    openapi_extensions=_request_body(),
    tags=["Agents"],
    security=SECURITY,
)
def post_agent_attachment(ticket_id: TicketId) -> Response[AttachmentView | StartedUpload]:
    access.agent_acting_on(token_of(router), ticket_id, taking=False)
    return _add(ticket_id, "agent")


@router.post(
    "/agent/tickets/<ticket_id>/attachments/<attachment_id>/complete",
    summary="Finish an agent's upload",
    description="As the customer's: the file is kept (201) or deleted and refused (422, or 413).",
    responses={201: {"description": "Kept", "content": {"application/json": {"model": AttachmentView}}}},
    tags=["Agents"],
    security=SECURITY,
)
def post_agent_complete(ticket_id: TicketId, attachment_id: AttachmentId) -> Response[AttachmentView]:
    access.agent_acting_on(token_of(router), ticket_id, taking=False)
    return responses.created(attachment_view(ticket_attachments.complete(ticket_id, attachment_id)))

