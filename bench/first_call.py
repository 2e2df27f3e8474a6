"""The true cold start per function: import, then the first invocation, in a fresh interpreter with no moto
in it, beside the libraries' floor and bare `import boto3` measured in the same run.

moto runs in a process of its own (bench.moto_proxy), provisioned from template.yaml, and the child reaches
it through AWS_ENDPOINT_URL, so moto's imports never warm the child. The time the child spends in
botocore's HTTP send (moto answering, plus the loopback hop) is subtracted: what is left is the work Lambda
would bill before the network, including client creation, service-model loading and lazy imports.

Times are the child's CPU time (user + system, `time.process_time`): on a quiet machine a cold start is
single-threaded CPU work and equals its wall time, and on a busy one (the shared two-core machine this runs
on) CPU time keeps other processes' load out of the ratios. CPU time still moved 10-40% between runs there
(bare boto3 alone: 167 to 237 ms), so where valgrind is installed one more round counts the instructions
each child executes (cachegrind, no cache simulation): the same count in every run, whatever the load, a
figure to compare commits by; time is what Lambda bills, and what the goals are judged on.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import statistics
import subprocess
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from infra.local.engine import BASE_ENVIRONMENT, LOCAL_SENDER, ROOT
from infra.local.events import HttpRoute, http_event, schedule_event
from infra.local.mail_events import on_the_bus
from infra.local.template import Template

PYTHON = ROOT / ".venv" / "bin" / "python"


def _layer_paths(template: Template) -> list[str]:
    return [
        str(template.root / r["Properties"]["ContentUri"])
        for r in template.resources("AWS::Serverless::LayerVersion").values()
    ]


def _child_env(function_env: dict[str, str]) -> dict[str, str]:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8", "HOME": os.environ.get("HOME", "/")}
    env.update(BASE_ENVIRONMENT)
    env.update(function_env)
    return env


# The libraries the functions stand on, each built the way a handler builds it.
FLOOR = """\
import boto3, pydantic, pynamodb.models, jinja2
from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
Logger(); Metrics(); APIGatewayHttpResolver(enable_validation=True)
"""
FLOOR_WITH_TRACER = FLOOR + "from aws_lambda_powertools import Tracer\nTracer()\n"
BOTO3 = "import boto3\n"
# What the ticket form's first call loads by the design's own choices: the floor, email-validator (the customer's
# address), Powertools' idempotency and parameters (the Idempotency-Key; the origin secret), and a DynamoDB and a
# Secrets Manager client, made on the product's one session with its plain-JSON models (platform.botocore_models,
# the cheapest way we know to make them); nothing else of ours.
FORM_FLOOR = FLOOR + """\
import email_validator
from aws_lambda_powertools.utilities import parameters
from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer
from pennydesk.platform import botocore_models
botocore_models.client("dynamodb"); botocore_models.client("secretsmanager")
"""

_LIBRARIES = """\
import sys, time
sys.path[:0] = {paths!r}
t0 = time.process_time()
{code}
print("BENCH", time.process_time() - t0, 0, 0, 0)
"""

_IMPORT = """\
import importlib.util, sys
sys.path[:0] = {paths!r}
spec = importlib.util.spec_from_file_location("lambda_handler_module", {file!r})
module = importlib.util.module_from_spec(spec)
sys.modules["lambda_handler_module"] = module
spec.loader.exec_module(module)
print("BENCH")
"""

_FIRST_CALL = """\
import importlib.util, json, sys, time
def high_water_mb():  # VmHWM: this process's peak RSS
    with open("/proc/self/status") as status:
        return next(int(l.split()[1]) for l in status if l.startswith("VmHWM")) / 1024
sys.path[:0] = {paths!r}
t0 = time.process_time()
spec = importlib.util.spec_from_file_location("lambda_handler_module", {file!r})
module = importlib.util.module_from_spec(spec)
sys.modules["lambda_handler_module"] = module
spec.loader.exec_module(module)
t1 = time.process_time()
import botocore.endpoint
aws = [0.0]
send = botocore.endpoint.Endpoint._send
def timed_send(self, request):
    start = time.process_time()
    try:
        return send(self, request)
    finally:
        aws[0] += time.process_time() - start
