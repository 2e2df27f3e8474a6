"""Tracing costs something only when it is on: unless PENNYDESK_TRACING is `powertools`, the X-Ray SDK is
never imported and the handlers' trace decorators leave the function as it is."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from pennydesk.platform import observability

LAYER = Path(__file__).resolve().parents[2] / "layers" / "shared"
# Builds the handlers' tracer in a fresh interpreter (sys.modules here holds whatever other tests imported).
PROBE = """\
import sys
from pennydesk.platform.observability import make_tracer
tracer = make_tracer()
@tracer.capture_lambda_handler(capture_response=False)
def handler(event, context):
    return event
print(type(tracer).__name__, any(name.startswith("aws_xray_sdk") for name in sys.modules))
"""


def probe(mode: str) -> str:
    env = {**os.environ, "PYTHONPATH": str(LAYER), observability.TRACING_ENV: mode, "POWERTOOLS_TRACE_DISABLED": "1"}
    done = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=True)  # noqa: S603
    return done.stdout.strip()


@pytest.mark.parametrize("mode", ["off", "lambda", "", "something else"])
def test_without_powertools_tracing_the_xray_sdk_is_never_imported(mode: str) -> None:
    assert probe(mode) == "Untraced False"


def test_powertools_tracing_builds_powertools_tracer_with_the_xray_sdk() -> None:
    assert probe("powertools") == "Tracer True"


def test_the_stand_in_decorators_return_the_function_itself() -> None:
    def handler(event: object, context: object) -> object:
        return event

    untraced = observability.Untraced()
    assert untraced.capture_lambda_handler(handler) is handler
    assert untraced.capture_lambda_handler(capture_response=False)(handler) is handler
    assert untraced.capture_method(handler) is handler
    assert untraced.capture_method(capture_response=False)(handler) is handler
