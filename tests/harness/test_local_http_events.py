"""The local stack hands the API function HTTP API events as AWS does: a body arrives as text only for the
content types AWS passes as text (text/*, application/json, application/xml, application/javascript), and
base64-encoded for every other type or none (checked against real HTTP APIs by ministack's maintainers,
ministackorg/ministack#766; AWS's docs say only "if the content type is binary")."""

from __future__ import annotations

import base64

import pytest

from infra.local.events import HttpRoute, http_event

ROUTE = HttpRoute(function=None, method="ANY", prefix="/api/")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "content_type",
    ["text/csv", "text/plain; charset=utf-8", "application/json", "application/xml", "application/javascript"],
)
def test_a_text_body_arrives_as_text(content_type: str) -> None:
    event = http_event("POST", "/api/x", "", {"content-type": content_type}, b"a,b\n1,2\n", "127.0.0.1", ROUTE)

    assert (event["body"], event["isBase64Encoded"]) == ("a,b\n1,2\n", False)


@pytest.mark.parametrize(
    "headers",
    [
        {"content-type": "application/octet-stream"},
        {"content-type": "application/vnd.ms-excel"},
        {"content-type": "application/x-www-form-urlencoded"},
        {"content-type": "multipart/form-data; boundary=x"},
        {},
    ],
)
def test_any_other_body_arrives_base64_encoded(headers: dict[str, str]) -> None:
    event = http_event("POST", "/api/x", "", headers, b"a,b\n1,2\n", "127.0.0.1", ROUTE)

    assert event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"]) == b"a,b\n1,2\n"


def test_a_text_type_whose_bytes_are_not_utf8_still_reaches_the_function_whole() -> None:
    event = http_event("POST", "/api/x", "", {"content-type": "text/csv"}, "Müller".encode("latin-1"), "::1", ROUTE)

    assert base64.b64decode(event["body"]) == "Müller".encode("latin-1")
