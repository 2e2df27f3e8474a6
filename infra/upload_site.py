"""Upload the static site to the deployed stack: `python -m infra.upload_site --stack-name pennydesk`.

Run after `sam deploy`. Reads the stack's outputs (SiteBucketName, SiteDistributionId, DistributionUrl), or
takes --bucket and --distribution-id when you may not read the stack; uploads every file under infra/site
with its Content-Type and Cache-Control, deletes objects the site no longer has, and asks CloudFront to drop
what it cached. Credentials and region come from the usual AWS sources (AWS_PROFILE, environment, ~/.aws),
or --profile/--region.
"""

from __future__ import annotations

import argparse
import mimetypes
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

SITE = Path(__file__).resolve().parent / "site"
REQUIRED_OUTPUTS = ("SiteBucketName", "SiteDistributionId")
# Pages are revalidated on every visit so a deploy shows at once; versioned vendor files never change;
# the site's own scripts and styles keep their names across deploys, so browsers recheck them soon.
CACHE_PAGES = "no-cache"
CACHE_VERSIONED = "public, max-age=31536000, immutable"
CACHE_ASSETS = "public, max-age=300"
TEXT_TYPES = {"text/html", "text/css", "text/javascript", "application/javascript", "text/markdown", "text/plain"}


class UploadError(Exception):
    """A problem the person running the upload can fix; printed without a traceback."""


@dataclass(frozen=True)
class SiteFile:
    key: str
    path: Path
    content_type: str
    cache_control: str


@dataclass(frozen=True)
class StackSite:
    bucket: str
    distribution_id: str
    distribution_url: str | None
    site_url_parameter: str | None


def site_files(root: Path = SITE) -> list[SiteFile]:
    """Every file of the site (dotfiles left out), keyed by its path under the site folder; pages last, so a
    visitor mid-upload never gets a new page that names a script or style not uploaded yet."""
    if not (root / "index.html").is_file():
        raise UploadError(f"{root} has no index.html: is this the site folder?")
    files = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        relative = path.relative_to(root)
        if any(part.startswith(".") for part in relative.parts):
            continue
        files.append(
            SiteFile(
                key=relative.as_posix(),
                path=path,
                content_type=content_type(path),
                cache_control=cache_control(relative.as_posix()),
            )
        )
    return sorted(files, key=lambda f: (f.key.endswith(".html"), f.key))


def content_type(path: Path) -> str:
    guessed = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if guessed == "text/javascript":
        guessed = "application/javascript"  # what the local server sends; ES modules accept either
    return f"{guessed}; charset=utf-8" if guessed in TEXT_TYPES else guessed


def cache_control(key: str) -> str:
    if key.endswith(".html"):
        return CACHE_PAGES
    if key.startswith("vendor/") and any(ch.isdigit() for ch in key.rsplit("/", 1)[-1]):
        return CACHE_VERSIONED
    return CACHE_ASSETS


def read_stack(cloudformation: Any, stack_name: str) -> StackSite:
    try:
        stacks = cloudformation.describe_stacks(StackName=stack_name)["Stacks"]
    except ClientError as exc:
        if "does not exist" in str(exc):
            raise UploadError(
                f"No stack named {stack_name!r} in this account and region: deploy first (sam deploy), "
                "or pass --stack-name/--region."
            ) from exc
        raise
    stack = stacks[0]
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs") or []}
    missing = [name for name in REQUIRED_OUTPUTS if not outputs.get(name)]
    if missing:
        raise UploadError(
            f"Stack {stack_name!r} has no {', '.join(missing)} output (status {stack.get('StackStatus')}): "
            "deploy this version of template.yaml first."
        )
    parameters = {p["ParameterKey"]: p.get("ParameterValue") for p in stack.get("Parameters") or []}
    return StackSite(
        bucket=outputs["SiteBucketName"],
        distribution_id=outputs["SiteDistributionId"],
        distribution_url=outputs.get("DistributionUrl"),
        site_url_parameter=parameters.get("SiteUrl"),
    )


def existing_keys(s3: Any, bucket: str) -> Iterator[str]:
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for item in page.get("Contents") or []:
            yield item["Key"]


