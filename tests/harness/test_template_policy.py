"""What template.yaml promises about data safety, monitoring and the site, checked over every resource.

Each check is generated from the resources the template declares, so a table, function or queue added
later is held to the same rules without touching this file.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from infra.local.template import load_yaml, security_headers

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "infra" / "site"
DOC = load_yaml(ROOT / "template.yaml")
RESOURCES: dict[str, dict[str, Any]] = DOC["Resources"]
# TTL deletes items for good; only records that are worthless after they expire may carry one.
TTL_ALLOWED = {"IdempotencyTable"}
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
ALL_VIEWER_EXCEPT_HOST_HEADER = "b689b0a8-53d0-40ab-baf2-68738e2966ac"


def of_type(kind: str) -> list[str]:
    return sorted(k for k, v in RESOURCES.items() if v["Type"] == kind)


def props(logical_id: str) -> dict[str, Any]:
    return RESOURCES[logical_id].get("Properties") or {}


def ref(value: Any) -> str | None:
    """The logical id a !Ref or !GetAtt points at."""
    if isinstance(value, dict) and "Ref" in value:
        return value["Ref"]
    if isinstance(value, dict) and "Fn::GetAtt" in value:
        return value["Fn::GetAtt"][0]
    return None


def alarms(metric: str, dimension: str, target: str) -> list[str]:
    """Alarms on `metric` whose `dimension` names the resource `target`."""
    return [
        name
        for name in of_type("AWS::CloudWatch::Alarm")
        if props(name)["MetricName"] == metric
        and any(d["Name"] == dimension and ref(d["Value"]) == target for d in props(name)["Dimensions"])
    ]


TABLES = of_type("AWS::DynamoDB::Table")
FUNCTIONS = of_type("AWS::Serverless::Function")
QUEUES = of_type("AWS::SQS::Queue")
BUCKETS = of_type("AWS::S3::Bucket")
STREAM_FUNCTIONS = [
    f for f in FUNCTIONS if any(e["Type"] == "DynamoDB" for e in (props(f).get("Events") or {}).values())
]


def test_the_template_declares_what_these_checks_cover() -> None:
    assert len(TABLES) >= 4 and len(FUNCTIONS) >= 5 and len(QUEUES) >= 3 and len(BUCKETS) >= 2
    assert STREAM_FUNCTIONS == ["SpendingStreamFunction", "TicketStreamFunction"]


@pytest.mark.parametrize("table", TABLES)
def test_every_table_survives_mistakes(table: str) -> None:
    spec = props(table)
    assert spec["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert spec["SSESpecification"]["SSEEnabled"] is True
    assert spec["DeletionProtectionEnabled"] is True
    assert RESOURCES[table]["DeletionPolicy"] == "Retain"
    assert RESOURCES[table]["UpdateReplacePolicy"] == "Retain"


@pytest.mark.parametrize("table", TABLES)
def test_only_throwaway_records_expire(table: str) -> None:
    ttl = props(table).get("TimeToLiveSpecification")
    if table in TTL_ALLOWED:
        assert ttl and ttl["Enabled"] is True
    else:
        assert ttl is None, f"{table} would lose data to TTL"


@pytest.mark.parametrize("function", FUNCTIONS)
def test_every_function_logs_to_a_group_with_retention(function: str) -> None:
    group = ref(props(function)["LoggingConfig"]["LogGroup"])
    assert group is not None and RESOURCES[group]["Type"] == "AWS::Logs::LogGroup"
    assert props(group)["RetentionInDays"] == {"Ref": "LogRetentionDays"}


@pytest.mark.parametrize("group", of_type("AWS::Logs::LogGroup"))
def test_no_log_group_keeps_logs_forever(group: str) -> None:
    assert "RetentionInDays" in props(group)


@pytest.mark.parametrize("function", FUNCTIONS)
@pytest.mark.parametrize("metric", ["Errors", "Throttles"])
def test_every_function_pages_on_errors_and_throttles(function: str, metric: str) -> None:
    found = alarms(metric, "FunctionName", function)
    assert len(found) == 1, f"{function} has no {metric} alarm"
    assert props(found[0])["Threshold"] == 1


@pytest.mark.parametrize("function", STREAM_FUNCTIONS)
def test_every_stream_function_has_an_iterator_age_alarm_and_a_failure_queue(function: str) -> None:
    assert alarms("IteratorAge", "FunctionName", function), f"{function} has no iterator-age alarm"
    for event in props(function)["Events"].values():
        if event["Type"] != "DynamoDB":
            continue
        on_failure = event["Properties"]["DestinationConfig"]["OnFailure"]
        queue = ref(on_failure["Destination"])
        assert on_failure["Type"] == "SQS" and queue in QUEUES
        assert alarms("ApproximateNumberOfMessagesVisible", "QueueName", queue), f"nobody hears about {queue}"


def dead_letter_queues() -> set[str]:
    targets = {ref(props(q)["RedrivePolicy"]["deadLetterTargetArn"]) for q in QUEUES if "RedrivePolicy" in props(q)}
    return {t for t in targets if t}


def test_every_dead_letter_queue_has_a_depth_alarm() -> None:
    assert dead_letter_queues() == {"WorkDeadLetterQueue"}
    for queue in dead_letter_queues():
        assert alarms("ApproximateNumberOfMessagesVisible", "QueueName", queue), f"nobody hears about {queue}"


@pytest.mark.parametrize("queue", QUEUES)
def test_every_queue_is_encrypted(queue: str) -> None:
    spec = props(queue)
    assert spec.get("SqsManagedSseEnabled") is True or spec.get("KmsMasterKeyId")


def test_the_api_pages_on_any_5xx() -> None:
    found = alarms("5xx", "ApiId", "HttpApi")
    assert len(found) == 1
    assert props(found[0])["Namespace"] == "AWS/ApiGateway"
    stage = next(d["Value"] for d in props(found[0])["Dimensions"] if d["Name"] == "Stage")
    assert stage == "$default"  # SAM's HttpApi stage when StageName is not set


@pytest.mark.parametrize("alarm", of_type("AWS::CloudWatch::Alarm"))
def test_every_alarm_notifies_the_alarm_topic(alarm: str) -> None:
    assert props(alarm)["AlarmActions"] == [{"Ref": "AlarmTopic"}]
    assert "docs/operations.md" in props(alarm)["AlarmDescription"]


def test_the_alarm_topic_is_encrypted_with_a_key_cloudwatch_may_use() -> None:
    key = ref(props("AlarmTopic")["KmsMasterKeyId"])
    assert key is not None and RESOURCES[key]["Type"] == "AWS::KMS::Key"
    assert props(key)["EnableKeyRotation"] is True
    statements = props(key)["KeyPolicy"]["Statement"]
    assert any(s["Principal"] == {"Service": "cloudwatch.amazonaws.com"} for s in statements)
    assert RESOURCES["AlarmEmailSubscription"]["Condition"] == "HasAlarmEmail"


@pytest.mark.parametrize("bucket", BUCKETS)
def test_every_bucket_is_private_encrypted_versioned_and_tls_only(bucket: str) -> None:
    spec = props(bucket)
    assert spec["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    assert spec["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"]
    assert spec["VersioningConfiguration"] == {"Status": "Enabled"}
    policies = [p for p in of_type("AWS::S3::BucketPolicy") if ref(props(p)["Bucket"]) == bucket]
    assert len(policies) == 1, f"{bucket} needs exactly one bucket policy"
    statements = props(policies[0])["PolicyDocument"]["Statement"]
    assert any(
        s["Effect"] == "Deny" and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}} for s in statements
    ), f"{bucket} accepts plain HTTP"


def test_the_site_bucket_and_the_distribution_log_their_access() -> None:
    assert ref(props("SiteBucket")["LoggingConfiguration"]["DestinationBucketName"]) == "AccessLogsBucket"
    assert ref(props("SiteDistribution")["DistributionConfig"]["Logging"]["Bucket"]) == "AccessLogsBucket"
    rules = props("AccessLogsBucket")["LifecycleConfiguration"]["Rules"]
    assert any(r["Status"] == "Enabled" and r.get("ExpirationInDays") for r in rules), "logs kept forever"


def test_only_the_distribution_reads_the_site_bucket() -> None:
    statements = props("SiteBucketPolicy")["PolicyDocument"]["Statement"]
    allows = [s for s in statements if s["Effect"] == "Allow"]
    assert allows and all(s["Principal"] == {"Service": "cloudfront.amazonaws.com"} for s in allows)
    for statement in allows:
        source = statement["Condition"]["StringEquals"]["AWS:SourceArn"]["Fn::Sub"]
        assert source.endswith(":distribution/${SiteDistribution}")
    assert {s["Action"] for s in allows} == {"s3:GetObject", "s3:ListBucket"}


def distribution() -> dict[str, Any]:
    return props("SiteDistribution")["DistributionConfig"]


def test_the_site_is_served_from_s3_through_origin_access_control() -> None:
    config = distribution()
    site = next(o for o in config["Origins"] if o["Id"] == config["DefaultCacheBehavior"]["TargetOriginId"])
    assert ref(site["DomainName"]) == "SiteBucket"
    assert ref(site["OriginAccessControlId"]) == "SiteOriginAccessControl"
    assert site["S3OriginConfig"] == {"OriginAccessIdentity": ""}  # OAC, not the legacy OAI
    assert of_type("AWS::CloudFront::CloudFrontOriginAccessIdentity") == []
    assert config["DefaultRootObject"] == "index.html"
    default = config["DefaultCacheBehavior"]
    assert default["ViewerProtocolPolicy"] == "redirect-to-https"
    assert ref(default["ResponseHeadersPolicyId"]) == "SiteHeadersPolicy"
    assert [ref(f["FunctionARN"]) for f in default["FunctionAssociations"]] == ["SitePathsFunction"]


def test_api_paths_go_uncached_to_the_http_api_over_https_with_every_method() -> None:
    config = distribution()
    behaviours = {b["PathPattern"]: b for b in config["CacheBehaviors"]}
    api = behaviours["/api/*"]
    origin = next(o for o in config["Origins"] if o["Id"] == api["TargetOriginId"])
    assert origin["DomainName"]["Fn::Sub"].startswith("${HttpApi}.execute-api.")
    assert origin["CustomOriginConfig"]["OriginProtocolPolicy"] == "https-only"
    for pattern in ("/api/*", "/api/docs"):
        assert behaviours[pattern]["TargetOriginId"] == api["TargetOriginId"]
        assert behaviours[pattern]["ViewerProtocolPolicy"] == "https-only"
        assert behaviours[pattern]["CachePolicyId"] == CACHING_DISABLED
        assert behaviours[pattern]["OriginRequestPolicyId"] == ALL_VIEWER_EXCEPT_HOST_HEADER
    assert set(api["AllowedMethods"]) == {"GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"}
    # CloudFront takes the first matching pattern: the docs page must come before the catch-all.
    patterns = [b["PathPattern"] for b in config["CacheBehaviors"]]
    assert patterns.index("/api/docs") < patterns.index("/api/*")
    assert "CustomErrorResponses" not in config, "error pages would replace the API's JSON errors"


PAGES_AND_POLICIES = [
    ("SiteHeadersPolicy", "/agent/"),
    ("ApiHeadersPolicy", "/api/tickets/options"),
    ("ApiDocsHeadersPolicy", "/api/docs"),
]


@pytest.mark.parametrize(("policy", "path"), PAGES_AND_POLICIES)
def test_the_local_stack_sends_the_headers_cloudfront_sends(stack: Any, policy: str, path: str) -> None:
    from werkzeug.test import Client

    from infra.local.server import LocalServer

    expected = security_headers(DOC, policy)
    assert expected["Content-Security-Policy"]
    response = Client(LocalServer(stack)).get(path)
    assert response.status_code == 200, path
    assert {k: response.headers.get(k) for k in expected} == expected


def site_csp() -> dict[str, list[str]]:
    csp = props("SiteHeadersPolicy")["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]["ContentSecurityPolicy"]
    value = csp["ContentSecurityPolicy"]
    text = value["Fn::Sub"] if isinstance(value, dict) else value
    directives = [d.split() for d in text.split(";") if d.strip()]
    return {d[0]: d[1:] for d in directives}


# The one other host the site may load from: the attachments bucket, for articles' images (a redirect from
# /api/help/images/<id> to a five-minute link), and only as images.
ARTICLE_IMAGE_HOSTS = ["https://${AttachmentsBucket.DomainName}", "https://${AttachmentsBucket.RegionalDomainName}"]


def test_the_site_policy_allows_only_the_sites_own_files() -> None:
    csp = site_csp()
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"] and csp["style-src"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert [s for s in csp["img-src"] if s.startswith("http")] == ARTICLE_IMAGE_HOSTS
    for name, sources in csp.items():
        others = [s for s in sources if not (name == "img-src" and s in ARTICLE_IMAGE_HOSTS)]
        assert not any("unsafe" in s or s.startswith("http") or s == "*" or "$" in s for s in others)


PAGES = sorted(SITE.rglob("*.html"))


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(SITE).as_posix())
def test_no_page_needs_more_than_the_policy_allows(page: Path) -> None:
    """No inline script, style or handler, and nothing from another host: the strict policy is enough."""
    html = page.read_text(encoding="utf-8")
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html, re.I), "inline <script>"
    assert not re.search(r"<style\b", html, re.I), "inline <style>"
    assert not re.search(r"\sstyle\s*=", html, re.I), "style attribute"
    assert not re.search(r"\son[a-z]+\s*=", html, re.I), "inline event handler"
    assert not re.search(r"(src|href)\s*=\s*[\"']?(https?:)?//", html, re.I), "a file from another host"


NODE = shutil.which("node")


def rewrite(uris: list[str]) -> list[str]:
    """Run the CloudFront Function's code from the template on each viewer-request URI in node."""
    code = props("SitePathsFunction")["FunctionCode"]
    script = f"{code}\nconsole.log(JSON.stringify({json.dumps(uris)}.map(u => handler({{request: {{uri: u}}}}).uri)));"
    command = [NODE or "node", "-e", script]
    done = subprocess.run(command, capture_output=True, text=True, check=True, timeout=30)  # noqa: S603 (our own code)
    return json.loads(done.stdout)


