"""Spending routes: /api/me, /api/expenses..., /api/reports/..."""