def upload(
    s3: Any, cloudfront: Any, target: StackSite, files: list[SiteFile], out: Any = sys.stdout
) -> dict[str, Any]:
    """Put every file, delete the stale keys, invalidate the distribution; returns what was done."""
    for number, item in enumerate(files, 1):
        s3.put_object(
            Bucket=target.bucket,
            Key=item.key,
            Body=item.path.read_bytes(),
            ContentType=item.content_type,
            CacheControl=item.cache_control,
        )
        print(f"  [{number}/{len(files)}] {item.key}  ({item.content_type}; {item.cache_control})", file=out)
    wanted = {item.key for item in files}
    stale = sorted(set(existing_keys(s3, target.bucket)) - wanted)
    for start in range(0, len(stale), 1000):
        batch = stale[start : start + 1000]
        answer = s3.delete_objects(
            Bucket=target.bucket, Delete={"Objects": [{"Key": key} for key in batch], "Quiet": True}
        )
        if answer.get("Errors"):
            failed = ", ".join(f"{e['Key']} ({e.get('Code')})" for e in answer["Errors"])
            raise UploadError(f"Could not delete stale objects: {failed}")
    for key in stale:
        print(f"  deleted {key}", file=out)
    invalidation = cloudfront.create_invalidation(
        DistributionId=target.distribution_id,
        InvalidationBatch={
            "Paths": {"Quantity": 1, "Items": ["/*"]},
            "CallerReference": f"upload-site-{int(time.time())}-{uuid.uuid4().hex[:8]}",
        },
    )["Invalidation"]
    print(f"  invalidation {invalidation['Id']} ({invalidation['Status']}) for /*", file=out)
    return {"uploaded": len(files), "deleted": stale, "invalidation_id": invalidation["Id"]}


def main(argv: list[str] | None = None, out: Any = sys.stdout, err: Any = sys.stderr) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.upload_site", description=__doc__.splitlines()[0])
    target_args = parser.add_mutually_exclusive_group(required=True)
    target_args.add_argument("--stack-name", help="the stack `sam deploy` created (see samconfig.toml)")
    target_args.add_argument("--bucket", help="the site bucket, instead of reading it from the stack")
    parser.add_argument("--distribution-id", help="with --bucket: the distribution to invalidate")
    parser.add_argument("--region", help="the stack's region (default: your AWS configuration's)")
    parser.add_argument("--profile", help="an AWS named profile")
    parser.add_argument("--site-dir", type=Path, default=SITE, help="the folder to upload (default: infra/site)")
    args = parser.parse_args(argv)
    if bool(args.bucket) != bool(args.distribution_id):
        parser.error("--bucket and --distribution-id go together")
    try:
        files = site_files(args.site_dir)
        session = boto3.Session(profile_name=args.profile, region_name=args.region)
        if not session.region_name:
            raise UploadError("No region: pass --region or set AWS_REGION.")
        if args.stack_name:
            target = read_stack(session.client("cloudformation"), args.stack_name)
        else:
            target = StackSite(args.bucket, args.distribution_id, distribution_url=None, site_url_parameter=None)
        print(
            f"Uploading {len(files)} files from {args.site_dir} to s3://{target.bucket} "
            f"(distribution {target.distribution_id})",
            file=out,
        )
        done = upload(session.client("s3"), session.client("cloudfront"), target, files, out)
    except UploadError as exc:
        print(f"upload-site: {exc}", file=err)
        return 2
    except NoCredentialsError:
        print("upload-site: no AWS credentials found (set AWS_PROFILE or run `aws configure`).", file=err)
        return 2
    except ClientError as exc:
        error = exc.response.get("Error", {})
        print(f"upload-site: AWS refused {exc.operation_name}: {error.get('Code')}: {error.get('Message')}", file=err)
        return 1
    except BotoCoreError as exc:
        print(f"upload-site: {exc}", file=err)
        return 1
    print(
        f"Done: {done['uploaded']} uploaded, {len(done['deleted'])} deleted, "
        f"invalidation {done['invalidation_id']} (CloudFront takes a few minutes to finish it).",
        file=out,
    )
    if target.distribution_url:
        print(f"Site: {target.distribution_url}/", file=out)
    note = site_url_note(target)
    if note:
        print(note, file=out)
    return 0


def site_url_note(target: StackSite) -> str | None:
    """Emailed links use the SiteUrl parameter, which cannot name the distribution the same stack creates
    (the functions would depend on the distribution, which depends on the API, which depends on them)."""
    if not (target.distribution_url and target.site_url_parameter):
        return None
    if target.site_url_parameter == target.distribution_url:
        return None
    return (
        f"Note: emailed links use SiteUrl={target.site_url_parameter}. If that is not your own domain in front "
        f"of this distribution, deploy again with SiteUrl={target.distribution_url} "
        "(sam deploy --guided, or parameter_overrides in samconfig.toml)."
    )


if __name__ == "__main__":
    sys.exit(main())
