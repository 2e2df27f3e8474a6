"""Events as AWS sends them, built from AWS's own published sample (tests/fixtures/aws/, with its source)."""

from __future__ import annotations

import base64
import copy
import json
from pathlib import Path
from typing import Any

SAMPLE = json.loads((Path(__file__).parents[1] / "fixtures" / "aws" / "http_api_v2_event.json").read_text())


def http_api_event(
    method: str, path: str, *, stage: str = "$default", headers: dict[str, str] | None = None,
    body: bytes | None = None, binary: bool = False, source_ip: str = "203.0.113.9",
) -> dict[str, Any]:
    """AWS's sample HTTP API (payload 2.0) event for the API function's /api/{proxy+} route, changed only where
    this request differs: method, path, stage, headers, body (base64 when `binary`) and source address."""
    event = copy.deepcopy(SAMPLE)
    raw_path = path if stage == "$default" else f"/{stage}{path}"
    event.update(rawPath=raw_path, rawQueryString="", routeKey="ANY /api/{proxy+}", headers=headers or {})
    for key in ("queryStringParameters", "cookies", "stageVariables"):
        event.pop(key, None)
    event["pathParameters"] = {"proxy": path.removeprefix("/api/")}
    context = event["requestContext"]
    context.pop("authorizer", None)
    context.pop("authentication", None)
    context.update(stage=stage, routeKey="ANY /api/{proxy+}")
    context["http"].update(method=method, path=raw_path, sourceIp=source_ip)
    if body is None:
        event.pop("body", None)
        event["isBase64Encoded"] = False
    elif binary:
        event["body"], event["isBase64Encoded"] = base64.b64encode(body).decode(), True
    else:
        event["body"], event["isBase64Encoded"] = body.decode("utf-8"), False
    return event
