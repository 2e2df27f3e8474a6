"""Cold-start proxy: how long a fresh interpreter takes to import each handler, against `import boto3`.

Each measurement is a new `.venv/bin/python -c` process with the environment the local stack gives the
functions (BASE_ENVIRONMENT plus the template's function variables), the layer and the function's CodeUri
on sys.path, and the handler file imported the way the engine imports it. The clock runs inside the
child, so interpreter start-up is not counted, only the import.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass

from bench.report import Row
from infra.local.engine import BASE_ENVIRONMENT, LOCAL_SENDER, ROOT
from infra.local.template import Template

PYTHON = ROOT / ".venv" / "bin" / "python"

_IMPORT_FILE = """\
import importlib.util, sys, time
sys.path[:0] = {paths!r}
t0 = time.perf_counter()
spec = importlib.util.spec_from_file_location("lambda_handler_module", {file!r})
module = importlib.util.module_from_spec(spec)
sys.modules["lambda_handler_module"] = module
spec.loader.exec_module(module)
t1 = time.perf_counter()
print("BENCH_SECONDS", t1 - t0)
"""

_IMPORT_BOTO3 = """\
import sys, time
sys.path[:0] = {paths!r}
t0 = time.perf_counter()
import boto3
t1 = time.perf_counter()
print("BENCH_SECONDS", t1 - t0)
"""


@dataclass(frozen=True)
class Target:
    label: str
    code: str


def function_environment(log_level: str) -> dict[str, str]:
    """What the engine puts in os.environ before importing handlers (table names resolve to logical ids,
    as they do locally)."""
    template = Template.load(
        ROOT / "template.yaml",
        {"SenderEmail": LOCAL_SENDER, "SiteUrl": "http://127.0.0.1:3000", "AdminEmails": "admin@pennydesk.local"},
    )
    resolved: dict[str, dict[str, str]] = {}
    for logical_id, resource in template.doc["Resources"].items():
        ref = logical_id
        if resource["Type"] == "AWS::SecretsManager::Secret":
            ref = f"arn:aws:secretsmanager:us-east-1:123456789012:secret:{logical_id}"
        resolved[logical_id] = {"Ref": ref}
    env: dict[str, str] = {}
    for spec in template.functions():
        for name, value in spec.environment.items():
            env[name] = str(template.evaluate(value, resolved))
    env["POWERTOOLS_LOG_LEVEL"] = log_level
    return env


def _layer_paths(template: Template) -> list[str]:
    return [
        str(template.root / r["Properties"]["ContentUri"])
        for r in template.resources("AWS::Serverless::LayerVersion").values()
    ]


def targets() -> tuple[list[tuple[str, Target]], Target]:
    template = Template.load(
        ROOT / "template.yaml", {"SenderEmail": LOCAL_SENDER, "SiteUrl": "http://x", "AdminEmails": ""}
    )
    layers = _layer_paths(template)
    handlers = []
    for spec in template.functions():
        module_file = spec.handler.rsplit(".", 1)[0]
        file = spec.code_uri / f"{module_file}.py"
        rel = file.relative_to(ROOT)
        code = _IMPORT_FILE.format(paths=[str(spec.code_uri), *layers], file=str(file))
        handlers.append((spec.logical_id, Target(str(rel), code)))
    boto3_target = Target("import boto3", _IMPORT_BOTO3.format(paths=layers))
    return handlers, boto3_target


def _child_env(function_env: dict[str, str]) -> dict[str, str]:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8", "HOME": os.environ.get("HOME", "/")}
    env.update(BASE_ENVIRONMENT)
    env.update(function_env)
    return env


def _run(code: str, env: dict[str, str], *, importtime: bool = False) -> tuple[float, str]:
    args = [str(PYTHON), *(["-X", "importtime"] if importtime else []), "-c", code]
    done = subprocess.run(args, env=env, cwd=ROOT, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise RuntimeError(f"import failed in a fresh interpreter:\n{done.stderr[-2000:]}")
    seconds = next(float(line.split()[1]) for line in done.stdout.splitlines() if line.startswith("BENCH_SECONDS"))
    return seconds, done.stderr


def _median_ms(code: str, env: dict[str, str], runs: int) -> tuple[float, list[float]]:
    _run(code, env)  # untimed: writes any missing .pyc files so every timed run starts alike
    samples = [_run(code, env)[0] * 1000 for _ in range(runs)]
    return statistics.median(samples), samples


@dataclass(frozen=True)
class ImportCost:
    module: str
    self_ms: float
    cumulative_ms: float
    depth: int


def parse_importtime(stderr: str) -> list[ImportCost]:
    """Lines look like `import time:       221 |     101115 |   routes.docs` (two spaces per level)."""
    costs = []
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "imported package" in line:
            continue
        self_us, cumulative_us, name = line.removeprefix("import time:").split("|", 2)
        module = name.strip()
        depth = (len(name) - len(name.lstrip(" ")) - 1) // 2
        costs.append(ImportCost(module, int(self_us) / 1000, int(cumulative_us) / 1000, depth))
    return costs


def run(runs: int, log_level: str, progress: Callable[[str], None]) -> tuple[list[Row], list[str], dict[str, object]]:
    env = _child_env(function_environment(log_level))
    handlers, boto3_target = targets()
    progress(f"import boto3 x{runs}")
    boto3_ms, boto3_samples = _median_ms(boto3_target.code, env, runs)
    rows: list[Row] = []
    raw: dict[str, object] = {"import boto3": boto3_samples}
    api_code = None
    for logical_id, target in handlers:
        progress(f"import {target.label} x{runs}")
        median, samples = _median_ms(target.code, env, runs)
        raw[target.label] = samples
        rows.append(
            Row(
                section="cold start",
                name=f"Cold-start proxy: import {target.label} (median of {runs})",
                value=median,
                unit="ms",
                baseline_name=f"bare import boto3 (median of {runs})",
                baseline=boto3_ms,
                baseline_unit="ms",
                note=f"{logical_id}; spread {min(samples):.0f}-{max(samples):.0f} ms",
            )
        )
        if logical_id == "ApiFunction":
            api_code = target
    notes: list[str] = []
    if api_code is not None:
        progress(f"-X importtime {api_code.label}")
        _, stderr = _run(api_code.code, env, importtime=True)
        costs = parse_importtime(stderr)
        total = sum(c.cumulative_ms for c in costs if c.depth == 0)
        notes.append(
            f"Biggest imports of {api_code.label} (one -X importtime run, which inflates times; "
            f"top-level imports total {total:.0f} ms):"
        )
        notes.append("  by cumulative time (modules the handler pulls in first, so they partition the total):")
        for c in sorted((c for c in costs if c.depth == 0), key=lambda c: -c.cumulative_ms)[:5]:
            notes.append(f"    {c.cumulative_ms:7.1f} ms  {c.module}")
        notes.append("  by self time (the module's own top-level code, children excluded):")
        for c in sorted(costs, key=lambda c: -c.self_ms)[:5]:
            notes.append(f"    {c.self_ms:7.1f} ms  {c.module}")
        raw["importtime_top"] = [c.__dict__ for c in sorted(costs, key=lambda c: -c.cumulative_ms)[:25]]
    return rows, notes, raw


if __name__ == "__main__":  # pragma: no cover - a quick way to look at this section alone
    rows, notes, _ = run(3, "ERROR", lambda m: print(m, file=sys.stderr))
    for row in rows:
        print(row)
    print("\n".join(notes))
