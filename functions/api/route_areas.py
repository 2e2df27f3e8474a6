"""Which route module serves which paths, so a request imports only the routes of its own area.

A cold start for the ticket form (POST /api/tickets) or a link page loads the ticket routes alone, not the
admin report, the CSV importer or the spending reports. Every route of a module lives in the areas named for
it below (checked when the module is included), so including every module whose areas hold a path before
routing gives Powertools every route that could match that path (enough to route it, and to tell 404 from 405).
An area is a first path segment under /api (`tickets`: every path under it), or a path shape starting with
"/" whose segments are literal, `*` (any one segment) or, last, `**` (any number of segments): the ticket
form's path, /api/tickets, doesn't load the routes of one ticket's page, its attachments or its survey.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
    from aws_lambda_powertools.event_handler.api_gateway import Route

PREFIX = "/api"
# In this order the OpenAPI document lists the paths, as it always has: (route module, the areas under /api its
# routes use). A module's optional install(app) adds routes its router can't declare.
ROUTE_MODULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("routes.helpdesk.tickets", ("/tickets", "/tickets/options")),
    ("routes.helpdesk.ticket", ("/tickets/*", "/tickets/*/messages")),
    ("routes.helpdesk.ticket_feedback", ("/tickets/*/feedback",)),
    ("routes.helpdesk.ticket_links", ("/tickets/*/link",)),
    ("routes.helpdesk.attachments", ("/tickets/*/attachments/**", "agent")),
    ("routes.helpdesk.agent_tickets", ("agent",)),
    ("routes.helpdesk.agent_desk", ("agent",)),
    ("routes.helpdesk.saved_replies", ("agent",)),
    ("routes.identity.auth", ("auth",)),
    ("routes.helpdesk.admin_agents", ("admin",)),
    ("routes.helpdesk.admin_reports", ("admin",)),
    ("routes.spending.me", ("me",)),
    ("routes.helpdesk.my_tickets", ("me",)),
    ("routes.spending.expenses", ("expenses",)),
    ("routes.spending.reports", ("reports",)),
    ("routes.spending.transfer", ("expenses",)),
    ("routes.spending.rules", ("rules",)),
    ("routes.spending.recurring", ("recurring",)),
    ("routes.spending.unsubscribe", ("unsubscribe",)),
    ("routes.helpcenter.help_articles", ("help",)),
    ("routes.helpcenter.admin_articles", ("admin",)),
    ("routes.helpcenter.admin_reports_help", ("admin",)),
    ("routes.helpcenter.ticket_articles", ("agent",)),
    ("routes.helpcenter.help_settings", ("admin", "agent")),
    ("routes.helpcenter.article_images", ("admin", "help")),
    ("routes.docs", ("openapi.json", "docs")),
)
DOCUMENT_ORDER = {module: index for index, (module, _) in enumerate(ROUTE_MODULES)}


def first_segment(path: str) -> str:
    """`tickets` for /api/tickets/abc; "" for a path outside /api."""
    if not path.startswith(f"{PREFIX}/"):
        return ""
    return path.removeprefix(f"{PREFIX}/").split("/", 1)[0]


def in_area(area: str, path: str, *, rule: bool = False) -> bool:
    """Whether `path` (under /api) is in `area`. With `rule`, `path` is a route's rule: a `<parameter>` segment
    stands for any segment, so only `*` or `**` covers it."""
    if not area.startswith("/"):
        return first_segment(path) == area
    if not path.startswith(f"{PREFIX}/"):
        return False
    shape, parts = area[1:].split("/"), path.removeprefix(f"{PREFIX}/").split("/")
    for i, want in enumerate(shape):
        if want == "**" and i == len(shape) - 1:
            return True
        if i >= len(parts):
            return False
        if want != "*" and (want != parts[i] or (rule and parts[i].startswith("<"))):
            return False
    return len(parts) == len(shape)


class RouteAreas:
    """Includes route modules into one resolver on demand, each once."""

    def __init__(self, app: APIGatewayHttpResolver) -> None:
        self.app = app
        self.included: set[str] = set()

    def for_path(self, path: str) -> None:
        """Every route that could match `path` is registered after this."""
        for module, areas in ROUTE_MODULES:
            if any(in_area(area, path) for area in areas):
                self._include(module, areas)

    def everything(self) -> None:
        """Every route, in the order the OpenAPI document lists them (whatever order requests loaded them in)."""
        for module, segments in ROUTE_MODULES:
            self._include(module, segments)
        # Stable: routes of one module keep their order; matching never depends on order across segments.
        self.app._static_routes.sort(key=_document_position)
        self.app._dynamic_routes.sort(key=_document_position)

    def _include(self, name: str, segments: tuple[str, ...]) -> None:
        if name in self.included:
            return
        module = importlib.import_module(name)
        _check_segments(module, segments)
        self.app.include_router(module.router, prefix=PREFIX)
        if hasattr(module, "install"):
            module.install(self.app)
        self.included.add(name)


def _check_segments(module: ModuleType, areas: tuple[str, ...]) -> None:
    """A route outside the module's declared areas would be missing from requests to its own path."""
    for rule, *_ in module.router._routes:
        if not any(in_area(area, f"{PREFIX}{rule}", rule=True) for area in areas):
            raise RuntimeError(f"{module.__name__} serves {rule}; add its area to ROUTE_MODULES")


def _document_position(route: Route) -> int:
    """Routes Powertools adds itself (Swagger UI's page) come last, as they were registered last."""
    return DOCUMENT_ORDER.get(route.func.__module__, len(DOCUMENT_ORDER))