@pytest.mark.skipif(NODE is None, reason="node runs the CloudFront Function's JavaScript")
def test_every_page_the_local_server_serves_resolves_on_cloudfront_too() -> None:
    from infra.local.server import LocalServer

    local = LocalServer(stack=None)  # type: ignore[arg-type]
    files = sorted(p.relative_to(SITE).as_posix() for p in SITE.rglob("*") if p.is_file())
    folders = sorted({"/" + p.parent.relative_to(SITE).as_posix() + "/" for p in SITE.rglob("index.html")})
    uris = ["/" + f for f in files] + [f.replace("/./", "/") for f in folders]
    assert "/agent/" in uris and "/spending/" in uris and "/" in uris
    for uri, key in zip(uris, rewrite(uris), strict=True):
        assert local.static(uri).status_code == 200, uri
        assert (SITE / key.lstrip("/")).is_file(), f"CloudFront would ask S3 for {key} for {uri}"


def test_the_signing_key_outlives_the_stack() -> None:
    """Deleting or replacing the stack's secret would cut every link already emailed."""
    for secret in of_type("AWS::SecretsManager::Secret"):
        assert RESOURCES[secret]["DeletionPolicy"] == "Retain"
        assert RESOURCES[secret]["UpdateReplacePolicy"] == "Retain"


