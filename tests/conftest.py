"""Fixtures: a fresh local stack (moto in-process, the real handlers) for every test that needs AWS.

moto is process-global, so only one stack runs at a time; each test gets its own, seeded from
infra/seed.json unless it asks `make_stack` for a roster of its own.
"""

from __future__ import annotations

import gc
import os
import threading
import warnings
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
from moto.core.botocore_stubber import BotocoreStubber

from infra.local.engine import BASE_ENVIRONMENT, LocalStack
from tests.support.faults import FaultInjector, inject_faults
from tests.support.stack import ADMIN, RunningStack, in_process_stack, running_local_stack, write_seed

warnings.filterwarnings("ignore", message="No application metrics to publish")
# Placeholder credentials and region before any product module builds a boto3 client: nothing in the
# suite can reach a real AWS account.
os.environ.update(BASE_ENVIRONMENT)


def pytest_configure(config: pytest.Config) -> None:
    # pytest restores the warning filters around every test; this keeps the ignore in force there too.
    config.addinivalue_line("filterwarnings", "ignore:No application metrics to publish")


def pytest_sessionstart(session: pytest.Session) -> None:
    # moto, botocore and the handlers make a large, long-lived heap; a full collection of it every few
    # stacks cost ~0.8 s each time. Freezing what is loaded by now and collecting the oldest generation
    # rarely keeps every stack start near 0.15 s.
    gc.collect()
    gc.freeze()
    young, middle, _ = gc.get_threshold()
    gc.set_threshold(young, middle, 1000)


@pytest.fixture
def stack() -> Iterator[LocalStack]:
    """The local stack with the default seed: Ada, Grace and Bill, and admin@pennydesk.local."""
    with in_process_stack() as local:
        yield local


@pytest.fixture
def make_stack(tmp_path: Path) -> Iterator[Callable[..., LocalStack]]:
    """Start a stack seeded with the given agents (dicts as in infra/seed.json) and admins."""
    started: list[LocalStack] = []
    with ExitStack() as stopped_afterwards:

        def make(agents: list[dict[str, Any]], admins: tuple[str, ...] = (ADMIN,)) -> LocalStack:
            assert not started, "one stack per test: moto is process-global"
            seed = write_seed(tmp_path, agents, admins)
            started.append(stopped_afterwards.enter_context(in_process_stack(seed)))
            return started[0]

        yield make


@pytest.fixture(scope="module")
def live(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    """The local stack as `make dev` runs it, in its own process: one per test module (e2e and harness tests)."""
    folder = tmp_path_factory.mktemp(request.module.__name__.rsplit(".", 1)[-1])
    with running_local_stack(folder / "stack.log") as running:
        yield running


@pytest.fixture
def faults(monkeypatch: pytest.MonkeyPatch) -> FaultInjector:
    """AWS faults on demand beneath the product's clients (tests/support/faults.py); none until one is added."""
    return inject_faults(monkeypatch)


@pytest.fixture
def atomic_aws_calls(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each AWS call is atomic, as DynamoDB's are; the product's own steps still interleave between calls.

    moto is not thread-safe: a TransactWriteItems that fails a condition rolls back by putting back a
    deep copy of every table it touched, taken when it started, which would undo a concurrent writer's
    committed changes. One lock around moto's request handling restores DynamoDB's per-request atomicity
    without serialising the domain code; the race tests interleave their threads between calls.
    """
    lock = threading.Lock()
    handle = BotocoreStubber.__call__

    def one_at_a_time(self: BotocoreStubber, *args: object, **kwargs: object) -> object:
        with lock:
            return handle(self, *args, **kwargs)

    monkeypatch.setattr(BotocoreStubber, "__call__", one_at_a_time)


@pytest.fixture
def ticket_stream_batches(stack: LocalStack, monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """Every batch the ticket stream function was handed, in order: its records' sequence numbers."""
    module = stack.functions["TicketStreamFunction"].module
    real = module.lambda_handler
    seen: list[list[str]] = []

    def recording(event: dict[str, Any], context: Any) -> Any:
        seen.append([r["dynamodb"]["SequenceNumber"] for r in event["Records"]])
        return real(event, context)

    monkeypatch.setattr(module, "lambda_handler", recording)
    return seen
