"""What template.yaml promises about attachments: a private, encrypted bucket that only the API and inbound
functions touch, uploads from the pages through the site's own origin (/_upload, so the site's connect-src
stays 'self'), and a CloudFront Function that lets nothing but a POST reach the bucket that way."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from infra.local.template import load_yaml

DOC = load_yaml(Path(__file__).resolve().parents[2] / "template.yaml")
RESOURCES: dict[str, Any] = DOC["Resources"]
NODE = shutil.which("node")


def props(name: str) -> dict[str, Any]:
    return RESOURCES[name].get("Properties") or {}


def test_uploads_go_through_the_site_to_the_bucket_by_their_signed_policy_alone() -> None:
    config = props("SiteDistribution")["DistributionConfig"]
    behaviour = next(b for b in config["CacheBehaviors"] if b["PathPattern"] == "/_upload")
    origin = next(o for o in config["Origins"] if o["Id"] == behaviour["TargetOriginId"])
    assert origin["DomainName"] == {"Fn::GetAtt": ["AttachmentsBucket", "RegionalDomainName"]}
    assert "OriginAccessControlId" not in origin  # CloudFront signs nothing: S3 checks the form's policy
    assert behaviour["ViewerProtocolPolicy"] == "https-only"
    assert behaviour["CachePolicyId"] == "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"  # CachingDisabled
    assert [f["FunctionARN"] for f in behaviour["FunctionAssociations"]] == [
        {"Fn::GetAtt": ["UploadPathFunction", "FunctionARN"]}
    ]
    api_env = props("ApiFunction")["Environment"]["Variables"]
    assert api_env["BLOB_UPLOAD_URL"] == {"Fn::Sub": "${SiteUrl}/_upload"}
    assert api_env["ATTACHMENTS_BUCKET"] == {"Ref": "AttachmentsBucket"}


def test_only_the_api_and_inbound_functions_reach_the_bucket_and_each_only_its_folders() -> None:
    reaching = {}
    for name, resource in RESOURCES.items():
        if resource["Type"] != "AWS::Serverless::Function":
            continue
        for policy in props(name).get("Policies") or []:
            for statement in policy.get("Statement", []) if isinstance(policy, dict) else []:
                given = statement["Resource"]
                for resource_arn in given if isinstance(given, list) else [given]:
                    if "AttachmentsBucket" in json.dumps(resource_arn):
                        reaching.setdefault(name, set()).add(resource_arn["Fn::Sub"])
    assert set(reaching) == {"ApiFunction", "InboundFunction"}
    assert {"${AttachmentsBucket.Arn}/pending/*", "${AttachmentsBucket.Arn}/files/*"} <= reaching["ApiFunction"]
    assert reaching["InboundFunction"] == {"${AttachmentsBucket.Arn}/files/*"}
    for granted in reaching["ApiFunction"]:  # each grant one folder (the help center keeps its images in another)
        assert granted.startswith("${AttachmentsBucket.Arn}/") and granted.count("/") == 2 and granted.endswith("/*")
        assert granted != "${AttachmentsBucket.Arn}/*"
    rules = props("AttachmentsBucket")["LifecycleConfiguration"]["Rules"]
    assert any(r.get("Prefix") == "pending/" and r.get("ExpirationInDays") == 1 for r in rules)
    encryption = props("AttachmentsBucket")["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
    assert encryption["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"


@pytest.mark.skipif(NODE is None, reason="node runs the CloudFront Function's JavaScript")
def test_the_upload_path_lets_only_a_post_through_to_the_buckets_root() -> None:
    code = props("UploadPathFunction")["FunctionCode"]
    requests = [
        {"method": "POST", "uri": "/_upload", "querystring": {"uploads": {"value": ""}}},
        {"method": "GET", "uri": "/_upload", "querystring": {}},
        {"method": "PUT", "uri": "/_upload", "querystring": {}},
    ]
    script = f"{code}\nconsole.log(JSON.stringify({json.dumps(requests)}.map(r => handler({{request: r}}))));"
    done = subprocess.run([NODE or "node", "-e", script], capture_output=True, text=True, check=True, timeout=30)  # noqa: S603
    post, get, put = json.loads(done.stdout)
    assert (post["uri"], post["querystring"]) == ("/", {})  # POST Object, never a multipart-upload API
    assert get["statusCode"] == put["statusCode"] == 405
