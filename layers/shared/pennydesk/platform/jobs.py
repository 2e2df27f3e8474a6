"""Jobs: work a request hands to the worker through the work queue instead of doing it on its own path.

A context registers a job by name with its handler ("package.module:function", imported on first use, called
with the job's arguments); a request enqueues it with plain JSON arguments and answers at once. The worker
runs it like due work: a failure comes back after the queue's visibility timeout and, after five receives,
waits in the dead-letter queue. Handlers must be idempotent (a message can arrive twice).

Sign-in uses it so that its answer costs the same whether or not the address may get another link.
"""

from __future__ import annotations

import importlib
import json
import os
from collections.abc import Callable
from functools import cache
from typing import Any

from pennydesk.platform import botocore_models
from pennydesk.platform.settings import get_settings

_JOBS: dict[str, str] = {}


def register(name: str, handler: str) -> None:
    """Make job `name` known to the worker; `handler` is "package.module:function"."""
    if _JOBS.setdefault(name, handler) != handler:
        raise ValueError(f"job {name!r} is registered twice, differently")


@cache
def _sqs() -> Any:
    return botocore_models.client("sqs", region_name=get_settings().region)


def enqueue(name: str, **args: Any) -> None:
    """Put job `name` on the work queue (one SendMessage)."""
    body = json.dumps({"v": 1, "job": name, "args": args})
    _sqs().send_message(QueueUrl=os.environ["WORK_QUEUE_URL"], MessageBody=body)


def is_job(body: dict[str, Any]) -> bool:
    return "job" in body


def load_handler(target: str) -> Callable[..., Any]:
    """The function a "package.module:function" name points at, importing its module now (on first use)."""
    module, _, function = target.partition(":")
    return getattr(importlib.import_module(module), function)  # type: ignore[no-any-return]


def handler_of(name: str) -> Callable[..., str] | None:
    target = _JOBS.get(name)
    return load_handler(target) if target is not None else None
