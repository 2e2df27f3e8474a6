"""What a customer may send to open a ticket (the numbers they get back: tests/integration/test_ticket_numbers.py)."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError
from routes.helpdesk.tickets import NewTicket

from tests.support.helpdesk import VALID_TICKET


def errors_for(**overrides: Any) -> dict[str, str]:
    """Validate the form with some fields replaced (None removes a field); field -> error type."""
    data = {**VALID_TICKET, **overrides}
    data = {k: v for k, v in data.items() if v is not None}
    with pytest.raises(ValidationError) as caught:
        NewTicket.model_validate(data)
    return {".".join(str(p) for p in e["loc"]): e["type"] for e in caught.value.errors()}


def test_a_complete_form_is_accepted_with_normal_priority() -> None:
    ticket = NewTicket.model_validate(VALID_TICKET)

    assert ticket.priority == "normal"
    assert ticket.category == "billing"
    assert ticket.email == "maya@example.com"


@pytest.mark.parametrize("email", ["maya.example.com", "maya@example", "maya @example.com", "<maya@example.com>",
                                   "maya@example.com, eve@evil.example", "maya@@example.com", "@example.com",
                                   "maya@example.c", "maya@example.com\nBcc: eve@evil.example", ""])
def test_an_invalid_email_is_refused(email: str) -> None:
    assert "email" in errors_for(email=email)


def test_email_is_stored_lowercase_and_trimmed() -> None:
    assert NewTicket.model_validate({**VALID_TICKET, "email": "  Maya@Example.COM "}).email == "maya@example.com"


@pytest.mark.parametrize("category", ["refunds", "Billing", "", "billing\u200b"])
def test_an_unknown_category_is_refused(category: str) -> None:
    assert "category" in errors_for(category=category)


@pytest.mark.parametrize("priority", ["asap", "URGENT", "", 3])
def test_an_unknown_priority_is_refused(priority: object) -> None:
    assert "priority" in errors_for(priority=priority)


@pytest.mark.parametrize("priority", ["low", "normal", "high", "urgent"])
def test_every_documented_priority_is_accepted(priority: str) -> None:
    assert NewTicket.model_validate({**VALID_TICKET, "priority": priority}).priority == priority


@pytest.mark.parametrize(("field", "limit"), [("name", 120), ("subject", 200), ("description", 20_000)])
def test_fields_have_a_maximum_length(field: str, limit: int) -> None:
    NewTicket.model_validate({**VALID_TICKET, field: "x" * limit})
    assert errors_for(**{field: "x" * (limit + 1)}) == {field: "string_too_long"}


def test_an_email_longer_than_254_characters_is_refused() -> None:
    assert "email" in errors_for(email="a" * 243 + "@example.com")


@pytest.mark.parametrize("field", ["name", "email", "subject", "description", "category"])
def test_required_fields_must_be_present(field: str) -> None:
    assert errors_for(**{field: None}) == {field: "missing"}


@pytest.mark.parametrize("field", ["name", "subject", "description"])
def test_blank_text_counts_as_missing(field: str) -> None:
    assert field in errors_for(**{field: " \n\t "})


@pytest.mark.parametrize("field", ["name", "subject", "description"])
@pytest.mark.parametrize("char", ["\x00", "\x07", "\x1b", "\x08"], ids=["NUL", "BEL", "ESC", "BS"])
def test_control_characters_are_refused(field: str, char: str) -> None:
    assert field in errors_for(**{field: f"Hello{char}[31m world"})


@pytest.mark.parametrize("char", ["\x7f", "\x9b"], ids=["DEL", "C1-CSI"])
def test_delete_and_c1_control_characters_are_refused_too(char: str) -> None:
    """DEL and the C1 block (U+0080-U+009F, e.g. the 8-bit terminal escape CSI) are control characters too."""
    accepted = []
    for field in ("name", "subject", "description"):
        try:
            NewTicket.model_validate({**VALID_TICKET, field: f"Hello{char}31m world"})
        except ValidationError:
            continue
        accepted.append(field)
    assert accepted == [], f"{char!r} was accepted in: {', '.join(accepted)}"


def test_fields_the_form_does_not_have_are_refused() -> None:
    assert errors_for(status="resolved", agent_id="a1") == {"status": "extra_forbidden", "agent_id": "extra_forbidden"}


@pytest.mark.parametrize("field", ["name", "subject"])
def test_whitespace_in_one_line_fields_is_collapsed(field: str) -> None:
    ticket = NewTicket.model_validate({**VALID_TICKET, field: "  Charged\r\n twice\t\tfor\u2028March  "})

    assert getattr(ticket, field) == "Charged twice for March"


def test_description_keeps_its_line_breaks() -> None:
    text = "First line.\n\nSecond paragraph:\n  - item"
    assert NewTicket.model_validate({**VALID_TICKET, "description": text}).description == text
