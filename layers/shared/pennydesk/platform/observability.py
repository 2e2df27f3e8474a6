"""The handlers' Logger, Metrics and tracer, with tracing that costs something only when it is on.

`template.yaml`'s `Tracing` parameter reaches every function as PENNYDESK_TRACING:
- `off`: no tracing at all (Lambda's TracingConfig is PassThrough);
- `lambda`: Lambda's own active tracing (the Init and Invocation segments), nothing in this process;
- `powertools`: the same plus Powertools' Tracer (a subsegment per handler, boto calls patched).

Powertools' Tracer imports the X-Ray SDK when it is built, even with `disabled=True` or
POWERTOOLS_TRACE_DISABLED (it always resolves its provider), and its decorators open subsegments either way;
so unless tracing is `powertools` no Tracer is built and the decorators are the plain function.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any, Protocol

TRACING_ENV = "PENNYDESK_TRACING"
TRACING_CHOICES = ("off", "lambda", "powertools")


class HandlerTracer(Protocol):
    """The two decorators the handlers use; Powertools' Tracer has both."""

    def capture_lambda_handler(self, lambda_handler: Callable[..., Any] | None = None, **options: Any) -> Any: ...

    def capture_method(self, method: Callable[..., Any] | None = None, **options: Any) -> Any: ...


class Untraced:
    """Stands in for Powertools' Tracer when tracing is not `powertools`: its decorators change nothing."""

    def capture_lambda_handler(self, lambda_handler: Callable[..., Any] | None = None, **_: Any) -> Any:
        return lambda_handler if lambda_handler is not None else _unchanged

    def capture_method(self, method: Callable[..., Any] | None = None, **_: Any) -> Any:
        return method if method is not None else _unchanged


def _unchanged(function: Callable[..., Any]) -> Callable[..., Any]:
    return function


def tracing_mode() -> str:
    """PENNYDESK_TRACING as the template sets it; anything unknown or missing is `off`."""
    mode = os.environ.get(TRACING_ENV, "off").strip().lower()
    return mode if mode in TRACING_CHOICES else "off"


def make_tracer() -> HandlerTracer:
    """Powertools' Tracer when tracing is `powertools`, else a stand-in that never imports the X-Ray SDK."""
    if tracing_mode() != "powertools":
        return Untraced()
    from aws_lambda_powertools import Tracer  # the X-Ray SDK loads here, and only here

    return Tracer()
