"""Articles' images in the private attachments bucket, under articles/: stored once checked, and handed out
as a five-minute link only while their article is published (to anyone) or to staff (drafts too)."""

from __future__ import annotations

import html
import re
import uuid

from pynamodb.exceptions import DoesNotExist

from pennydesk.helpcenter import articles, image_rules
from pennydesk.helpcenter.records import IMAGE_SK, ArticleImage, image_object_key, image_pk
from pennydesk.platform import blobs
from pennydesk.platform.clock import iso_precise, utcnow
from pennydesk.platform.errors import NotFound
from pennydesk.platform.settings import get_settings

IN_HTML = re.compile(r'src="/api/help/images/([0-9a-f]{32})"')


def _bucket() -> str:
    return get_settings().attachments_bucket


def store(article_id: str, filename: str | None, data: bytes, author: str) -> tuple[ArticleImage, str]:
    """Check the file, store it, record it: (the record, the Markdown to insert). The object is written
    first, so a record never points at nothing; a failed record leaves an object nobody links to."""
    content_type = image_rules.sniff(data)
    articles.require(article_id)
    image_id = uuid.uuid4().hex
    blobs.put(_bucket(), image_object_key(article_id, image_id), data, content_type)
    record = ArticleImage(
        pk=image_pk(image_id), sk=IMAGE_SK, image_id=image_id, article_id=article_id, content_type=content_type,
        size=len(data), author=author, created_at=iso_precise(utcnow()),
    )
    record.save(condition=ArticleImage.pk.does_not_exist())
    return record, image_rules.markdown(image_rules.alt_text(filename), image_id)


def _image(image_id: str) -> ArticleImage:
    try:
        return ArticleImage.get(image_pk(image_id), IMAGE_SK)
    except DoesNotExist:
        raise NotFound("No such image.") from None


def _link(image: ArticleImage) -> str:
    return blobs.download_url(
        _bucket(), image_object_key(image.article_id, image.image_id), content_type=image.content_type,
        disposition="inline",
    )


def link(image_id: str, *, staff: bool) -> str:
    """A five-minute link to the image: anyone's while its article is published, staff's always."""
    image = _image(image_id)
    try:
        article = articles.require(image.article_id)
    except NotFound:
        raise NotFound("No such image.") from None
    if not article.published and not staff:
        raise NotFound("No such image.")
    return _link(image)


def for_staff(rendered: str) -> str:
    """Rendered HTML whose images load in the editor (drafts too): each image address becomes its own
    five-minute link. Only for staff's answers: a public page keeps the public route."""
    def signed(found: re.Match[str]) -> str:
        try:
            return f'src="{html.escape(_link(_image(found.group(1))), quote=True)}"'
        except NotFound:
            return found.group(0)

    return IN_HTML.sub(signed, rendered)