botocore.endpoint.Endpoint._send = timed_send
class Context:
    function_name = {function!r}; function_version = "$LATEST"; memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:" + {function!r}
    aws_request_id = "first-call"; log_group_name = "/aws/lambda/" + {function!r}; log_stream_name = "bench"
    def get_remaining_time_in_millis(self): return 10_000
t2 = time.process_time()
result = getattr(module, {handler!r})(json.loads({event!r}), Context())
t3 = time.process_time()
assert {check}, str(result)[:500]
print("BENCH", t1 - t0, t3 - t2 - aws[0], aws[0], high_water_mb())
"""


@dataclass(frozen=True)
class Cold:
    """One function's cold start over its fresh interpreters: medians, and the minimum of each (ms)."""

    import_ms: float
    call_ms: float  # the first invocation without the time spent in AWS (moto) calls
    aws_ms: float
    rss_mb: float
    all_in_ms: float  # the median of import + first call, each interpreter's own sum
    import_min_ms: float = 0.0
    all_in_min_ms: float = 0.0
    runs: int = 0

    @classmethod
    def of(cls, samples: list[tuple[float, float, float, float]]) -> Cold:
        return cls(
            import_ms=statistics.median(s[0] for s in samples) * 1000,
            call_ms=statistics.median(s[1] for s in samples) * 1000,
            aws_ms=statistics.median(s[2] for s in samples) * 1000,
            rss_mb=max(s[3] for s in samples),
            all_in_ms=statistics.median(s[0] + s[1] for s in samples) * 1000,
            import_min_ms=min(s[0] for s in samples) * 1000,
            all_in_min_ms=min(s[0] + s[1] for s in samples) * 1000,
            runs=len(samples),
        )


