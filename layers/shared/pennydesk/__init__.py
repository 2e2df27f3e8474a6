"""Pennydesk's shared domain package: every Lambda imports it from the shared layer."""
