"""The API function: every /api route. Parses the HTTP API event, calls the domain, shapes the reply.

A request registers only its own area's routes (route_areas), so a cold start for the ticket form or a link
page doesn't import the admin report, the CSV importer or the spending reports. `app`, read from outside,
is the resolver with every route registered (what tools and tests that list the routes expect).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import sys
from http import HTTPStatus
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.compat import model_json
from aws_lambda_powertools.event_handler.openapi.exceptions import (
    RequestUnsupportedContentType,
    RequestValidationError,
    ResponseValidationError,
)
from aws_lambda_powertools.utilities.typing import LambdaContext
from botocore.exceptions import ClientError
from pennydesk.platform import edge
from pennydesk.platform.errors import PennydeskError
from pennydesk.platform.observability import make_tracer
from pennydesk.platform.ratelimit import TooManyRequests
from pennydesk.platform.settings import get_settings
from pennydesk.platform.transient import RETRY_AFTER_SECONDS, is_transient
from pynamodb.exceptions import PynamoDBException
from route_areas import RouteAreas
from routes.errors import error_response, publish_error_shape, validation_error_response
from routes.request_body import media_type

if TYPE_CHECKING:
    from aws_lambda_powertools.event_handler.openapi.models import OpenAPI

MAX_BODY_BYTES = 64 * 1024
# A bank's CSV export of a few years is a few MB; Lambda's synchronous payload limit is 6 MB.
LARGE_BODY_ROUTES = {"/api/expenses/import": 5 * 1024 * 1024}
# Routes whose body is not JSON: they check their own content type and read the text themselves. The one-click
# unsubscribe takes RFC 8058's form body, POSTed by mailbox providers' servers (no Origin: _cross_site serves it).
TEXT_BODY_ROUTES = {"/api/expenses/import", "/api/unsubscribe"}
# A ticket's attachment sent whole as multipart/form-data (routes/helpdesk/attachments.py): a 10 MB file and the
# form around it. Deployed, Lambda caps a request at 6 MB, so bigger files go by presigned upload instead.
# An article's image (routes/helpcenter/article_images.py) is sent the same way, with the same limit.
ATTACHMENT_ROUTE = re.compile(
    r"^/api/(?:(agent/)?tickets/[0-9a-f]{32}/attachments|admin/articles/[0-9a-f]{32}/images)$"
)
ATTACHMENT_BODY_BYTES = 10 * 1024 * 1024 + 64 * 1024
METHODS_WITH_A_BODY = {"POST", "PUT", "PATCH"}
STATE_CHANGING_METHODS = METHODS_WITH_A_BODY | {"DELETE"}
# What a browser's Sec-Fetch-Site says of a request it makes for a page of this site, or for a person.
NOT_CROSS_SITE = {"same-origin", "same-site", "none"}

logger = Logger()
tracer = make_tracer()
metrics = Metrics()


class PennydeskResolver(APIGatewayHttpResolver):
    """Powertools' resolver, registering each area's routes on first use and publishing the error shape this
    API sends instead of Powertools' own."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.areas = RouteAreas(self)

    def _call_exception_handler(self, exp: Exception, route: Any) -> Any:
        _handle_idempotency_errors()
        return super()._call_exception_handler(exp, route)

    def get_openapi_schema(self, **kwargs: Any) -> OpenAPI:
        from aws_lambda_powertools.event_handler.openapi.models import OpenAPI  # the docs' own cost

        self.areas.everything()
        generated = json.loads(model_json(super().get_openapi_schema(**kwargs), by_alias=True, exclude_none=True))
        return OpenAPI.model_validate(publish_error_shape(generated))


# A reply that breaks its own published schema is our bug, never the client's: 500, not 422.
resolver = PennydeskResolver(
    enable_validation=True, response_validation_error_http_code=HTTPStatus.INTERNAL_SERVER_ERROR
)


def __getattr__(name: str) -> Any:
    """`app` for readers outside the handler: the resolver with every area's routes registered."""
    if name == "app":
        resolver.areas.everything()
        return resolver
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@resolver.exception_handler(RequestValidationError)
def _invalid_request(exc: RequestValidationError) -> Response:
    return validation_error_response(exc.errors())


@resolver.exception_handler(ResponseValidationError)
def _reply_broke_the_contract(exc: ResponseValidationError) -> Response:
    logger.error("response broke its published schema", extra={"errors": str(exc.errors())[:2000]})
    return error_response(
        HTTPStatus.INTERNAL_SERVER_ERROR, "Something went wrong on our side. Try again later.", code="internal_error"
    )


@resolver.exception_handler(UnicodeDecodeError)
def _not_utf8(_: UnicodeDecodeError) -> Response:
    return error_response(HTTPStatus.BAD_REQUEST, "The body is not valid UTF-8 text.", code="invalid_encoding")


