"""Which route modules a request loads: the ticket form's path loads the form's routes alone, and every path
still gets every route that could match it (checked against the resolver's own route table)."""

from __future__ import annotations

import pytest
from route_areas import ROUTE_MODULES, in_area


def loaded_for(path: str) -> list[str]:
    return [module for module, areas in ROUTE_MODULES if any(in_area(area, path) for area in areas)]


def test_the_ticket_form_loads_only_the_forms_routes() -> None:
    assert loaded_for("/api/tickets") == ["routes.helpdesk.tickets"]
    assert loaded_for("/api/tickets/options") == ["routes.helpdesk.tickets", "routes.helpdesk.ticket"]


@pytest.mark.parametrize(("path", "expected"), [
    ("/api/tickets/" + "a" * 32, ["routes.helpdesk.ticket"]),
    ("/api/tickets/" + "a" * 32 + "/messages", ["routes.helpdesk.ticket"]),
    ("/api/tickets/" + "a" * 32 + "/feedback", ["routes.helpdesk.ticket_feedback"]),
    ("/api/tickets/" + "a" * 32 + "/link", ["routes.helpdesk.ticket_links"]),
    ("/api/tickets/" + "a" * 32 + "/attachments", ["routes.helpdesk.attachments"]),
    ("/api/tickets/" + "a" * 32 + "/attachments/" + "b" * 32 + "/complete", ["routes.helpdesk.attachments"]),
])
def test_a_tickets_page_loads_the_routes_of_its_path(path: str, expected: list[str]) -> None:
    assert loaded_for(path) == expected


def test_an_area_is_a_whole_segment_or_a_shape() -> None:
    assert in_area("agent", "/api/agent/tickets/x/actions") and not in_area("agent", "/api/agents")
    assert in_area("/tickets/*/attachments/**", "/api/tickets/x/attachments")
    assert not in_area("/tickets/*", "/api/tickets") and not in_area("/tickets/*", "/api/tickets/x/y")
    assert not in_area("/tickets/options", "/api/tickets/<ticket_id>", rule=True)  # a parameter isn't "options"
    assert in_area("/tickets/*", "/api/tickets/<ticket_id>", rule=True)
    assert not in_area("/tickets", "/elsewhere/tickets")
