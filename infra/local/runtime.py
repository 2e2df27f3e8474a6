"""What a Lambda container gives a handler, locally: the region and account, the process environment, the
context object, and the handler module imported from its CodeUri the way Lambda imports it."""

from __future__ import annotations

import importlib.util
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from moto.core import DEFAULT_ACCOUNT_ID

from infra.local.template import FunctionSpec

ROOT = Path(__file__).resolve().parents[2]
REGION = "us-east-1"

# Process-wide settings the handlers read; moto needs fake credentials and, for in-process DynamoDB
# Streams, the account-id endpoint mode off.
BASE_ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "local",
    "AWS_SECRET_ACCESS_KEY": "local",
    "AWS_SESSION_TOKEN": "local",
    "AWS_DEFAULT_REGION": REGION,
    "AWS_REGION": REGION,
    "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_METRICS_DISABLED": "true",
    "POWERTOOLS_DEV": "false",
}

def function_arn(logical_id: str) -> str:
    return f"arn:aws:lambda:{REGION}:{DEFAULT_ACCOUNT_ID}:function:{logical_id}"


class LocalContext:
    """The Lambda context object a handler receives: name, memory, request id, time left."""

    def __init__(self, spec: FunctionSpec) -> None:
        self.function_name = spec.logical_id
        self.function_version = "$LATEST"
        self.invoked_function_arn = function_arn(spec.logical_id)
        self.memory_limit_in_mb = spec.memory
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{spec.logical_id}"
        self.log_stream_name = "local"
        self._deadline = time.monotonic() + spec.timeout

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


@dataclass
class LocalFunction:
    spec: FunctionSpec
    module: ModuleType

    @property
    def handler(self) -> Callable[[dict[str, Any], Any], Any]:
        return getattr(self.module, self.spec.handler.rsplit(".", 1)[1])

    def invoke(self, event: dict[str, Any]) -> Any:
        """One invocation with a fresh context."""
        return self.handler(event, LocalContext(self.spec))


def import_handler(spec: FunctionSpec) -> ModuleType:
    """The handler's file as its own module, once per process, with its CodeUri on sys.path for its imports."""
    module_file, _ = spec.handler.rsplit(".", 1)
    name = f"pennydesk_local_{spec.logical_id}"
    if name in sys.modules:
        return sys.modules[name]
    if str(spec.code_uri) not in sys.path:
        sys.path.insert(0, str(spec.code_uri))
    loader_spec = importlib.util.spec_from_file_location(name, spec.code_uri / f"{module_file}.py")
    assert loader_spec is not None and loader_spec.loader is not None
    module = importlib.util.module_from_spec(loader_spec)
    sys.modules[name] = module
    loader_spec.loader.exec_module(module)
    return module