def test_every_resource_type_is_run_locally_or_deliberately_left_to_aws() -> None:
    from infra.local.template import DEPLOY_ONLY_TYPES, LOCAL_TYPES

    assert not LOCAL_TYPES & DEPLOY_ONLY_TYPES
    undecided = {v["Type"] for v in RESOURCES.values()} - LOCAL_TYPES - DEPLOY_ONLY_TYPES
    assert not undecided, f"decide whether the local stack runs {sorted(undecided)} (infra/local/template.py)"


def test_a_site_on_its_own_domain_requires_tls_1_2_and_needs_its_certificate() -> None:
    config = distribution()
    own, default = config["ViewerCertificate"]["Fn::If"][1:]
    assert config["ViewerCertificate"]["Fn::If"][0] == "HasSiteDomain"
    assert own["MinimumProtocolVersion"] == "TLSv1.2_2021" and own["SslSupportMethod"] == "sni-only"
    assert own["AcmCertificateArn"] == {"Ref": "SiteCertificateArn"}
    assert default == {"CloudFrontDefaultCertificate": True}
    assert config["Aliases"]["Fn::If"][:2] == ["HasSiteDomain", [{"Ref": "SiteDomainName"}]]
    rule = DOC["Rules"]["SiteDomainNeedsACertificate"]
    assert rule["Assertions"][0]["Assert"] == {"Fn::Not": [{"Fn::Equals": [{"Ref": "SiteCertificateArn"}, ""]}]}


