"""The one error shape the API returns: {"message", "code", "errors": [{"field", "message"}]}."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler import Response, content_types

FRIENDLY = {
    "missing": "This field is required.",
    "json_invalid": "The body is not valid JSON.",
    "model_attributes_type": "Send a JSON object.",
    "string_type": "Must be text.",
    "string_too_short": "Must not be empty.",
    "string_too_long": "Is too long (at most {max_length} characters).",
    "literal_error": "Must be one of: {expected}.",
    "extra_forbidden": "Is not a field this endpoint accepts.",
}


def error_response(
    status: int, message: str, *, code: str | None = None, field: str | None = None,
    errors: Iterable[dict[str, str]] | None = None,
) -> Response:
    body: dict[str, Any] = {"message": message, "code": code or HTTPStatus(status).phrase.lower().replace(" ", "_")}
    details = list(errors or ([{"field": field, "message": message}] if field else []))
    if details:
        body["errors"] = details
    return Response(status_code=int(status), content_type=content_types.APPLICATION_JSON, body=json.dumps(body))


def _field(loc: Sequence[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "header", "path")]
    return ".".join(parts) or "body"


def _message(error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "value_error" and "error" in ctx:
        return str(ctx["error"])
    template = FRIENDLY.get(kind)
    if template:
        try:
            return template.format(**ctx)
        except (KeyError, IndexError):
            return template.split(" (")[0]
    return str(error.get("msg") or "Is not valid.")


def validation_error_response(errors: Sequence[Any]) -> Response:
    details = [{"field": _field(e.get("loc", ())), "message": _message(e)} for e in errors]
    if any(e.get("type") == "json_invalid" for e in errors):
        return error_response(HTTPStatus.BAD_REQUEST, "The body is not valid JSON.", code="invalid_json")
    return error_response(
        HTTPStatus.UNPROCESSABLE_ENTITY,
        "Some fields need attention: " + "; ".join(f"{d['field']}: {d['message']}" for d in details),
        code="validation_failed",
        errors=details,
    )
