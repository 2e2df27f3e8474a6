"""The published contract: OpenAPI 3 at /api/openapi.json and Swagger UI at /api/docs (assets inlined)."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.models import HTTPBearer, Server

router = Router()
_app: APIGatewayHttpResolver | None = None

TITLE = "Pennydesk API"
VERSION = "0.1.0"
DESCRIPTION = (
    "Customer-care desk and spending tracker. JSON over HTTPS under /api. Errors are "
    '`{"message", "code", "errors": [{"field", "message"}]}`; bad input is 4xx, never 5xx. '
    "Access comes from emailed links: send the link's `token` as `Authorization: Bearer <token>`."
)
SERVERS = [Server(url="/")]
SECURITY_SCHEMES = {
    "bearerToken": HTTPBearer(
        description="The `token` from an emailed link, or a session from POST /api/auth/session."
    )
}


def install(app: APIGatewayHttpResolver) -> None:
    global _app
    _app = app
    app.enable_swagger(
        path="/api/docs", title=TITLE, version=VERSION, description=DESCRIPTION, servers=SERVERS,
        security_schemes=SECURITY_SCHEMES,
    )


@router.get("/openapi.json", include_in_schema=False)
def openapi_json():
    assert _app is not None, "docs.install(app) wires the schema source"
    body = _app.get_openapi_json_schema(
        title=TITLE, version=VERSION, description=DESCRIPTION, servers=SERVERS, security_schemes=SECURITY_SCHEMES
    )
    return Response(status_code=200, content_type=content_types.APPLICATION_JSON, body=body)
