"""Images in articles: an author attaches one (POST /api/admin/articles/{id}/images, multipart `file`) and
inserts the Markdown it answers with; readers' browsers load it from GET /api/help/images/{id}, a redirect
to a five-minute link, while the article is published (staff: drafts too)."""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path
from pennydesk.helpcenter import authoring, image_rules, images
from pennydesk.helpdesk import staff
from pennydesk.platform.errors import PennydeskError, Unauthorized
from pydantic import BaseModel, Field

from routes import responses
from routes.auth_header import SECURITY, token_of
from routes.request_body import file_in_form, media_type, raw_body

router = Router()
ArticleId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$", description="The article's id")]
ImageId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$", description="The image's id")]


class StoredImage(BaseModel):
    id: str
    url: str = Field(description="Where readers' browsers load it (while the article is published)")
    content_type: str
    size: int
    markdown: str = Field(description="What to insert into the body, e.g. ![alt](/api/help/images/<id>)")


@router.post(
    "/admin/articles/<article_id>/images",
    summary="Attach an image to an article (PNG, JPEG, GIF or WebP, at most 10 MB)",
    description="`multipart/form-data` with one `file` field; its type is read from its bytes. Admins, and "
    "agents while admins allow them to write. Answers with the Markdown to insert.",
    responses={201: {"description": "Stored", "content": {"application/json": {"model": StoredImage}}}},
    tags=["Help center"],
    security=SECURITY,
)
def post_image(article_id: ArticleId) -> Response[StoredImage]:
    author = staff.require_article_writer(token_of(router), authoring.agents_may_write()).email
    headers = router.current_event.headers
    if media_type(headers) != "multipart/form-data":
        raise PennydeskError("Send the image as multipart/form-data, in a field named `file`.", field="file")
    filename, data = file_in_form(headers.get("content-type") or "", raw_body(router))
    image, markdown = images.store(article_id, filename, data, author)
    stored = StoredImage(id=image.image_id, url=image_rules.src(image.image_id), content_type=image.content_type,
                         size=int(image.size), markdown=markdown)
    return responses.created(stored)


def _is_staff() -> bool:
    """A staff session (an admin or an active agent) sees drafts' images. The route is public: no token, or
    one that is not a valid session, is simply the public."""
    token = token_of(router)
    if not token:
        return False
    try:
        current = staff.session(token)
    except Unauthorized:
        return False
    return current.is_admin or current.agent is not None


@router.get(
    "/help/images/<image_id>",
    summary="An article's image: 302 to a five-minute link while the article is published",
    description="A draft's image only for a staff session (Authorization); otherwise 404.",
    responses={302: {"description": "Found: Location is a five-minute link to the image"}},
    tags=["Help center"],
)
def get_image(image_id: ImageId):
    location = images.link(image_id, staff=_is_staff())
    return Response(status_code=HTTPStatus.FOUND, content_type=content_types.APPLICATION_JSON, body="",
                    headers={"Location": location, "Cache-Control": "private, max-age=240"})
