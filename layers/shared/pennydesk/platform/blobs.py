"""Files in a private S3 bucket: store, look at, read the first bytes of, move, delete, and hand out
short-lived links (a download that is always a file, an upload limited in size).

Thin over boto3 and decides nothing: the contexts say what a file may be. Links are signed with SigV4. The
local stack sets BLOB_PUBLIC_ENDPOINT to the address it serves S3's links at (a browser can't reach moto
in the stack's process); in AWS download links go to S3 itself and uploads through the site (BLOB_UPLOAD_URL).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache
from typing import Any

from botocore.config import Config
from botocore.exceptions import ClientError

from pennydesk.platform import botocore_models
from pennydesk.platform.settings import get_settings

LINK_SECONDS = 300


@dataclass(frozen=True)
class Head:
    size: int
    content_type: str


@dataclass(frozen=True)
class Upload:
    """Where a browser or a script POSTs the file (multipart/form-data: `fields`, then `file` last)."""

    url: str
    fields: dict[str, str]


@cache
def _s3() -> Any:
    return botocore_models.client("s3", region_name=get_settings().region, config=Config(signature_version="s3v4"))


def _signer() -> Any:
    return _signer_for(os.environ.get("BLOB_PUBLIC_ENDPOINT") or None)


@cache
def _signer_for(endpoint: str | None) -> Any:
    """The client that signs links: for the address the people holding them can reach."""
    style = "path" if endpoint else "virtual"
    return botocore_models.client(
        "s3", region_name=get_settings().region, endpoint_url=endpoint,
        config=Config(signature_version="s3v4", s3={"addressing_style": style}),
    )


def put(bucket: str, key: str, body: bytes, content_type: str) -> None:
    _s3().put_object(Bucket=bucket, Key=key, Body=body, ContentType=content_type)


def head(bucket: str, key: str) -> Head | None:
    """Its size and stored type, or None when there is no such object."""
    try:
        found = _s3().head_object(Bucket=bucket, Key=key)
    except ClientError as exc:
        # Without s3:ListBucket (no role has it) S3 answers a missing key with 403, not 404.
        if exc.response.get("Error", {}).get("Code") in ("403", "404", "NoSuchKey", "NotFound", "AccessDenied"):
            return None
        raise
    return Head(int(found["ContentLength"]), str(found.get("ContentType") or "application/octet-stream"))


def first_bytes(bucket: str, key: str, count: int) -> bytes:
    """The first `count` bytes (all of a smaller object): a ranged GET, the rest is never read."""
    found = _s3().get_object(Bucket=bucket, Key=key, Range=f"bytes=0-{count - 1}")
    return bytes(found["Body"].read())


def move(bucket: str, source: str, target: str, content_type: str) -> None:
    """Copy to `target` with this content type, then delete `source` (S3 has no rename)."""
    _s3().copy_object(
        Bucket=bucket, Key=target, CopySource={"Bucket": bucket, "Key": source},
        ContentType=content_type, MetadataDirective="REPLACE",
    )
    delete(bucket, source)


def delete(bucket: str, key: str) -> None:
    _s3().delete_object(Bucket=bucket, Key=key)


def download_url(
    bucket: str, key: str, *, content_type: str, disposition: str, seconds: int = LINK_SECONDS
) -> str:
    """A GET link that answers with this type and disposition whatever the object was stored with."""
    params = {
        "Bucket": bucket, "Key": key,
        "ResponseContentType": content_type, "ResponseContentDisposition": disposition,
    }
    return str(_signer().generate_presigned_url("get_object", Params=params, ExpiresIn=seconds))


def upload(bucket: str, key: str, *, max_bytes: int, seconds: int = LINK_SECONDS) -> Upload:
    """A presigned POST for exactly `key`, refused by S3 past `max_bytes` or after `seconds`. BLOB_UPLOAD_URL,
    when set, is where the form goes instead of S3's own address (the site's /_upload, which its CloudFront
    forwards to the bucket): the policy's signature does not name a host."""
    posted = _signer().generate_presigned_post(
        bucket, key, Conditions=[["content-length-range", 1, max_bytes]], ExpiresIn=seconds
    )
    url = os.environ.get("BLOB_UPLOAD_URL") or str(posted["url"])
    return Upload(url=url, fields={str(k): str(v) for k, v in posted["fields"].items()})
