"""Secrets Manager values through Powertools' parameters utility (its cache and max_age), its provider's client
made on the thread's shared botocore session (platform.botocore_models) instead of a boto3 session of its own."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities import parameters
from aws_lambda_powertools.utilities.parameters.constants import DEFAULT_PROVIDERS

from pennydesk.platform import botocore_models


def json_secret(secret_id: str, max_age: int) -> dict[str, Any]:
    """The secret's JSON value, read again once `max_age` seconds old."""
    if "secrets" not in DEFAULT_PROVIDERS:  # what get_secret uses; Powertools would make it with a session of its own
        DEFAULT_PROVIDERS["secrets"] = parameters.SecretsProvider(boto3_client=botocore_models.client("secretsmanager"))
    value = parameters.get_secret(secret_id, transform="json", max_age=max_age)
    return dict(value)  # type: ignore[arg-type]