@resolver.exception_handler(RequestUnsupportedContentType)
def _unsupported_media_type(_: RequestUnsupportedContentType) -> Response:
    return error_response(
        HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "Send the body as JSON (Content-Type: application/json).",
        code="unsupported_media_type",
    )


@resolver.exception_handler(PennydeskError)
def _domain_error(exc: PennydeskError) -> Response:
    every = [{"field": r.field, "message": r.message} for r in getattr(exc, "refusals", ()) if r.field]
    response = error_response(exc.status, exc.message, code=exc.code, field=exc.field, errors=every or None)
    if isinstance(exc, TooManyRequests):
        response.headers["Retry-After"] = str(exc.retry_after)
    return response


def _idempotency_key_reused(_: Exception) -> Response:
    return error_response(
        HTTPStatus.UNPROCESSABLE_ENTITY,
        "This Idempotency-Key was already used for a different request. Use a new key.",
        code="idempotency_key_reused",
        field="Idempotency-Key",
    )


@resolver.exception_handler([ClientError, PynamoDBException])
def _aws_busy(exc: Exception) -> Response:
    """AWS throttled or failed for a moment and nothing was written: 503 with Retry-After, not a crash."""
    if not is_transient(exc):
        raise exc
    logger.warning("AWS was busy; answered 503", extra={"error": str(exc)[:500]})
    response = error_response(
        HTTPStatus.SERVICE_UNAVAILABLE, "We are busy right now; nothing was saved. Please try again in a moment.",
        code="service_busy",
    )
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _idempotency_in_progress(_: Exception) -> Response:
    return error_response(
        HTTPStatus.CONFLICT,
        "A request with this Idempotency-Key is still being processed. Retry in a moment.",
        code="idempotency_in_progress",
    )


# Powertools' idempotency utility loads boto3 and its DynamoDB persistence layer: only the routes and emails that
# use it import it, so its errors get their handlers once it is loaded (an error it raised means it is).
IDEMPOTENCY_ERRORS = "aws_lambda_powertools.utilities.idempotency.exceptions"
IDEMPOTENCY = "pennydesk.platform.idempotency"
_idempotency_handled: list[bool] = []


def _handle_idempotency_errors() -> None:
    errors = sys.modules.get(IDEMPOTENCY_ERRORS)
    if errors is None or _idempotency_handled:
        return
    resolver.exception_handler(errors.IdempotencyValidationError)(_idempotency_key_reused)
    resolver.exception_handler(errors.IdempotencyPersistenceLayerError)(_aws_busy)
    resolver.exception_handler(errors.IdempotencyAlreadyInProgressError)(_idempotency_in_progress)
    _idempotency_handled.append(True)


def _register_invocation(context: LambdaContext) -> None:
    """Idempotency learns this invocation's deadline, if this request's routes use it (they import it)."""
    loaded = sys.modules.get(IDEMPOTENCY)
    if loaded is not None:
        loaded.register_invocation(context)


@resolver.not_found
def _not_found(exc: NotFoundError) -> Response:
    method = resolver.current_event.http_method.upper()
    path = resolver.current_event.path
    allowed = _methods_for(path) - {method}
    if allowed:
        return _method_not_allowed(method, allowed)
    return error_response(HTTPStatus.NOT_FOUND, f"No such endpoint: {path}", code="not_found")


def _methods_for(path: str) -> set[str]:
    """The methods the API takes on `path`. A fixed path is a resource of its own: /api/expenses/import is
    not an expense whose id is "import", so where a fixed route matches, the routes with parameters don't.
    """
    # Powertools keeps its route table private; reading it is the only way to tell 404 from 405.
    fixed = {r.method for r in resolver._static_routes if r.rule.match(path)}
    return fixed or {r.method for r in resolver._dynamic_routes if r.rule.match(path)}


def _method_not_allowed(method: str, allowed: set[str]) -> Response:
    response = error_response(HTTPStatus.METHOD_NOT_ALLOWED, f"{method} is not allowed here.")
    response.headers["Allow"] = ", ".join(sorted(allowed))
    return response


def _body_size(event: dict[str, Any]) -> int:
    body = event.get("body") or ""
    if event.get("isBase64Encoded"):
        try:
            return len(base64.b64decode(body, validate=False))
        except (binascii.Error, ValueError):
            return len(body)
    return len(body.encode("utf-8", "surrogatepass"))


def _route_path(event: dict[str, Any]) -> str:
    """The path the routes know: with a named stage, API Gateway's rawPath starts with /<stage>/."""
    path = event.get("rawPath", "")
    stage = event.get("requestContext", {}).get("stage", "$default")
    return path.removeprefix(f"/{stage}") if stage != "$default" and path.startswith(f"/{stage}/") else path


def _body_limit(event: dict[str, Any], headers: dict[str, str]) -> int:
    """A file sent whole may be 10 MB; the same route's JSON (a presigned upload's start) is JSON's 64 KB."""
    if media_type(headers) == "multipart/form-data" and ATTACHMENT_ROUTE.match(_route_path(event)):
        return ATTACHMENT_BODY_BYTES
    return LARGE_BODY_ROUTES.get(_route_path(event), MAX_BODY_BYTES)


