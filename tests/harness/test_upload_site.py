"""`make upload-site` against moto: a real bucket, a real distribution, a real invalidation.

The upload itself runs through main() with --bucket and --distribution-id against moto's S3 and CloudFront.
Reading the stack's outputs is tested on a botocore Stubber (which checks requests and answers against
CloudFormation's service model): moto's CloudFormation needs openapi-spec-validator, which the project
does not install.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from infra.local.engine import REGION
from infra.local.template import load_yaml
from infra.upload_site import SITE, StackSite, UploadError, main, read_stack, site_url_note

ROOT = Path(__file__).resolve().parents[2]
STACK = "pennydesk-test"
BUCKET = "pennydesk-test-sitebucket-1a2b3c"
DISTRIBUTION_URL = "https://d111111abcdef8.cloudfront.net"


@dataclass
class Deployed:
    bucket: str
    distribution_id: str


def run(deployed: Deployed, *args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    argv = ["--bucket", deployed.bucket, "--distribution-id", deployed.distribution_id, "--region", REGION]
    code = main([*argv, *args], out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def create_distribution() -> str:
    cloudfront = boto3.client("cloudfront", region_name=REGION)
    origin = {"Id": "site", "DomainName": f"{BUCKET}.s3.amazonaws.com", "S3OriginConfig": {"OriginAccessIdentity": ""}}
    return cloudfront.create_distribution(
        DistributionConfig={
            "CallerReference": "upload-site-test",
            "Comment": "test",
            "Enabled": True,
            "Origins": {"Quantity": 1, "Items": [origin]},
            "DefaultCacheBehavior": {"TargetOriginId": "site", "ViewerProtocolPolicy": "redirect-to-https"},
        }
    )["Distribution"]["Id"]


@pytest.fixture
def deployed() -> Iterator[Deployed]:
    with mock_aws():
        boto3.client("s3", region_name=REGION).create_bucket(Bucket=BUCKET)
        yield Deployed(bucket=BUCKET, distribution_id=create_distribution())


def stubbed_cloudformation(answer: dict[str, Any] | None = None, error: str | None = None) -> Any:
    client = boto3.client("cloudformation", region_name=REGION)
    stubber = Stubber(client)
    if error:
        stubber.add_client_error(
            "describe_stacks",
            service_error_code="ValidationError",
            service_message=error,
            http_status_code=400,
            expected_params={"StackName": STACK},
        )
    else:
        stubber.add_response("describe_stacks", answer or {}, {"StackName": STACK})
    stubber.activate()
    return client


def stack_answer(outputs: dict[str, str], site_url: str) -> dict[str, Any]:
    return {
        "Stacks": [
            {
                "StackName": STACK,
                "StackStatus": "UPDATE_COMPLETE",
                "CreationTime": "2026-11-22T10:00:00Z",
                "Parameters": [{"ParameterKey": "SiteUrl", "ParameterValue": site_url}],
                "Outputs": [{"OutputKey": k, "OutputValue": v} for k, v in outputs.items()],
            }
        ]
    }


def site_paths() -> set[str]:
    return {p.relative_to(SITE).as_posix() for p in SITE.rglob("*") if p.is_file()}


def test_every_site_file_is_uploaded_byte_for_byte_with_its_type_and_cache_policy(deployed: Deployed) -> None:
    code, out, err = run(deployed)
    assert code == 0, err
    s3 = boto3.client("s3", region_name=REGION)
    keys = {o["Key"] for o in s3.list_objects_v2(Bucket=deployed.bucket)["Contents"]}
    assert keys == site_paths()
    expected = {
        "index.html": ("text/html; charset=utf-8", "no-cache"),
        "agent/index.html": ("text/html; charset=utf-8", "no-cache"),
        "styles.css": ("text/css; charset=utf-8", "public, max-age=300"),
        "js/api.js": ("application/javascript; charset=utf-8", "public, max-age=300"),
        "vendor/chart-4.6.1.umd.min.js": (
            "application/javascript; charset=utf-8",
            "public, max-age=31536000, immutable",
        ),
    }
    for key, (content_type, cache_control) in expected.items():
        stored = s3.get_object(Bucket=deployed.bucket, Key=key)
        assert (stored["ContentType"], stored["CacheControl"]) == (content_type, cache_control), key
        assert stored["Body"].read() == (SITE / key).read_bytes(), key
    assert f"Done: {len(keys)} uploaded, 0 deleted" in out


def test_objects_the_site_no_longer_has_are_deleted_and_the_rest_kept(deployed: Deployed) -> None:
    s3 = boto3.client("s3", region_name=REGION)
    for stale in ("old-page.html", "agent/retired.html", "js/removed.js"):
        s3.put_object(Bucket=deployed.bucket, Key=stale, Body=b"gone soon")
    code, out, err = run(deployed)
    assert code == 0, err
    keys = {o["Key"] for o in s3.list_objects_v2(Bucket=deployed.bucket)["Contents"]}
    assert keys == site_paths()
    for stale in ("old-page.html", "agent/retired.html", "js/removed.js"):
        assert f"deleted {stale}" in out


def test_cloudfront_is_told_to_drop_everything_it_cached(deployed: Deployed) -> None:
    code, out, err = run(deployed)
    assert code == 0, err
    cloudfront = boto3.client("cloudfront", region_name=REGION)
    listed = cloudfront.list_invalidations(DistributionId=deployed.distribution_id)["InvalidationList"]
    assert listed["Quantity"] == 1
    invalidation_id = listed["Items"][0]["Id"]
    paths = cloudfront.get_invalidation(DistributionId=deployed.distribution_id, Id=invalidation_id)[
        "Invalidation"
    ]["InvalidationBatch"]["Paths"]
    assert paths["Items"] == ["/*"]
    assert f"invalidation {invalidation_id}" in out


def test_a_second_upload_changes_nothing_it_need_not(deployed: Deployed) -> None:
    assert run(deployed)[0] == 0
    code, out, err = run(deployed)
    assert code == 0, err
    assert ", 0 deleted" in out
    s3 = boto3.client("s3", region_name=REGION)
    assert {o["Key"] for o in s3.list_objects_v2(Bucket=deployed.bucket)["Contents"]} == site_paths()


def test_the_stack_outputs_name_the_bucket_the_distribution_and_the_site() -> None:
    outputs = {"SiteBucketName": BUCKET, "SiteDistributionId": "E2EXAMPLE", "DistributionUrl": DISTRIBUTION_URL}
    client = stubbed_cloudformation(stack_answer(outputs, site_url=DISTRIBUTION_URL))
    assert read_stack(client, STACK) == StackSite(BUCKET, "E2EXAMPLE", DISTRIBUTION_URL, DISTRIBUTION_URL)


def test_a_missing_stack_is_a_clear_error() -> None:
    client = stubbed_cloudformation(error=f"Stack with id {STACK} does not exist")
    with pytest.raises(UploadError, match=f"No stack named '{STACK}'.*deploy first"):
        read_stack(client, STACK)


def test_a_stack_from_an_older_template_says_which_outputs_are_missing() -> None:
    client = stubbed_cloudformation(stack_answer({"ApiUrl": "https://example.com"}, site_url=DISTRIBUTION_URL))
    with pytest.raises(UploadError, match="has no SiteBucketName, SiteDistributionId output"):
        read_stack(client, STACK)


def test_a_site_url_other_than_the_distribution_is_pointed_out() -> None:
    placeholder = StackSite(BUCKET, "E2EXAMPLE", DISTRIBUTION_URL, "https://placeholder.invalid")
    note = site_url_note(placeholder)
    assert note is not None
    assert "emailed links use SiteUrl=https://placeholder.invalid" in note
    assert f"deploy again with SiteUrl={DISTRIBUTION_URL}" in note
    assert site_url_note(StackSite(BUCKET, "E2EXAMPLE", DISTRIBUTION_URL, DISTRIBUTION_URL)) is None


def test_bucket_without_distribution_is_refused_before_any_call(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--bucket", BUCKET, "--region", REGION])
    assert exit_info.value.code == 2
    assert "--bucket and --distribution-id go together" in capsys.readouterr().err


def test_a_refusal_from_aws_names_the_operation_and_its_reason(deployed: Deployed) -> None:
    boto3.client("s3", region_name=REGION).delete_bucket(Bucket=deployed.bucket)
    code, out, err = run(deployed)
    assert code == 1
    assert "AWS refused PutObject: NoSuchBucket" in err
    assert "Traceback" not in err + out


def test_the_deployed_template_declares_the_outputs_the_script_reads() -> None:
    outputs = load_yaml(ROOT / "template.yaml")["Outputs"]
    assert outputs["SiteBucketName"]["Value"] == {"Ref": "SiteBucket"}
    assert outputs["SiteDistributionId"]["Value"] == {"Ref": "SiteDistribution"}
    assert outputs["DistributionUrl"]["Value"] == {"Fn::Sub": "https://${SiteDistribution.DomainName}"}


def test_every_file_gets_the_content_type_the_local_server_sends() -> None:
    from infra.local.server import LocalServer
    from infra.upload_site import site_files

    local = LocalServer(stack=None)  # type: ignore[arg-type]  # static pages need no stack
    files = site_files()
    assert {f.key for f in files} == site_paths()
    for item in files:
        served = local.static("/" + item.key)
        assert served.status_code == 200, item.key
        assert item.content_type.split(";")[0] == served.mimetype, item.key


def test_pages_go_up_after_the_scripts_and_styles_they_name(deployed: Deployed) -> None:
    code, out, err = run(deployed)
    assert code == 0, err
    uploaded = re.findall(r"\] (\S+)  \(", out)
    assert set(uploaded) == site_paths()
    first_page = next(i for i, key in enumerate(uploaded) if key.endswith(".html"))
    assert all(key.endswith(".html") for key in uploaded[first_page:])
