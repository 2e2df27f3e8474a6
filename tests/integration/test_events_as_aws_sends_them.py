"""The API function reads events as API Gateway's HTTP API sends them, starting from AWS's own published
sample: with a named stage the raw path starts with /<stage>/, and a body of a type that is not text arrives
base64-encoded."""

from __future__ import annotations

import json
from typing import Any

import pytest

from infra.local.engine import LocalStack
from tests.support.aws_events import http_api_event
from tests.support.identity import sign_in


def as_aws_sends(
    stack: LocalStack, method: str, path: str, *, stage: str = "$default", headers: dict[str, str] | None = None,
    body: bytes | None = None, binary: bool = False,
) -> dict[str, Any]:
    """AWS's sample event for this request, with what the site's CloudFront adds to its headers."""
    headers = {**stack.cloudfront_headers("203.0.113.9"), **(headers or {})}
    return http_api_event(method, path, stage=stage, headers=headers, body=body, binary=binary)


def csv_of(size: int) -> bytes:
    row = b"2026-11-03,-12.50,Groceries,Corner shop\n"  # money going out, as a bank writes it
    return b"date,amount,category,payee\n" + row * (size // len(row))


@pytest.mark.parametrize("stage", ["$default", "prod"])
def test_the_openapi_document_is_served_whatever_the_stage(stack: LocalStack, stage: str) -> None:
    answer = stack.invoke("ApiFunction", as_aws_sends(stack, "GET", "/api/openapi.json", stage=stage))

    assert answer["statusCode"] == 200
    assert json.loads(answer["body"])["openapi"].startswith("3.")


@pytest.mark.parametrize("stage", ["$default", "prod"])
def test_a_100_kb_csv_import_is_judged_by_the_import_route_s_own_limit_whatever_the_stage(
    stack: LocalStack, stage: str
) -> None:
    session = sign_in(stack, "stage@example.com")
    headers = {"authorization": f"Bearer {session}", "content-type": "text/csv"}

    event = as_aws_sends(stack, "POST", "/api/expenses/import", stage=stage, headers=headers, body=csv_of(100_000))

    answer = stack.invoke("ApiFunction", event)

    assert answer["statusCode"] == 200, answer["body"][:300]
    assert json.loads(answer["body"])["imported"] > 2000


@pytest.mark.parametrize("content_type", ["application/vnd.ms-excel", "application/octet-stream"])
def test_a_csv_file_sent_with_the_type_windows_gives_it_arrives_base64_and_is_imported(
    stack: LocalStack, content_type: str
) -> None:
    session = sign_in(stack, "windows@example.com")
    headers = {"authorization": f"Bearer {session}", "content-type": content_type}

    event = as_aws_sends(stack, "POST", "/api/expenses/import", headers=headers, body=csv_of(5_000), binary=True)

    answer = stack.invoke("ApiFunction", event)

    assert answer["statusCode"] == 200, answer["body"][:300]
    assert json.loads(answer["body"])["imported"] > 100
