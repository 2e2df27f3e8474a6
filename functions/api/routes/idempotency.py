"""The Idempotency-Key header, declared and checked the same way by every route that honours it.

Each route scopes the checked key to its owner (the sender's email, the signed-in user) so one client can
never replay another's response.
"""

from __future__ import annotations

import re
from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Header
from pennydesk.platform.errors import PennydeskError

VISIBLE_ASCII_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")

IdempotencyKey = Annotated[
    str | None, Header(alias="Idempotency-Key", description="Any unique string, at most 255 characters.")
]


def checked_key(key: str) -> str:
    """The client's key, refused (422 naming the header) unless it is 1 to 255 visible ASCII characters."""
    if not VISIBLE_ASCII_KEY.match(key):
        raise PennydeskError("Use 1 to 255 visible ASCII characters.", field="Idempotency-Key")
    return key
