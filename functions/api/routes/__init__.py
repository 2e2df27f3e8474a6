"""Routers of the API function, in folders by context and named by path: the handler of /api/tickets/... is in
helpdesk/tickets.py, of /api/me in spending/me.py (docs/api-routes.md has the table)."""
