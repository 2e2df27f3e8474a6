"""Deployed, the API sits behind CloudFront: its requests come from CloudFront's addresses, and its default
execute-api address is public. So the API answers only requests that carry the origin secret CloudFront adds,
and counts visitors by the address CloudFront saw (CloudFront-Viewer-Address), never by the edge's own."""

from __future__ import annotations

import json
from typing import Any

from infra.local.engine import LocalStack
from tests.support.aws_events import http_api_event

EDGE_IP = "130.176.0.7"  # one CloudFront edge, in front of many visitors


def sign_in_event(email: str, headers: dict[str, str]) -> dict[str, Any]:
    """AWS's sample HTTP API event, changed to a sign-in request that reached the API from an edge."""
    body = json.dumps({"email": email}).encode()
    return http_api_event("POST", "/api/auth/sign-in", headers={"content-type": "application/json", **headers},
                          body=body, source_ip=EDGE_IP)


def status(stack: LocalStack, event: dict[str, Any]) -> int:
    return int(stack.invoke("ApiFunction", event)["statusCode"])


def test_a_request_that_did_not_come_through_cloudfront_is_refused(stack: LocalStack) -> None:
    direct = stack.invoke("ApiFunction", sign_in_event("kim@example.com", {}))

    assert direct["statusCode"] == 403
    assert json.loads(direct["body"])["code"] == "not_through_site"
    forged = sign_in_event("kim@example.com", {"x-pennydesk-origin": "guess", "cloudfront-viewer-address": "1.2.3.4:1"})
    assert status(stack, forged) == 403
    stack.drain()
    assert stack.outbox() == []


def test_visitors_behind_one_edge_are_counted_apart_by_the_address_cloudfront_saw(stack: LocalStack) -> None:
    secret = stack.cloudfront_headers(EDGE_IP)["x-pennydesk-origin"]

    def from_visitor(address: str, i: int) -> int:
        headers = {"x-pennydesk-origin": secret, "cloudfront-viewer-address": address}
        return status(stack, sign_in_event(f"p{i}@example.com", headers))

    busy = [from_visitor("203.0.113.5:51000", i) for i in range(31)]

    assert busy[:30] == [202] * 30 and busy[30] == 429
    assert from_visitor("198.51.100.77:40100", 99) == 202  # another visitor behind the same edge
    assert from_visitor("[2001:db8:7:8::1]:443", 100) == 202


def test_the_local_stack_adds_what_cloudfront_adds(stack: LocalStack) -> None:
    assert stack.http("POST", "/api/auth/sign-in", json_body={"email": "kim@example.com"}).status == 202
