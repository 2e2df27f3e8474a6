"""Help-desk routes: /api/tickets..., /api/agent/..., /api/admin/..."""
