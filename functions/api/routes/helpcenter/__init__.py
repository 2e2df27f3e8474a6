"""Help-center routes: /api/help/... for everyone, /api/admin/articles... and /api/admin/reports/help for admins."""
