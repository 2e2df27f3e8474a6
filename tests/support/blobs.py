"""Presigned S3 links followed as a browser or a script follows them: over WSGI into the local stack's server,
which answers them from moto (infra/local/blobs.py), so an in-process test uploads and downloads exactly
as `make dev` serves it."""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import urlsplit

import requests
from werkzeug.test import Client, TestResponse

from infra.local.engine import HttpResult, LocalStack
from infra.local.server import LocalServer
from tests.support.helpdesk import OpenTicket


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


def send_whole(stack: LocalStack, path: str, headers: dict[str, str], filename: str, body: bytes) -> HttpResult:
    """A file sent whole to the API: multipart/form-data with one `file` field, built by requests as a script
    would send it."""
    prepared = requests.Request("POST", "http://x/", files={"file": (filename, body, "application/octet-stream")})
    ready = prepared.prepare()
    return stack.http("POST", path, headers={**headers, "content-type": ready.headers["Content-Type"]},
                      body=ready.body)


def start(stack: LocalStack, path: str, headers: dict[str, str], filename: str, size: int) -> HttpResult:
    """Ask for a presigned upload (`{filename, size}`)."""
    return stack.http("POST", path, headers=headers, json_body={"filename": filename, "size": size})


def uploaded(stack: LocalStack, ticket: OpenTicket, filename: str, body: bytes, *, agent: bool = False) -> HttpResult:
    """The ticket page's way: ask for an upload, POST the file to S3, complete it."""
    base = f"/api/{'agent/' if agent else ''}tickets/{ticket.id}/attachments"
    headers = ticket.agent if agent else ticket.customer
    started = start(stack, base, headers, filename, len(body))
    assert started.status == 201, started.body
    assert started.json()["upload"]["url"] == f"{stack.site_url}/_upload"  # the site's own origin, as deployed
    sent = upload(stack, started.json()["upload"], body, filename)
    assert sent.status_code == 204, sent.get_data(as_text=True)
    return stack.http("POST", f"{base}/{started.json()['id']}/complete", headers=headers)
