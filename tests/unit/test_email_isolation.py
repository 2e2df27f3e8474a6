"""What people typed is isolated in the HTML of every ticket email, as on the pages: a right-to-left override
kept from before input refused them can't reorder the address or the words beside it."""

from __future__ import annotations

import pytest
from pennydesk.helpdesk.ticket_records import Ticket
from pennydesk.platform.email.render import TEMPLATES, render

REVERSER = "\u202e"


def a_ticket() -> Ticket:
    return Ticket(
        pk="TICKET#abc123", sk="TICKET", ticket_id="abc123", number=1042, status="assigned",
        subject=f"invoice{REVERSER}fdp.exe", description="Please help", category="billing", priority="normal",
        customer_name=f"Eve{REVERSER}evE", customer_email="eve@example.com",
        created_at="2026-11-20T10:00:00Z", updated_at="2026-11-20T10:00:00Z",
    )


def test_the_confirmation_isolates_the_subject_and_the_name() -> None:
    html = render("ticket_confirmation", ticket=a_ticket(), status_url="https://desk.example.com/t", articles=[]).html

    assert f'<bdi dir="auto">invoice{REVERSER}fdp.exe</bdi>' in html
    assert f'<bdi dir="auto">Eve{REVERSER}evE</bdi>' in html


@pytest.mark.parametrize("template", sorted(p.name for p in TEMPLATES.glob("*.j2") if not p.name.startswith("_")))
def test_no_ticket_email_prints_the_subject_or_the_customer_bare_in_its_html(template: str) -> None:
    html_block = (TEMPLATES / template).read_text(encoding="utf-8").split("{% block html %}", 1)[-1]
    for field in ("ticket.subject", "ticket.customer_name", "ticket.customer_email"):
        for printed in html_block.split("{{")[1:]:
            expression = printed.split("}}", 1)[0]
            if expression.strip().split("|")[0].strip() == field:
                assert "bdi" in expression, f"{template}: {{{{{expression}}}}}"
