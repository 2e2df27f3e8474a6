"""Images in help articles: an author attaches a real image file (typed by its bytes), inserts the Markdown
it answers with, and readers load it through /api/help/images/{id}, a redirect to a five-minute link that
exists only while the article is published; staff see drafts' images in the editor."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import boto3
import pytest
import requests

from infra.local.engine import HttpResult, LocalStack
from tests.support.blobs import download
from tests.support.identity import bearer, sign_in
from tests.support.stack import ADMIN

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "attachments"
PNG = (FIXTURES / "console.png").read_bytes()
PDF = (FIXTURES / "statement.pdf").read_bytes()
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>'
BUCKET = "attachmentsbucket"


def send_image(stack: LocalStack, article_id: str, headers: dict[str, str], filename: str, body: bytes) -> HttpResult:
    """multipart/form-data with one `file` field, built by requests as a script would send it."""
    ready = requests.Request("POST", "http://x/", files={"file": (filename, body, "image/png")}).prepare()
    return stack.http("POST", f"/api/admin/articles/{article_id}/images",
                      headers={**headers, "content-type": ready.headers["Content-Type"]}, body=ready.body)


class Author:
    def __init__(self, stack: LocalStack) -> None:
        self.stack = stack
        self.admin = bearer(sign_in(stack, ADMIN))
        created = stack.http("POST", "/api/admin/articles", headers=self.admin, json_body={
            "title": "Where to find your invoice", "body": "Open Billing.", "published": False})
        assert created.status == 201, created.body
        self.article: dict[str, Any] = created.json()

    def attach(self, filename: str = "Billing page.png", body: bytes = PNG) -> HttpResult:
        return send_image(self.stack, self.article["id"], self.admin, filename, body)

    def change(self, **changes: Any) -> dict[str, Any]:
        answer = self.stack.http("PATCH", f"/api/admin/articles/{self.article['id']}", headers=self.admin,
                                 json_body=changes)
        assert answer.status == 200, answer.body
        return answer.json()

    def image(self, image_id: str, headers: dict[str, str] | None = None) -> HttpResult:
        return self.stack.http("GET", f"/api/help/images/{image_id}", headers=headers)


@pytest.fixture
def author(stack: LocalStack) -> Author:
    return Author(stack)


def stored_keys() -> list[str]:
    listed = boto3.client("s3", region_name="us-east-1").list_objects_v2(Bucket=BUCKET, Prefix="articles/")
    return [o["Key"] for o in listed.get("Contents", [])]


def test_an_image_is_stored_typed_by_its_bytes_and_answers_with_its_markdown(author: Author) -> None:
    answer = author.attach()
    assert answer.status == 201, answer.body
    image = answer.json()
    assert (image["content_type"], image["size"]) == ("image/png", len(PNG))
    assert image["url"] == f"/api/help/images/{image['id']}"
    assert image["markdown"] == f"![Billing page]({image['url']})"
    assert stored_keys() == [f"articles/{author.article['id']}/{image['id']}"]


def test_a_drafts_image_is_for_staff_only_and_public_while_the_article_is_published(author: Author) -> None:
    image = author.attach().json()
    assert author.image(image["id"]).status == 404
    staff = author.image(image["id"], author.admin)
    assert staff.status == 302
    assert download(author.stack, staff.headers["location"]).get_data() == PNG

    edited = author.change(body=f"Open Billing:\n\n{image['markdown']}")
    assert f'src="{image["url"]}"' not in edited["html"]  # the editor's copy loads through a signed link
    assert "<img" in edited["html"] and "X-Amz-Signature" in edited["html"]

    author.change(published=True)
    public = author.image(image["id"])
    assert public.status == 302, public.body
    fetched = download(author.stack, public.headers["location"])
    assert fetched.get_data() == PNG and fetched.headers["content-type"] == "image/png"
    page = author.stack.http("GET", f"/api/help/articles/{author.article['slug']}").json()
    assert f'<img src="{image["url"]}" alt="Billing page">' in page["html"]

    author.change(published=False)
    assert author.image(image["id"]).status == 404


@pytest.mark.parametrize(
    ("filename", "body", "status"),
    [("evil.png", SVG, 422), ("statement.png", PDF, 422), ("page.png", b"<html><script>x</script></html>", 422),
     ("empty.png", b"", 422), ("huge.png", PNG + b"\0" * (10 * 1024 * 1024), 413)],
)
def test_anything_but_a_png_jpeg_gif_or_webp_is_refused_and_nothing_is_stored(
    author: Author, filename: str, body: bytes, status: int
) -> None:
    refused = author.attach(filename, body)
    assert refused.status == status, refused.body
    assert refused.json()["errors"][0]["field"] == "file"
    assert stored_keys() == []


def test_only_writers_attach_and_only_to_an_article_that_exists(author: Author) -> None:
    customer = bearer(sign_in(author.stack, "kim@example.com"))
    assert send_image(author.stack, author.article["id"], customer, "a.png", PNG).status == 403
    missing = send_image(author.stack, "f" * 32, author.admin, "a.png", PNG)
    assert missing.status == 404
    assert author.image("0" * 32).status == 404
    assert stored_keys() == []


def test_an_image_from_anywhere_else_never_loads(author: Author) -> None:
    edited = author.change(body="![pixel](https://tracker.example/p.gif) ![inline](data:image/png;base64,AAAA)",
                           published=True)
    page = author.stack.http("GET", f"/api/help/articles/{edited['slug']}").json()
    assert "tracker.example" not in page["html"] and "data:" not in page["html"]
