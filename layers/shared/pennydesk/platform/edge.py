"""What CloudFront tells the API about a request: that it came through the site's distribution (the origin
secret CloudFront adds to every request it forwards), and which address the visitor used.

Deployed, every request reaches the API from one of CloudFront's addresses, so `sourceIp` names the edge, not
the visitor; and the HTTP API's default execute-api address stays public. The API therefore answers only
requests that carry the origin secret, and takes the visitor's address from CloudFront-Viewer-Address, which
it trusts only on such requests. Where no origin secret is configured (a stack without the distribution),
every request is taken as it comes.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping

from pennydesk.platform.settings import get_settings

ORIGIN_HEADER = "x-pennydesk-origin"
VIEWER_ADDRESS_HEADER = "cloudfront-viewer-address"
SECRET_CACHE_SECONDS = 300


def _origin_secret() -> str | None:
    secret_id = get_settings().origin_secret_id
    if not secret_id:
        return None
    # Powertools' parameters load boto3 and every provider: on the first request that needs the secret, not at
    # start-up (the API imports this module; most requests ask it once, from a warm cache).
    from pennydesk.platform import secrets

    return str(secrets.json_secret(secret_id, SECRET_CACHE_SECONDS)["value"])


def through_site(headers: Mapping[str, str]) -> bool:
    """Whether CloudFront forwarded this request (lower-case header names, as HTTP APIs deliver them)."""
    expected = _origin_secret()
    if expected is None:
        return True
    return hmac.compare_digest(headers.get(ORIGIN_HEADER, "").encode(), expected.encode())


def viewer_address(header: str) -> str | None:
    """The visitor's IP from CloudFront-Viewer-Address ("198.51.100.10:46532", "2001:db8::1:46532" or
    "[2001:db8::1]:46532"), or None when the header is missing or malformed."""
    host, sep, port = header.strip().rpartition(":")
    if not sep or not port.isdigit() or not host:
        return None
    return host.removeprefix("[").removesuffix("]")


def client_address(headers: Mapping[str, str], source_ip: str) -> str:
    """The address to count a visitor by: CloudFront's word for it when CloudFront forwarded the request."""
    seen = viewer_address(headers.get(VIEWER_ADDRESS_HEADER, ""))
    if seen and get_settings().origin_secret_id and through_site(headers):
        return seen
    return source_ip