def _unreadable_body(event: dict[str, Any], headers: dict[str, str]) -> Response | None:
    """Refuse, in the API's error shape, a body the JSON routes cannot read, before Powertools tries to.

    Powertools would read a form or multipart body as fields (so a cross-site HTML form could post one
    without a CORS preflight), read a JSON array as its first element, and fail with a 500 on a multipart
    type without a boundary, an integer too long to convert, or nesting deeper than Python's recursion limit.
    """
    if _route_path(event) in TEXT_BODY_ROUTES or not event.get("body"):
        return None
    # No type is no JSON: a page elsewhere can post a typeless Blob without a CORS preflight.
    sent_as = media_type(headers)
    if sent_as == "multipart/form-data" and ATTACHMENT_ROUTE.match(_route_path(event)):
        return None  # the attachment route reads its own form (a file and nothing else)
    if sent_as != "application/json":
        return error_response(
            HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "Send the body as JSON (Content-Type: application/json).",
            code="unsupported_media_type",
        )
    try:
        raw = base64.b64decode(event["body"]) if event.get("isBase64Encoded") else event["body"]
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    except (binascii.Error, UnicodeDecodeError):
        return error_response(HTTPStatus.BAD_REQUEST, "The body is not valid UTF-8 text.", code="invalid_encoding")
    try:
        parsed = json.loads(text)
    except (ValueError, RecursionError):  # ValueError covers malformed JSON and integers past 4,300 digits
        return error_response(HTTPStatus.BAD_REQUEST, "The body is not valid JSON.", code="invalid_json")
    if not isinstance(parsed, dict):
        return error_response(
            HTTPStatus.UNPROCESSABLE_ENTITY, "Send a JSON object.", code="validation_failed", field="body"
        )
    return None


def _not_through_site(headers: dict[str, str]) -> Response | None:
    """Refuse what reached the API by its own execute-api address instead of through the site's CloudFront."""
    if edge.through_site(headers):
        return None
    return error_response(
        HTTPStatus.FORBIDDEN, "Use the site's address: this API answers only through it.", code="not_through_site"
    )


def _cross_site(headers: dict[str, str], method: str) -> Response | None:
    """Refuse a state-changing request that a browser made for another site's page.

    Browsers mark every request with Sec-Fetch-Site, which a page's script cannot set; where it is missing (an
    older browser) the Origin must be this site's. Clients that are not browsers send neither and are served:
    cross-site request forgery is a browser's problem, and the API's own tokens are never ambient credentials.
    """
    if method not in STATE_CHANGING_METHODS:
        return None
    fetch_site, origin = headers.get("sec-fetch-site"), headers.get("origin")
    if fetch_site is not None:
        allowed = fetch_site.strip().lower() in NOT_CROSS_SITE
    else:
        ours = {urlsplit(get_settings().site_url).netloc.lower(), (headers.get("host") or "").lower()} - {""}
        allowed = origin is None or urlsplit(origin.strip()).netloc.lower() in ours  # "null" has no netloc
    if allowed:
        return None
    return error_response(
        HTTPStatus.FORBIDDEN, "This request came from another site's page, so it was not carried out.",
        code="cross_site",
    )


def _reply(response: Response, headers: dict[str, str] | None = None) -> dict[str, Any]:
    return {
        "statusCode": response.status_code,
        "headers": {"Content-Type": content_types.APPLICATION_JSON, **(headers or {})},
        "body": response.body,
    }


def _too_large(limit: int) -> dict[str, Any]:
    size = f"{limit // (1024 * 1024)} MB" if limit >= 1024 * 1024 else f"{limit // 1024} KB"
    response = error_response(
        HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"The request body is larger than {size}.", code="payload_too_large"
    )
    return _reply(response)


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    headers = {k.lower(): v for k, v in (event.get("headers") or {}).items()}  # HTTP APIs send them lower-cased
    limit = _body_limit(event, headers)
    if _body_size(event) > limit:
        return _too_large(limit)
    method = event.get("requestContext", {}).get("http", {}).get("method", "").upper()
    if method not in METHODS_WITH_A_BODY:
        event = {**event, "body": None, "isBase64Encoded": False}  # no GET or DELETE here reads a body
    path = _route_path(event)
    resolver.areas.for_path(path)
    allowed = _methods_for(path)
    if allowed and method not in allowed:  # before routing: a parameter route would take the fixed path
        return _reply(_method_not_allowed(method, allowed), {"Allow": ", ".join(sorted(allowed))})
    refusal = _not_through_site(headers) or _cross_site(headers, method) or _unreadable_body(event, headers)
    if refusal is not None:
        return _reply(refusal)
    _register_invocation(context)
    return resolver.resolve(event, context)
