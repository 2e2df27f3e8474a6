"""The stack a test runs against: in-process (moto, the real handlers) or as `make dev` runs it.

The in-process stack backs the `stack` and `make_stack` fixtures (tests/conftest.py); the subprocess one,
in its own process on a free port and stopped with Ctrl-C, backs the e2e `live` and browser `site` fixtures.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import requests

from infra.local.engine import ROOT, LocalStack

ADMIN = "admin@pennydesk.local"  # the admin infra/seed.json (and make_stack by default) sets up
START_DEADLINE = 20.0


def moment(iso: str) -> datetime:
    """An ISO time as the API writes it ("...Z"), as the datetime `stack.run_schedule` takes."""
    return datetime.fromisoformat(iso.replace("Z", "+00:00"))


# ---------------------------------------------------------------------------------------------- in-process


def write_seed(folder: Path, agents: list[dict[str, Any]], admins: tuple[str, ...] = (ADMIN,)) -> Path:
    """A seed file as infra/seed.json is laid out, with these agents and admins."""
    seed = folder / "seed.json"
    seed.write_text(json.dumps({"admins": list(admins), "agents": agents}))
    return seed


@contextmanager
def in_process_stack(seed: Path | None = None) -> Iterator[LocalStack]:
    """The local stack on moto in this process for the length of the block (infra/seed.json unless `seed`)."""
    local = LocalStack(seed=seed).start() if seed is not None else LocalStack().start()
    try:
        yield local
    finally:
        local.stop()


# ---------------------------------------------------------------------------------------------- subprocess


@dataclass
class RunningStack:
    process: subprocess.Popen[bytes]
    base: str
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_local_stack(log: Path) -> RunningStack:
    port = free_port()
    env = {**os.environ, "PORT": str(port), "PYTHONUNBUFFERED": "1"}
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "infra.local"], cwd=ROOT, env=env, stdout=sink, stderr=subprocess.STDOUT
        )
    running = RunningStack(process, f"http://127.0.0.1:{port}", log)
    deadline = time.monotonic() + START_DEADLINE
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the local stack exited with {process.returncode}:\n{running.output()}")
        if "ready" in running.output():
            try:
                if requests.get(f"{running.base}/", timeout=2).status_code == 200:
                    return running
            except requests.ConnectionError:
                pass
        time.sleep(0.1)  # polling for start-up with a deadline
    process.kill()
    pytest.fail(f"the local stack was not ready within {START_DEADLINE} s:\n{running.output()}")


def stop_with_ctrl_c(running: RunningStack) -> int:
    running.process.send_signal(signal.SIGINT)
    try:
        return running.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        running.process.kill()
        running.process.wait()
        pytest.fail(f"the local stack did not stop within 10 s of Ctrl-C:\n{running.output()}")


@contextmanager
def running_local_stack(log: Path) -> Iterator[RunningStack]:
    """The local stack for the length of the block, stopped with Ctrl-C afterwards unless a test already did."""
    running = start_local_stack(log)
    try:
        yield running
    finally:
        if running.process.poll() is None:
            stop_with_ctrl_c(running)
