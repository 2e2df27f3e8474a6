"""Identity routes: /api/auth/... (sign-in and sessions)."""
