"""What a route reads of a body that is not JSON: its media type, its bytes, and a form's one file."""

from __future__ import annotations

import base64
from collections.abc import Mapping

from aws_lambda_powertools.event_handler.api_gateway import Router
from pennydesk.platform.errors import PennydeskError


def media_type(headers: Mapping[str, str]) -> str:
    """The Content-Type without its parameters, lower-cased; "" when there is none (HTTP APIs lower-case names)."""
    return (headers.get("content-type") or "").split(";")[0].strip().lower()


def raw_body(router: Router) -> bytes:
    """The body's bytes as sent: API Gateway base64-encodes what it doesn't pass on as text."""
    event = router.current_event
    raw = event.body or ""
    return base64.b64decode(raw) if event.is_base64_encoded else raw.encode("utf-8", "surrogateescape")


def file_in_form(content_type: str, body: bytes) -> tuple[str | None, bytes]:
    """The one `file` field of a multipart/form-data body: its name as sent, and its bytes."""
    from email import policy  # here: the API's start-up reads media types through this module, and no form
    from email.parser import BytesParser

    if "boundary=" not in content_type.lower():
        raise PennydeskError("The multipart body has no boundary.", field="file")
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode("latin-1", "replace")
    form = BytesParser(policy=policy.HTTP).parsebytes(head + body)
    files = [
        part for part in (form.iter_parts() if form.is_multipart() else [])
        if part.get_param("name", header="content-disposition") == "file"
    ]
    if len(files) != 1:
        raise PennydeskError("Send exactly one file, in a form field named `file`.", field="file")
    data = files[0].get_payload(decode=True)
    return files[0].get_filename(), data if isinstance(data, bytes) else b""
