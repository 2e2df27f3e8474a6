"""The shapes AWS hands a function, built locally: API Gateway HTTP API (payload 2.0) requests and what a
handler's answer becomes, SQS records as an event source mapping delivers them, an EventBridge schedule
event, and the record Lambda sends a DynamoDB stream mapping's on-failure destination."""

from __future__ import annotations

import base64
import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

from moto.core import DEFAULT_ACCOUNT_ID

from infra.local.runtime import REGION, LocalFunction


@dataclass
class HttpResult:
    status: int
    headers: dict[str, str]
    body: bytes
    cookies: list[str] = field(default_factory=list)

    def json(self) -> Any:
        return json.loads(self.body)


def not_found() -> HttpResult:
    """API Gateway's answer to a path no route serves."""
    return HttpResult(404, {"content-type": "application/json"}, b'{"message":"Not Found"}')


def internal_server_error() -> HttpResult:
    """API Gateway's bare 500 when the handler crashes."""
    return HttpResult(500, {"content-type": "application/json"}, b'{"message":"Internal Server Error"}')


@dataclass
class HttpRoute:
    function: LocalFunction
    method: str
    prefix: str  # "/api/" for /api/{proxy+}; the whole path for a fixed route

    @property
    def is_proxy(self) -> bool:
        return self.prefix.endswith("/")

    def serves(self, method: str, path: str) -> bool:
        return path.startswith(self.prefix) and self.method in ("ANY", method.upper())


def http_event(
    method: str,
    path: str,
    query: str,
    headers: dict[str, str],
    body: bytes | str | None,
    source_ip: str,
    route: HttpRoute,
) -> dict[str, Any]:
    """The payload 2.0 event API Gateway's HTTP API hands `route`'s function for this request."""
    text, encoded = _body_text(body, headers.get("content-type", ""))
    now = datetime.now(UTC)
    route_key = f"{route.method} {route.prefix}{{proxy+}}" if route.is_proxy else route.prefix
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": path,
        "rawQueryString": query,
        "headers": headers,
        "requestContext": {
            "accountId": DEFAULT_ACCOUNT_ID,
            "apiId": "local",
            "domainName": headers.get("host", "127.0.0.1"),
            "domainPrefix": "local",
            "http": {
                "method": method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": source_ip,
                "userAgent": headers.get("user-agent", ""),
            },
            "requestId": str(uuid.uuid4()),
            "routeKey": route_key,
            "stage": "$default",
            "time": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "timeEpoch": int(now.timestamp() * 1000),
        },
        "isBase64Encoded": encoded,
    }
    params = _query_parameters(query)
    if params:
        event["queryStringParameters"] = params
    if headers.get("cookie"):
        event["cookies"] = [c.strip() for c in headers["cookie"].split(";")]
    if route.is_proxy:
        event["pathParameters"] = {"proxy": path[len(route.prefix):]}
    if text is not None:
        event["body"] = text
    return event


# The types an HTTP API passes to Lambda as text; it base64-encodes every other body, a missing type included
# (verified against real HTTP APIs in ministackorg/ministack#766: AWS's docs only say "if it is binary").
TEXT_TYPES = ("application/json", "application/xml", "application/javascript")


def _body_text(body: bytes | str | None, content_type: str) -> tuple[str | None, bool]:
    """The body as the event carries it: text for a text type, else base64 (and the flag). A text type whose
    bytes are not UTF-8 is base64-encoded too, so the function still gets every byte."""
    if body is None or body == b"" or body == "":
        return None, False
    raw = body.encode("utf-8") if isinstance(body, str) else body
    media_type = content_type.split(";")[0].strip().lower()
    if media_type.startswith("text/") or media_type in TEXT_TYPES:
        try:
            return raw.decode("utf-8"), False
        except UnicodeDecodeError:
            pass
    return base64.b64encode(raw).decode("ascii"), True


def _query_parameters(query: str) -> dict[str, str]:
    """Payload 2.0 joins a repeated query parameter's values with commas."""
    params: dict[str, str] = {}
    for key, value in parse_qsl(query, keep_blank_values=True):
        params[key] = f"{params[key]},{value}" if key in params else value
    return params


def http_result(response: dict[str, Any]) -> HttpResult:
    """A handler's payload 2.0 response as the client receives it."""
    raw_body = response.get("body") or ""
    payload = base64.b64decode(raw_body) if response.get("isBase64Encoded") else raw_body.encode("utf-8")
    return HttpResult(
        status=int(response.get("statusCode", 200)),
        headers={k.lower(): str(v) for k, v in (response.get("headers") or {}).items()},
        body=payload,
        cookies=list(response.get("cookies") or []),
    )


def sqs_record(message: dict[str, Any], queue_arn: str) -> dict[str, Any]:
    """An SQS message as Lambda's event source mapping hands it to a function."""
    attributes = {k: str(v) for k, v in (message.get("Attributes") or {}).items()}
    message_attributes = {}
    for name, value in (message.get("MessageAttributes") or {}).items():
        binary = value.get("BinaryValue")
        message_attributes[name] = {
            "stringValue": value.get("StringValue"),
            "binaryValue": base64.b64encode(binary).decode("ascii") if binary is not None else None,
            "stringListValues": list(value.get("StringListValues") or []),
            "binaryListValues": [base64.b64encode(b).decode("ascii") for b in value.get("BinaryListValues") or []],
            "dataType": value.get("DataType", "String"),
        }
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message.get("Body", ""),
        "attributes": attributes,
        "messageAttributes": message_attributes,
        "md5OfBody": message.get("MD5OfBody", ""),
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": REGION,
    }


def schedule_event(logical_id: str, moment: datetime) -> dict[str, Any]:
    """The event an EventBridge schedule rule delivers to `logical_id` for the run at `moment`."""
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": DEFAULT_ACCOUNT_ID,
        "time": moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": REGION,
        "resources": [f"arn:aws:events:{REGION}:{DEFAULT_ACCOUNT_ID}:rule/{logical_id}"],
        "detail": {},
    }


def stream_failure_record(
    function_arn: str, invocations: int, shard_id: str, stream_arn: str, records: list[dict[str, Any]]
) -> dict[str, Any]:
    """What Lambda sends to a stream mapping's on-failure destination: where the records are, not the records."""
    first, last = records[0]["dynamodb"], records[-1]["dynamodb"]
    return {
        "requestContext": {
            "requestId": str(uuid.uuid4()),
            "functionArn": function_arn,
            "condition": "RetryAttemptsExhausted",
            "approximateInvokeCount": invocations,
        },
        "responseContext": {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"},
        "version": "1.0",
        "timestamp": lambda_time(datetime.now(UTC)),
        "DDBStreamBatchInfo": {
            "shardId": shard_id,
            "startSequenceNumber": first["SequenceNumber"],
            "endSequenceNumber": last["SequenceNumber"],
            "approximateArrivalOfFirstRecord": lambda_time(first.get("ApproximateCreationDateTime")),
            "approximateArrivalOfLastRecord": lambda_time(last.get("ApproximateCreationDateTime")),
            "batchSize": len(records),
            "streamArn": stream_arn,
        },
    }


def lambda_time(moment: datetime | float | int | None) -> str:
    """A time as Lambda writes it in an on-failure record: ISO 8601 UTC with milliseconds and a Z."""
    if moment is None:
        return ""
    if not isinstance(moment, datetime):
        moment = datetime.fromtimestamp(float(moment), UTC)
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
