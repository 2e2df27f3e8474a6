"""S3's presigned links, served locally: a browser or `requests` can't reach moto inside the stack's process,
so the stack sets BLOB_PUBLIC_ENDPOINT=<site>/_local/s3 (platform/blobs.py signs links for it) and answers
them here, from moto's S3, as S3 would:

POST /_upload, /_local/s3/<bucket>  a presigned POST form (/_upload is the site's path that CloudFront sends
                                     to the attachments bucket; the policy names the bucket): the signature
                                     over its policy, the policy's expiry, bucket, key and content-length-range
                                     checked, then stored (204)
GET  /_local/s3/<bucket>/<key>?...   a presigned GET: its SigV4 query signature and expiry checked, then the
                                     object with the response-* overrides as headers

Refusals are S3's XML errors with S3's statuses (403 for a bad signature, an expired link or a broken
policy; 400 EntityTooLarge/EntityTooSmall for a file outside the range; 404 NoSuchKey).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import boto3
from botocore.exceptions import ClientError
from werkzeug.wrappers import Request, Response

from infra.local.runtime import REGION

PREFIX = "/_local/s3/"
UPLOAD_PATH = "/_upload"  # SiteDistribution's behaviour for the pages' uploads (template.yaml)
AMZ_DATE = "%Y%m%dT%H%M%SZ"
OVERRIDES = {  # presigned GET query parameter -> the header S3 answers with
    "response-content-type": "Content-Type",
    "response-content-disposition": "Content-Disposition",
    "response-cache-control": "Cache-Control",
    "response-content-language": "Content-Language",
    "response-expires": "Expires",
    "response-content-encoding": "Content-Encoding",
}


class S3Refusal(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def serves(path: str) -> bool:
    return path.startswith(PREFIX) or path == UPLOAD_PATH


def handle(request: Request) -> Response:
    bucket, _, key = request.path[len(PREFIX):].partition("/")
    try:
        if request.path == UPLOAD_PATH:
            if request.method != "POST":
                raise S3Refusal(405, "MethodNotAllowed", f"{request.method} is not allowed on this resource.")
            return _post(request, _policy_bucket(request.form.get("policy", "")))
        if request.method == "POST" and bucket and not key:
            return _post(request, bucket)
        if request.method in ("GET", "HEAD") and bucket and key:
            return _get(request, bucket, key)
        raise S3Refusal(405, "MethodNotAllowed", f"{request.method} is not allowed on this resource.")
    except S3Refusal as refused:
        return _error(refused)


def _signing_key(date: str) -> bytes:
    """SigV4's key for the day, from the credentials the functions sign with (moto swaps in its own)."""
    key = f"AWS4{boto3.Session().get_credentials().secret_key}".encode()
    for part in (date, REGION, "s3", "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key


def _now() -> datetime:
    return datetime.now(UTC)  # the stack's clock: it moves with POST /_local/schedule, as the signer's does


# ---------------------------------------------------------------------------------------------- POST
def _policy_bucket(policy_b64: str) -> str:
    """The bucket a POST policy names (CloudFront's origin decides it deployed; the policy must agree)."""
    try:
        conditions = json.loads(base64.b64decode(policy_b64)).get("conditions", [])
    except (ValueError, TypeError, AttributeError) as exc:
        raise S3Refusal(400, "InvalidPolicyDocument", "The policy can't be read.") from exc
    named = [c["bucket"] for c in conditions if isinstance(c, dict) and "bucket" in c]
    if len(named) != 1:
        raise S3Refusal(400, "InvalidPolicyDocument", "The policy names no bucket.")
    return str(named[0])


def _post(request: Request, bucket: str) -> Response:
    form = request.form
    upload = request.files.get("file")
    if upload is None:
        raise S3Refusal(400, "InvalidArgument", "POST requires exactly one file upload per request.")
    policy_b64 = form.get("policy", "")
    credential = form.get("x-amz-credential", "")
    expected = hmac.new(_signing_key(credential.split("/")[1] if credential.count("/") >= 2 else ""),
                        policy_b64.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, form.get("x-amz-signature", "")):
        raise S3Refusal(403, "SignatureDoesNotMatch", "The request signature we calculated does not match.")
    try:
        policy = json.loads(base64.b64decode(policy_b64))
        expires = datetime.strptime(policy["expiration"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except (ValueError, KeyError, TypeError) as exc:
        raise S3Refusal(400, "InvalidPolicyDocument", "The policy can't be read.") from exc
    if _now() > expires:
        raise S3Refusal(403, "AccessDenied", "Invalid according to Policy: Policy expired.")
    body = upload.read()
    fields = {"bucket": bucket, **{k.lower(): v for k, v in form.items()}}
    for condition in policy.get("conditions", []):
        _check_condition(condition, fields, len(body))
    content_type = form.get("Content-Type") or upload.mimetype or "binary/octet-stream"
    boto3.client("s3", region_name=REGION).put_object(
        Bucket=bucket, Key=form["key"], Body=body, ContentType=content_type
    )
    return Response(status=204)


def _check_condition(condition: Any, fields: dict[str, str], size: int) -> None:
    if isinstance(condition, dict):
        (name, value), = condition.items()
        condition = ["eq", f"${name}", value]
    operator, *rest = condition
    if operator == "content-length-range":
        low, high = int(rest[0]), int(rest[1])
        if size > high:
            raise S3Refusal(400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size.")
        if size < low:
            raise S3Refusal(400, "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed size.")
        return
    name, value = str(rest[0]).lstrip("$").lower(), str(rest[1])
    given = fields.get(name, "")
    held = given == value if operator == "eq" else given.startswith(value) if operator == "starts-with" else False
    if not held:
        raise S3Refusal(403, "AccessDenied", f"Invalid according to Policy: Policy Condition failed: {condition}")


# ---------------------------------------------------------------------------------------------- GET
def _get(request: Request, bucket: str, key: str) -> Response:
    query = request.args
    try:
        signed_at = datetime.strptime(query["X-Amz-Date"], AMZ_DATE).replace(tzinfo=UTC)
        lifetime = int(query["X-Amz-Expires"])
        credential = query["X-Amz-Credential"]
        signature = query["X-Amz-Signature"]
    except (KeyError, ValueError) as exc:
        raise S3Refusal(403, "AccessDenied", "Query-string authentication requires a signed link.") from exc
    canonical_query = "&".join(
        f"{_encode(k)}={_encode(v)}" for k, v in sorted((k, v) for k, v in query.items(multi=True)
                                                        if k != "X-Amz-Signature")
    )
    canonical = "\n".join([
        request.method if request.method != "HEAD" else "GET", quote(request.path, safe="/-_.~"), canonical_query,
        f"host:{request.host}\n", "host", "UNSIGNED-PAYLOAD",
    ])
    scope = credential.split("/", 1)[1] if "/" in credential else ""
    digest = hashlib.sha256(canonical.encode()).hexdigest()
    to_sign = "\n".join(["AWS4-HMAC-SHA256", query["X-Amz-Date"], scope, digest])
    expected = hmac.new(_signing_key(scope.split("/")[0]), to_sign.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, signature):
        raise S3Refusal(403, "SignatureDoesNotMatch", "The request signature we calculated does not match.")
    if _now() > signed_at + timedelta(seconds=lifetime):
        raise S3Refusal(403, "AccessDenied", "Request has expired")
    try:
        found = boto3.client("s3", region_name=REGION).get_object(Bucket=bucket, Key=key)
    except ClientError as exc:
        raise S3Refusal(404, "NoSuchKey", "The specified key does not exist.") from exc
    response = Response(found["Body"].read() if request.method == "GET" else b"", status=200)
    response.headers["Content-Type"] = found.get("ContentType") or "binary/octet-stream"
    for parameter, header in OVERRIDES.items():
        if parameter in query:
            response.headers[header] = query[parameter]
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _encode(value: str) -> str:
    return quote(value, safe="-_.~")


def _error(refused: S3Refusal) -> Response:
    xml = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{refused.code}</Code>'
           f"<Message>{refused.message}</Message></Error>")
    return Response(xml, status=refused.status, mimetype="application/xml")
