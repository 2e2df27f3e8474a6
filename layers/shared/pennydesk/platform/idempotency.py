"""Powertools idempotency, configured once: the same key never runs the work twice.

Used for intake (the client's Idempotency-Key) and for every email (a key that names the logical
message, e.g. ``ticket/<id>/confirmation``), so retried requests and redelivered stream records are
normal, not exceptions.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer, IdempotencyConfig

from pennydesk.platform import dynamo
from pennydesk.platform.settings import get_settings

# Stream records live 24 h and retries are bounded well within it; a week is comfortably longer.
EMAIL_DEDUPE_SECONDS = 7 * 24 * 3600
# Clients retry a POST within minutes; a day matches what payment APIs promise for their keys.
REQUEST_DEDUPE_SECONDS = 24 * 3600


PURPOSES = ("email", "request")
_NOT_MADE = object()


class LazyClientLayer(DynamoDBPersistenceLayer):
    """Powertools' DynamoDB layer, taking its client on first use, and taking pynamodb's (dynamo.client).

    The decorators holding a layer are built when their module is imported, and Powertools makes the client
    in its constructor: a cold start paid for a client (and a botocore session parsing DynamoDB's model) before
    knowing it would send an email. A client of its own, even from the shared session, was one more DynamoDB
    client per process (~6 ms of a cold start's first call), configured unlike the one every model uses.
    Powertools' user-agent mark ("idempotency") is not added: it would label every request of the shared client."""

    def __init__(self, table_name: str) -> None:
        self._made: Any = _NOT_MADE
        self._constructing = True  # Powertools' constructor reads self.client once; it gets the placeholder
        super().__init__(table_name=table_name, boto3_client=_NOT_MADE)  # type: ignore[arg-type]
        self._constructing = False

    @property
    def client(self) -> Any:
        if self._made is _NOT_MADE and not self._constructing:
            self._made = dynamo.client()
        return self._made

    @client.setter
    def client(self, value: Any) -> None:
        self._made = value


@cache
def persistence(purpose: str) -> DynamoDBPersistenceLayer:
    """One layer per config: Powertools configures a layer once, with the first config it is used with,
    so sharing one between emails and requests would let whichever ran first decide the other's rules."""
    return LazyClientLayer(table_name=get_settings().idempotency_table)


EMAIL_CONFIG = IdempotencyConfig(
    event_key_jmespath="key", raise_on_no_idempotency_key=True, expires_after_seconds=EMAIL_DEDUPE_SECONDS
)
REQUEST_CONFIG = IdempotencyConfig(
    event_key_jmespath="key",
    payload_validation_jmespath="payload",
    raise_on_no_idempotency_key=True,
    expires_after_seconds=REQUEST_DEDUPE_SECONDS,
)


def register_invocation(lambda_context: object) -> None:
    """Lets an interrupted invocation's in-progress record expire when the invocation would have,
    so a retry can redo the work instead of waiting out the whole dedupe window."""
    for config in (EMAIL_CONFIG, REQUEST_CONFIG):
        config.register_lambda_context(lambda_context)  # type: ignore[arg-type]
