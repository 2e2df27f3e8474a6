"""Fixtures: a fresh local stack (moto in-process, the real handlers) for every test that needs AWS.

moto is process-global, so only one stack runs at a time; each test gets its own, seeded from
infra/seed.json unless it asks `make_stack` for a roster of its own.
"""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from infra.local.engine import BASE_ENVIRONMENT, LocalStack
from tests.support import outbox_for, submit_ticket

warnings.filterwarnings("ignore", message="No application metrics to publish")
# Placeholder credentials and region before any product module builds a boto3 client: nothing in the
# suite can reach a real AWS account.
os.environ.update(BASE_ENVIRONMENT)

__all__ = ["outbox_for", "submit_ticket"]

ADMIN = "admin@pennydesk.local"


@pytest.fixture
def stack() -> Iterator[LocalStack]:
    """The local stack with the default seed: Ada, Grace and Bill, and admin@pennydesk.local."""
    local = LocalStack().start()
    try:
        yield local
    finally:
        local.stop()


@pytest.fixture
def make_stack(tmp_path: Path) -> Iterator[Callable[..., LocalStack]]:
    """Start a stack seeded with the given agents (dicts as in infra/seed.json) and admins."""
    started: list[LocalStack] = []

    def make(agents: list[dict[str, Any]], admins: tuple[str, ...] = (ADMIN,)) -> LocalStack:
        assert not started, "one stack per test: moto is process-global"
        seed = tmp_path / "seed.json"
        seed.write_text(json.dumps({"admins": list(admins), "agents": agents}))
        local = LocalStack(seed=seed).start()
        started.append(local)
        return local

    try:
        yield make
    finally:
        for local in started:
            local.stop()
