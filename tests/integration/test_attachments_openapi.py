"""The attachment routes' two request bodies are in the published contract: a multipart form with one `file`,
or JSON `{filename, size}` for an upload (the routes read the body themselves, so Powertools can't see it)."""

from __future__ import annotations

import pytest

from infra.local.engine import LocalStack


@pytest.mark.parametrize("path", ["/api/tickets/{ticket_id}/attachments", "/api/agent/tickets/{ticket_id}/attachments"])
def test_both_bodies_of_an_attachment_are_documented(stack: LocalStack, path: str) -> None:
    document = stack.http("GET", "/api/openapi.json").json()
    body = document["paths"][path]["post"]["requestBody"]
    assert body["required"] is True
    form = body["content"]["multipart/form-data"]["schema"]
    assert form["required"] == ["file"]
    assert form["properties"]["file"]["format"] == "binary"
    upload = body["content"]["application/json"]["schema"]
    assert upload["required"] == ["filename", "size"]
    assert upload["additionalProperties"] is False
    assert upload["properties"]["size"]["minimum"] == 1
    created = document["paths"][path]["post"]["responses"]["201"]["content"]["application/json"]["schema"]
    assert sorted(choice["$ref"] for choice in created["anyOf"]) == [
        "#/components/schemas/AttachmentView", "#/components/schemas/StartedUpload"
    ]
    assert "413" in document["paths"][path]["post"]["responses"]  # a route with a body says it can be too large
