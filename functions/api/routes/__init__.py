"""Routers of the API function, one module per area of the public contract."""