@contextmanager
def moto_proxy(overrides: dict[str, str]) -> Iterator[tuple[str, dict[str, str]]]:
    """bench.moto_proxy in its own process, the template provisioned: its URL and the functions' environment.
    Stopped (by its process id) afterwards."""
    env = {**_child_env({}), "PYTHONPATH": str(ROOT)}
    proxy = subprocess.Popen(  # noqa: S603
        [str(PYTHON), "-m", "bench.moto_proxy", json.dumps(overrides)],
        env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    try:
        assert proxy.stdout is not None
        line = proxy.stdout.readline()  # blocks until the proxy is ready or has died
        if not line.startswith("READY "):
            raise RuntimeError(f"bench.moto_proxy did not start (exit {proxy.poll()})")
        _, port, function_env = line.split(" ", 2)
        yield f"http://127.0.0.1:{port}", json.loads(function_env)
    finally:
        proxy.terminate()
        proxy.wait(timeout=10)


TICKET_FORM = {
    "name": "Cold Customer", "email": "cold.customer@example.com", "subject": "Cannot sign in",
    "description": "Since this morning the sign-in link says it has expired.", "category": "general",
    "priority": "normal",
}
SPENDING_PROFILE_LIMIT = 50_000  # minor units; each run's total is 84% of it, so the first alert (80%) is due


def customer_address(i: int) -> str:
    return f"cold.customer{i}@example.com"


def ticket_form_event(i: int, origin_secret: str | None) -> dict[str, Any]:
    """The hosted form's POST as CloudFront forwards it, a new submission (its own Idempotency-Key and
    address) each time."""
    headers = {"content-type": "application/json", "idempotency-key": uuid.uuid4().hex, "host": "127.0.0.1"}
    if origin_secret is not None:
        headers |= {"x-pennydesk-origin": origin_secret, "cloudfront-viewer-address": f"198.18.7.{i + 1}:44321"}
    body = json.dumps({**TICKET_FORM, "email": customer_address(i)})
    return http_event("POST", "/api/tickets", "", headers, body, "130.176.0.1", HttpRoute(None, "ANY", "/api/"))  # type: ignore[arg-type]


def origin_secret(endpoint: str, secret_id: str | None) -> str | None:
    """What CloudFront adds to every request it forwards (platform.edge), where the template has it."""
    if not secret_id:
        return None
    secret = _client("secretsmanager", endpoint).get_secret_value(SecretId=secret_id)
    return str(json.loads(secret["SecretString"])["value"])


def _client(service: str, endpoint: str) -> Any:
    import boto3

    return boto3.client(service, endpoint_url=endpoint, region_name="us-east-1",
                        aws_access_key_id="local", aws_secret_access_key="local")  # noqa: S106


def stream_records(endpoint: str, table: str) -> list[dict[str, Any]]:
    """Every record on `table`'s stream so far, as DynamoDB Streams hands them to the event source mapping."""
    streams = _client("dynamodbstreams", endpoint)
    arn = _client("dynamodb", endpoint).describe_table(TableName=table)["Table"]["LatestStreamArn"]
    records = []
    for shard in streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
        iterator = streams.get_shard_iterator(
            StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        while iterator:
            page = streams.get_records(ShardIterator=iterator)
            records += [{**r, "eventSourceARN": arn} for r in page["Records"]]
            iterator = page.get("NextShardIterator") if page["Records"] else None
    return json.loads(json.dumps(records, default=str))


def ticket_batches(endpoint: str, table: str) -> list[dict[str, Any]]:
    """Per ticket the form created: the stream batch its creation made (the ticket, its entry, its timers)."""
    by_ticket: dict[str, list[dict[str, Any]]] = {}
    for record in stream_records(endpoint, table):
        pk = record["dynamodb"]["Keys"]["pk"]["S"]
        if "TICKET#" in pk:
            by_ticket.setdefault(pk.split("TICKET#", 1)[1].split("#")[0], []).append(record)
    return [{"Records": batch} for batch in by_ticket.values()]


def due_sla_messages(endpoint: str, table: str, queue_arn: str) -> list[dict[str, Any]]:
    """Per ticket, the SQS message the scheduler enqueues when its first-response SLA falls due."""
    items = _client("dynamodb", endpoint).scan(TableName=table)["Items"]
    events = []
    for item in items:
        if item["sk"]["S"] != "TIMER#sla_first" or "due_at" not in item:  # done timers leave the due index
            continue
        body = {"v": 1, "table": "tickets", "kind": "sla_first", "pk": item["pk"]["S"], "sk": item["sk"]["S"],
                "now": item["due_at"]["S"]}
        events.append({"Records": [{
            "messageId": uuid.uuid4().hex, "receiptHandle": "bench", "body": json.dumps(body), "attributes": {},
            "messageAttributes": {}, "md5OfBody": "", "eventSource": "aws:sqs", "eventSourceARN": queue_arn,
            "awsRegion": "us-east-1",
        }]})
    return events


def spending_batches(endpoint: str, table: str, count: int) -> list[dict[str, Any]]:
    """Per round (and one for the instruction count) a user with a monthly budget whose running total just
    passed 80% of it."""
    dynamodb = _client("dynamodb", endpoint)
    month = datetime.now(UTC).strftime("%Y-%m")
    for i in range(count):
        pk = {"S": f"USER#cold{i}"}
        dynamodb.put_item(TableName=table, Item={
            "pk": pk, "sk": {"S": "PROFILE"}, "user_id": {"S": f"cold{i}"}, "email": {"S": f"cold{i}@example.com"},
            "monthly_limit": {"N": str(SPENDING_PROFILE_LIMIT)}, "created_at": {"S": f"{month}-01T00:00:00Z"},
        })
        dynamodb.put_item(TableName=table, Item={
            "pk": pk, "sk": {"S": f"TOTAL#{month}"}, "month": {"S": month},
            "total": {"N": str(SPENDING_PROFILE_LIMIT * 84 // 100)}, "count": {"N": "1"},
        })
    totals = [r for r in stream_records(endpoint, table) if r["dynamodb"]["Keys"]["sk"]["S"].startswith("TOTAL#")]
    return [{"Records": [record]} for record in totals]


def _run(code: str, env: dict[str, str]) -> tuple[float, float, float, float]:
    done = subprocess.run([str(PYTHON), "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=False)  # noqa: S603
    line = next((ln for ln in done.stdout.splitlines() if ln.startswith("BENCH ")), None)
    if done.returncode != 0 or line is None:
        raise RuntimeError(f"cold start failed in a fresh interpreter:\n{done.stderr[-2000:]}")
    return tuple(float(x) for x in line.split()[1:5])  # type: ignore[return-value]


def instructions(code: str, env: dict[str, str]) -> int:
    """How many instructions a fresh interpreter running `code` executes, interpreter start-up included
    (valgrind's cachegrind without cache simulation; hash seed fixed, so a rerun counts the same)."""
    args = ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null",
            str(PYTHON), "-c", code]
    done = subprocess.run(args, env={**env, "PYTHONHASHSEED": "0"}, cwd=ROOT, capture_output=True, text=True,  # noqa: S603
                          check=False)
    found = re.search(r"I\s+refs:\s+([\d,]+)", done.stderr)
    if done.returncode != 0 or found is None or "BENCH" not in done.stdout:
        raise RuntimeError(f"valgrind's count failed:\n{done.stderr[-2000:]}")
    return int(found.group(1).replace(",", ""))


def can_count_instructions() -> bool:
    return shutil.which("valgrind") is not None


@dataclass(frozen=True)
class Counted:
    """Instructions (millions) beyond a bare interpreter's start-up: the import, and import + first call."""

    import_m: float
    all_in_m: float


def _samples(codes: list[str], env: dict[str, str]) -> list[tuple[float, float, float, float]]:
    """The first run untimed (it writes any missing .pyc files so every timed run starts alike)."""
    _run(codes[0], env)
    return [_run(code, env) for code in codes[1:]]


LIBRARIES = (("boto3", BOTO3), ("floor", FLOOR), ("floor + Tracer", FLOOR_WITH_TRACER), ("form floor", FORM_FLOOR))


def libraries(env: dict[str, str], layers: list[str], runs: int) -> dict[str, float]:
    """Median import ms of bare boto3, the libraries' floor, the floor with Powertools' Tracer, and the ticket
    form's libraries."""
    found = {}
    for name, code in LIBRARIES:
        samples = _samples([_LIBRARIES.format(paths=layers, code=code)] * (runs + 1), env)
        found[name] = statistics.median(s[0] for s in samples) * 1000
    return found


# Per function: its first invocation, and what its answer must be for the figure to count.
FIRST_CALLS = {
    "ApiFunction": ("POST /api/tickets (the ticket form)", "result['statusCode'] == 201"),
    "TicketStreamFunction": ("the batch a new ticket makes (assignment, emails, figures)",
                             "result == {'batchItemFailures': []}"),
    "WorkerFunction": ("a first-response SLA falling due", "result == {'batchItemFailures': []}"),
    "SpendingStreamFunction": ("a running total passing 80% of the budget (an alert)",
                               "result == {'batchItemFailures': []}"),
    "SchedulerFunction": ("one scheduled run", "isinstance(result, dict)"),
    # Under the default parameters (no InboundDomain) SES receives nothing: bounces are what this function gets.
    "InboundFunction": ("SES's bounce of the form's customer (AWS's sample, as EventBridge delivers it)",
                        "result == {'outcomes': ['Bounced']}"),
}
BOUNCE_SAMPLE = ROOT / "tests" / "fixtures" / "ses" / "bounce_event.json"  # AWS's own (its README says where from)


def bounce_event(address: str, configuration_set: str) -> dict[str, Any]:
    """SES's sample Bounce record for `address`, sent through the stack's configuration set, on the bus as that
    set's EventBridge destination puts it (infra.local.mail_events); the template's rule matches it."""
    sample = BOUNCE_SAMPLE.read_text().replace("recipient@example.com", address)
    return on_the_bus(json.loads(sample.replace('"ConfigSet"', json.dumps(configuration_set))))


def run(
    runs: int, progress: Callable[[str], None], only: tuple[str, ...] | None = None, *, count: bool = False
) -> tuple[dict[str, Cold], dict[str, tuple[str, Cold]], dict[str, Counted]]:
    """Every library figure and every function's import + first call, `runs` fresh interpreters each,
    interleaved: each round runs every one once (after one untimed round that writes any missing .pyc
    files), so the machine's load moves them together. Returns (the libraries', each function's) figures,
    and with `count` (and valgrind installed) one more round's instruction counts of each.
    `only` names the functions to measure (all by default)."""
    overrides = {
        "SenderEmail": LOCAL_SENDER, "SiteUrl": "http://127.0.0.1:3000", "AdminEmails": "admin@pennydesk.local"
    }
    template = Template.load(ROOT / "template.yaml", overrides)
    layers = _layer_paths(template)
    specs = {spec.logical_id: spec for spec in template.functions()}
    wanted = [f for f in FIRST_CALLS if f in specs and (only is None or f in only)]
    samples: dict[str, list[tuple[float, float, float, float]]] = {name: [] for name, _ in LIBRARIES}
    samples |= {f: [] for f in wanted}
    progress("moto in a process of its own (bench.moto_proxy), the template provisioned")
    with moto_proxy(overrides) as (endpoint, function_env):
        env = {**_child_env({**function_env, "POWERTOOLS_LOG_LEVEL": "ERROR"}), "AWS_ENDPOINT_URL": endpoint}
        tickets, spending = function_env["TICKETS_TABLE"], function_env["SPENDING_TABLE"]
        queue_name = function_env.get("WORK_QUEUE_URL", "queue").rsplit("/", 1)[-1]
        queue_arn = f"arn:aws:sqs:us-east-1:123456789012:{queue_name}"
        secret = origin_secret(endpoint, function_env.get("ORIGIN_SECRET_ID"))
        alerts = spending_batches(endpoint, spending, runs + 2) if "SpendingStreamFunction" in wanted else []
        seen_tickets: set[str] = set()
        latest = [""]  # the ticket the form created this round

        def first_call(logical_id: str, event: dict[str, Any]) -> str:
            spec, (_, check) = specs[logical_id], FIRST_CALLS[logical_id]
            module_file, handler = spec.handler.rsplit(".", 1)
            return _FIRST_CALL.format(
                paths=[str(spec.code_uri), *layers], file=str(spec.code_uri / f"{module_file}.py"),
                function=logical_id, handler=handler, event=json.dumps(event), check=check,
            )

        def new_ticket_batch() -> dict[str, Any]:
            """The stream batch of the ticket the form just created (before any function reacted to it)."""
            fresh = [b for b in ticket_batches(endpoint, tickets) if _ticket_of(b) not in seen_tickets]
            if len(fresh) != 1:
                raise RuntimeError(f"expected one new ticket's stream batch, found {len(fresh)}")
            latest[0] = _ticket_of(fresh[0])
            seen_tickets.add(latest[0])
            return fresh[0]

        def events(logical_id: str, i: int) -> dict[str, Any]:
            if logical_id == "ApiFunction":
                return ticket_form_event(i, secret)
            if logical_id == "TicketStreamFunction":
                return new_ticket_batch()
            if logical_id == "WorkerFunction":
                due = due_sla_messages(endpoint, tickets, queue_arn)
                return next(m for m in due if latest[0] in m["Records"][0]["body"])
            if logical_id == "SpendingStreamFunction":
                return alerts[i]
            if logical_id == "SchedulerFunction":
                return schedule_event("SchedulerFunction", datetime.now(UTC))
            return bounce_event(customer_address(i), function_env["SES_CONFIGURATION_SET"])

        if "ApiFunction" not in wanted and {"TicketStreamFunction", "WorkerFunction"} & set(wanted):
            raise RuntimeError("the ticket stream's and the worker's events come from the ticket form's calls")
        for i in range(runs + 1):
            progress(f"round {i}/{runs}" + (" (untimed: writes any missing .pyc files)" if i == 0 else ""))
            for name, code in LIBRARIES:
                sample = _run(_LIBRARIES.format(paths=layers, code=code), env)
                if i:
                    samples[name].append(sample)
            for logical_id in wanted:  # in FIRST_CALLS' order: the form's ticket feeds the stream, then the worker
                sample = _run(first_call(logical_id, events(logical_id, i)), env)
                if i:
                    samples[logical_id].append(sample)
        counted: dict[str, Counted] = {}
        if count and can_count_instructions():
            progress("one more round under valgrind: instructions executed")
            start = instructions("print('BENCH')", env)
            for name, code in LIBRARIES:
                library = instructions(_LIBRARIES.format(paths=layers, code=code), env) - start
                counted[name] = Counted(library / 1e6, library / 1e6)
            for logical_id in wanted:
                spec = specs[logical_id]
                module_file = spec.handler.rsplit(".", 1)[0]
                imported = instructions(_IMPORT.format(
                    paths=[str(spec.code_uri), *layers], file=str(spec.code_uri / f"{module_file}.py")
                ), env) - start
                all_in = instructions(first_call(logical_id, events(logical_id, runs + 1)), env) - start
                counted[logical_id] = Counted(imported / 1e6, all_in / 1e6)
    floor = {name: Cold.of(samples[name]) for name, _ in LIBRARIES}
    return floor, {f: (FIRST_CALLS[f][0], Cold.of(samples[f])) for f in wanted}, counted


def _ticket_of(batch: dict[str, Any]) -> str:
    return str(batch["Records"][0]["dynamodb"]["Keys"]["pk"]["S"]).split("TICKET#", 1)[1].split("#")[0]


if __name__ == "__main__":  # pragma: no cover - a quick way to look at this section alone
    import sys

    names = tuple(a for a in sys.argv[1:] if not a.isdigit() and not a.startswith("--")) or None
    rounds = next((int(a) for a in sys.argv[1:] if a.isdigit()), 3)
    floor, cold, counted = run(rounds, lambda m: print(m, file=sys.stderr), names, count="--count" in sys.argv)
    boto3 = floor["boto3"]
    for name, c in floor.items():
        print(f"{name:24} import {c.import_ms:6.0f} ms (min {c.import_min_ms:4.0f})  "
              f"x boto3 {c.import_ms / boto3.import_ms:.2f} (min/min {c.import_min_ms / boto3.import_min_ms:.2f})")
    for name, (what, c) in cold.items():
        print(f"{name:24} import {c.import_ms:6.0f} ms (min {c.import_min_ms:4.0f})  first call {c.call_ms:6.0f} ms "
              f"(+{c.aws_ms:.0f} ms AWS)  all in {c.all_in_ms:6.0f} ms (min {c.all_in_min_ms:4.0f})  "
              f"RSS {c.rss_mb:.0f} MB; x boto3 import {c.import_ms / boto3.import_ms:.2f} "
              f"(min/min {c.import_min_ms / boto3.import_min_ms:.2f}), all in {c.all_in_ms / boto3.import_ms:.2f} "
              f"(min/min {c.all_in_min_ms / boto3.import_min_ms:.2f})  ({what})")
    for name, c in counted.items():
        print(f"{name:24} instructions: import {c.import_m:7.1f} M, all in {c.all_in_m:7.1f} M; x boto3 import "
              f"{c.import_m / counted['boto3'].import_m:.2f}, all in {c.all_in_m / counted['boto3'].import_m:.2f}")