CERTIFICATE = "arn:aws:acm:us-east-1:123456789012:certificate/example"
REQUIRED_PARAMETERS = {"SenderEmail": "desk@example.com", "SiteUrl": "https://desk.example.com", "AdminEmails": ""}


# Every condition with the template's defaults (the local stack runs in us-east-1).
DEFAULT_CONDITIONS = {
    "HasSesIdentity": False, "HasAlarmEmail": False, "HasSiteDomain": False, "HasInboundDomain": False,
    "TracingOn": True, "HasWaf": False,
}


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({}, DEFAULT_CONDITIONS),
        (
            {"SesIdentity": "example.com", "AlarmEmail": "ops@example.com", "SiteDomainName": "desk.example.com"},
            {**DEFAULT_CONDITIONS, "HasSesIdentity": True, "HasAlarmEmail": True},
        ),
        (
            {"SiteDomainName": "desk.example.com", "SiteCertificateArn": CERTIFICATE},
            {**DEFAULT_CONDITIONS, "HasSiteDomain": True},
        ),
        ({"InboundDomain": "support.example.com"}, {**DEFAULT_CONDITIONS, "HasInboundDomain": True}),
        ({"Tracing": "off"}, {**DEFAULT_CONDITIONS, "TracingOn": False}),
        ({"WafRequestsPer5Minutes": "2000"}, {**DEFAULT_CONDITIONS, "HasWaf": True}),
    ],
)
def test_the_local_template_reader_evaluates_every_condition(
    overrides: dict[str, str], expected: dict[str, bool]
) -> None:
    from infra.local.template import Template

    template = Template.load(ROOT / "template.yaml", {**REQUIRED_PARAMETERS, **overrides})
    assert {name: template.condition(name) for name in DOC["Conditions"]} == expected
