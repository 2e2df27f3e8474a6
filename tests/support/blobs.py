"""Presigned S3 links followed as a browser or a script follows them: over WSGI into the local stack's server,
which answers them from moto (infra/local/blobs.py), so an in-process test uploads and downloads exactly
as `make dev` serves it."""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import urlsplit

from werkzeug.test import Client, TestResponse

from infra.local.engine import LocalStack
from infra.local.server import LocalServer


def _client(stack: LocalStack) -> Client:
    return Client(LocalServer(stack))


def download(stack: LocalStack, url: str) -> TestResponse:
    """GET a presigned link (the attachment's `url`)."""
    parts = urlsplit(url)
    return _client(stack).get(parts.path, query_string=parts.query, base_url=f"{parts.scheme}://{parts.netloc}")


def upload(stack: LocalStack, form: dict[str, Any], body: bytes, filename: str = "file") -> TestResponse:
    """POST a file to a presigned upload (`{url, fields}`), the fields first and the file last, as S3 wants."""
    parts = urlsplit(form["url"])
    data: dict[str, Any] = {**form["fields"], "file": (io.BytesIO(body), filename)}
    return _client(stack).post(
        parts.path, data=data, content_type="multipart/form-data", base_url=f"{parts.scheme}://{parts.netloc}"
    )
