"""The API's edges: wrong methods, unknown paths, the published contract and what the form offers."""

from __future__ import annotations

import pytest

from infra.local.engine import LocalStack
from infra.local.template import load_yaml
from tests.support.records import stored_items


def test_wrong_method_on_tickets_is_405_naming_post(stack: LocalStack, subtests: pytest.Subtests) -> None:
    for method in ("GET", "PUT", "DELETE", "PATCH", "BREW"):
        with subtests.test(method):
            response = stack.http(method, "/api/tickets")

            assert response.status == 405
            assert response.headers["allow"] == "POST"
            assert response.json()["message"]
    assert stored_items() == []


def test_wrong_method_on_options_is_405_naming_get(stack: LocalStack) -> None:
    response = stack.http("POST", "/api/tickets/options", json_body={})

    assert response.status == 405
    assert "GET" in response.headers["allow"]


def test_unknown_path_is_a_json_404(stack: LocalStack, subtests: pytest.Subtests) -> None:
    for path in ("/api/nope", "/api/tickets/options/extra", "/api/ticket"):
        with subtests.test(path):
            response = stack.http("GET", path)

            assert response.status == 404
            assert response.headers["content-type"].startswith("application/json")
            assert response.json()["code"] == "not_found"


def test_openapi_document_describes_ticket_intake(stack: LocalStack) -> None:
    response = stack.http("GET", "/api/openapi.json")

    assert response.status == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    assert document["info"]["title"]
    intake = document["paths"]["/api/tickets"]["post"]
    assert "201" in intake["responses"]
    assert "requestBody" in intake
    assert "idempotency-key" in [p["name"].lower() for p in intake.get("parameters", [])]
    assert "/api/tickets/options" in document["paths"]


def test_api_docs_page_is_html(stack: LocalStack) -> None:
    response = stack.http("GET", "/api/docs")

    assert response.status == 200
    assert response.headers["content-type"].startswith("text/html")
    assert b"<html" in response.body.lower()


def test_form_offers_the_configured_categories_and_the_four_priorities(stack: LocalStack) -> None:
    configured = load_yaml(stack.root / "template.yaml")["Parameters"]["TicketCategories"]["Default"].split(",")

    response = stack.http("GET", "/api/tickets/options")

    assert response.status == 200
    options = response.json()
    assert [c["value"] for c in options["categories"]] == configured
    assert all(c["label"] for c in options["categories"])
    assert [p["value"] for p in options["priorities"]] == ["low", "normal", "high", "urgent"]
