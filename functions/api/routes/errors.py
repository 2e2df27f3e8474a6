"""The one error shape the API returns: {"message", "code", "errors": [{"field", "message"}]}."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler import Response, content_types
from pydantic import BaseModel, Field

FRIENDLY = {
    "missing": "This field is required.",
    "json_invalid": "The body is not valid JSON.",
    "model_attributes_type": "Send a JSON object.",
    "string_type": "Must be text.",
    "string_too_short": "Must not be empty.",
    "string_too_long": "Is too long (at most {max_length} characters).",
    "literal_error": "Must be one of: {expected}.",
    "extra_forbidden": "Is not a field this endpoint accepts.",
    "string_pattern_mismatch": "Is not in the expected form.",
}


class FieldError(BaseModel):
    field: str = Field(description="The field at fault: a body field (dotted for nested ones), a query or header name")
    message: str


class ApiError(BaseModel):
    """What every refusal looks like, whichever layer refused (size, parsing, validation, the domain)."""

    message: str = Field(description="What went wrong, in a sentence a person can act on")
    code: str = Field(description="A stable machine-readable reason, e.g. validation_failed, unauthorized")
    errors: list[FieldError] | None = Field(default=None, description="Per field, when fields are at fault")


API_ERROR_REF = "#/components/schemas/ApiError"
# The refusals every route can give, and those that depend on what the operation takes.
ERRORS_EVERYWHERE = {
    413: "The body is larger than 64 KB (the CSV import: 5 MB).",
    422: "A field, query parameter or header is not valid; `errors` names each.",
    429: "Too many requests: the per-address and per-IP limits of sign-in and ticket intake (with Retry-After), "
    "or the gateway's throttling.",
    503: "AWS was busy for a moment and nothing was saved; retry after Retry-After seconds.",
}
ERRORS_WITH_A_BODY = {
    400: "The body is not UTF-8, or not JSON that can be read (malformed, too deeply nested, a number too long).",
    415: "The body is not JSON (Content-Type: application/json); the CSV import takes text/csv.",
}
ERRORS_WHEN_SECURED = {
    401: "No token, or one that is tampered with, expired, already used or for another purpose.",
    403: "A valid token that does not reach this: another ticket, not an agent or admin.",
}
ERRORS_WHEN_ADDRESSED = {404: "No such record (or not yours)."}
ERRORS_WHEN_WRITING = {409: "The change does not fit the record's state now, or raced another; the message says which."}
WRITES = {"post", "put", "patch", "delete"}
RETRY_AFTER = {"description": "Seconds until a retry can succeed", "schema": {"type": "integer"}}
ERRORS_OF_ONE_OPERATION = {
    ("post", "/api/auth/session"): {401: "The sign-in token is not valid, has expired or was already used."},
}


def publish_error_shape(document: dict[str, Any]) -> dict[str, Any]:
    """Put the error shape the API really sends into the OpenAPI document, for every status it can send.

    Powertools documents its own 422 body ({"detail": [...]}), which this API never sends, and nothing else.
    """
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    generated = ApiError.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas.update(generated.pop("$defs"))
    # `errors` is left out when no field is at fault, never sent as null.
    generated["properties"]["errors"] = {
        "type": "array", "items": {"$ref": "#/components/schemas/FieldError"},
        "description": generated["properties"]["errors"]["description"],
    }
    schemas["ApiError"] = generated
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    schemas.pop("ResponseValidationError", None)
    for path, operations in document.get("paths", {}).items():
        for method, operation in operations.items():
            answers = dict(ERRORS_EVERYWHERE)
            if "requestBody" in operation or path.endswith("/import"):
                answers |= ERRORS_WITH_A_BODY
            if operation.get("security"):
                answers |= ERRORS_WHEN_SECURED
            if "{" in path:
                answers |= ERRORS_WHEN_ADDRESSED
            if method in WRITES:
                answers |= ERRORS_WHEN_WRITING
            answers |= ERRORS_OF_ONE_OPERATION.get((method, path), {})
            answers[500] = "Our fault, never the request's: reported and fixed."
            responses = operation.setdefault("responses", {})
            for status, description in answers.items():
                responses[str(status)] = {
                    "description": description,
                    "content": {"application/json": {"schema": {"$ref": API_ERROR_REF}}},
                }
                if status in (429, 503):
                    responses[str(status)]["headers"] = {"Retry-After": RETRY_AFTER}
    return document


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
