"""The end-to-end tests share one fixture: the local stack as `make dev` runs it, one per test module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.local_process import RunningStack, running_local_stack


@pytest.fixture(scope="module")
def live(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    folder = tmp_path_factory.mktemp(request.module.__name__.rsplit(".", 1)[-1])
    with running_local_stack(folder / "stack.log") as running:
        yield running
