"""Cold start: each function's import and first invocation (bench.first_call) against bare `import boto3` and
the libraries' floor, and what the API handler's import is made of.

Each measurement is a new `.venv/bin/python -c` process with the environment the local stack gives the
functions (BASE_ENVIRONMENT plus the template's function variables), the layer and the function's CodeUri
on sys.path, and the handler file imported the way the engine imports it. The clock runs inside the
child, so interpreter start-up is not counted, only the import.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass

from bench import first_call
from bench.first_call import PYTHON, _child_env, _layer_paths
from bench.report import Row
from infra.local.engine import LOCAL_SENDER, ROOT
from infra.local.template import Template

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


def _run(code: str, env: dict[str, str], *, importtime: bool = False) -> tuple[float, str]:
    args = [str(PYTHON), *(["-X", "importtime"] if importtime else []), "-c", code]
    done = subprocess.run(args, env=env, cwd=ROOT, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise RuntimeError(f"import failed in a fresh interpreter:\n{done.stderr[-2000:]}")
    seconds = next(float(line.split()[1]) for line in done.stdout.splitlines() if line.startswith("BENCH_SECONDS"))
    return seconds, done.stderr


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


# The goal for each figure, as a ratio to bare `import boto3` in the same run (issue 17).
IMPORT_TARGET = {"ApiFunction": 1.8}
OTHER_IMPORT_TARGET = 1.6
FIRST_CALL_TARGET = {"ApiFunction": 2.2}
FLOOR_NAME = "boto3 + pydantic + Powertools' HTTP resolver + pynamodb + jinja2 + Logger + Metrics"
FORM_FLOOR_NAME = ("the floor + email-validator + Powertools' idempotency and parameters + a DynamoDB and a Secrets "
                   "Manager client on the product's one session")


def _library_rows(floor: dict[str, first_call.Cold], runs: int) -> list[Row]:
    boto3, libraries, traced = floor["boto3"], floor["floor"], floor["floor + Tracer"]
    form = floor["form floor"]
    baseline = f"bare import boto3 (median of {runs})"
    return [
        Row("cold start", f"Libraries' floor: {FLOOR_NAME}", libraries.import_ms, "ms", baseline, boto3.import_ms,
            "ms", note=f"what the handlers stand on, nothing of ours; {_min_ratio(libraries.import_min_ms, boto3)}"),
        Row("cold start", "Libraries' floor + Powertools' Tracer (loads the X-Ray SDK)", traced.import_ms, "ms",
            baseline, boto3.import_ms, "ms", note="Tracing=powertools adds this to every function"),
        Row("cold start", f"The ticket form's libraries: {FORM_FLOOR_NAME}", form.import_ms, "ms", baseline,
            boto3.import_ms, "ms",
            note=f"what the form's first call must load by the design's choices, nothing else of ours (its goal is "
                 f"{FIRST_CALL_TARGET['ApiFunction']}x all in); {_min_ratio(form.import_min_ms, boto3)}"),
    ]


def _min_ratio(value_min: float, boto3: first_call.Cold) -> str:
    return f"min/min {value_min / boto3.import_min_ms:.2f}x ({value_min:.0f} vs {boto3.import_min_ms:.0f} ms)"


def _function_rows(
    cold: dict[str, tuple[str, first_call.Cold]], floor: dict[str, first_call.Cold], runs: int
) -> list[Row]:
    """Each figure is the median of `runs` fresh interpreters against bare boto3's median in the same interleaved
    rounds (the goal is judged on that ratio); the note gives the same ratio of the minimums."""
    boto3 = floor["boto3"]
    baseline = f"bare import boto3 (median of {runs})"
    rows = []
    for logical_id, (what, c) in cold.items():
        rows.append(Row(
            "cold start", f"{logical_id}: import (median of {runs})", c.import_ms, "ms", baseline, boto3.import_ms,
            "ms", target=IMPORT_TARGET.get(logical_id, OTHER_IMPORT_TARGET),
            note=f"{_min_ratio(c.import_min_ms, boto3)}; "
                 f"{c.import_ms / floor['floor'].import_ms:.2f}x the libraries' floor",
        ))
        rows.append(Row(
            "cold start", f"{logical_id}: import + first invocation, all in (median of {runs})", c.all_in_ms, "ms",
            baseline, boto3.import_ms, "ms", target=FIRST_CALL_TARGET.get(logical_id),
            note=f"{_min_ratio(c.all_in_min_ms, boto3)}; {what}; first call {c.call_ms:.0f} ms + {c.aws_ms:.0f} ms in "
                 f"AWS calls (moto, not counted); peak RSS {c.rss_mb:.0f} MB",
        ))
    return rows


def _counted_rows(counted: dict[str, first_call.Counted]) -> list[Row]:
    """The instruction counts (one valgrind run each, the same in every run) against bare boto3's."""
    if not counted:
        return []
    boto3 = counted["boto3"].import_m
    baseline = "bare import boto3 (valgrind)"
    rows = [Row("cold start", "Instructions: libraries' floor (valgrind)", counted["floor"].import_m, "M instr",
                baseline, boto3, "M instr", note="the same count in every run, whatever the machine's load"),
            Row("cold start", "Instructions: the ticket form's libraries (valgrind)", counted["form floor"].import_m,
                "M instr", baseline, boto3, "M instr", note=FORM_FLOOR_NAME)]
    for logical_id, c in counted.items():
        if logical_id in dict(first_call.LIBRARIES):
            continue
        rows.append(Row("cold start", f"Instructions: {logical_id} import (valgrind)", c.import_m, "M instr", baseline,
                        boto3, "M instr", target=IMPORT_TARGET.get(logical_id, OTHER_IMPORT_TARGET),
                        note="a cross-check of the time above; the goals are judged on time"))
        rows.append(Row("cold start", f"Instructions: {logical_id} import + first invocation (valgrind)", c.all_in_m,
                        "M instr", baseline, boto3, "M instr", target=FIRST_CALL_TARGET.get(logical_id),
                        note="includes reading moto's answers, which the time above leaves out"))
    return rows


def run(
    runs: int, log_level: str, progress: Callable[[str], None], *, count: bool = True
) -> tuple[list[Row], list[str], dict[str, object]]:
    """The true cold start per function (bench.first_call) beside the libraries' floor, with instruction counts
    when `count` and valgrind is installed, then what the API handler's import is made of."""
    floor, cold, counted = first_call.run(runs, progress, count=count)
    rows = _library_rows(floor, runs) + _function_rows(cold, floor, runs) + _counted_rows(counted)
    raw: dict[str, object] = {
        "libraries_ms": {k: asdict(v) for k, v in floor.items()},
        "functions": {k: {"first_call": what, **asdict(c)} for k, (what, c) in cold.items()},
        "instructions_m": {k: asdict(c) for k, c in counted.items()},
    }
    env = _child_env(function_environment(log_level))
    handlers, _ = targets()
    api_code = next((target for logical_id, target in handlers if logical_id == "ApiFunction"), None)
    notes: list[str] = [
        "Cold start: each figure is a fresh interpreter with the environment template.yaml gives the function "
        "under its default parameters; the first invocation's time in AWS calls (moto, in a process of its own) "
        "is left out, client creation and lazy imports are in. Times are each child's CPU time; every function "
        f"and library figure runs once per round, {runs} rounds interleaved, so the machine's load moves them "
        "together. Ratios compare medians (min/min in the note)."
    ]
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
