"""Dollars per 1,000 tickets and per 1,000 expenses, from what one run of the real flows on the local stack
counted, priced with bench/prices.py; and the measurements memory sizes are chosen from.

The ticket flow is the life of a ticket over HTTP as people drive it: intake, assignment (stream), three
replies (agent, customer, agent), resolve, the survey 48 hours on (schedule + worker) and the rating. The
expense flow is POST /api/expenses plus the spending stream. Every Lambda invocation is wrapped to count
it, its CPU time outside AWS calls, its AWS requests and the log bytes it writes at the deployed INFO level.

Lambda duration cannot be measured here, so it is modelled (prices.ASSUMED_LATENCY_MS): the product's CPU
time outside AWS calls, stretched by the function's CPU share (memory / 1,769 MB), plus one assumed round
trip per AWS request. DynamoDB capacity comes from counting.capacity_units.
"""

from __future__ import annotations

import itertools
import json
import logging
import math
import re
import statistics
import subprocess
import tempfile
import time
import tracemalloc
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from bench import prices
from bench.counting import Calls, count_calls
from bench.inprocess import customer_ip
from bench.report import Row
from infra.local.engine import LocalStack

SECTION = "cost"
HTTP_ACCESS_LOG_BYTES = 250  # one access-log line per HTTP request (template's AccessLogSettings format)
MEMORY_CHOICES = (128, 256, 512, 1024, 1769)


@dataclass
class Usage:
    """What a flow used, summed over its invocations."""

    invocations: Counter[str] = field(default_factory=Counter)
    product_cpu_ms: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    requests: dict[str, list[Counter[str]]] = field(default_factory=lambda: defaultdict(list))
    peak_kb: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    http_requests: int = 0
    log_bytes: int = 0
    emails: int = 0
    calls: Calls | None = None

    def modelled_ms(self, function: str, memory_mb: int) -> list[float]:
        """Duration per invocation of `function` at `memory_mb`: CPU stretched by its share, plus round trips."""
        stretch = max(1.0, prices.FULL_VCPU_MB / memory_mb)
        return [
            cpu * stretch + sum(prices.ASSUMED_LATENCY_MS.get(s, 10.0) * n for s, n in reqs.items())
            for cpu, reqs in zip(self.product_cpu_ms[function], self.requests[function], strict=True)
        ]


class _LogBytes(logging.Handler):
    def __init__(self, formatter: logging.Formatter | None) -> None:
        super().__init__(logging.INFO)
        self.count = 0
        if formatter is not None:
            self.setFormatter(formatter)

    def emit(self, record: logging.LogRecord) -> None:
        self.count += len(self.format(record).encode("utf-8")) + 1


class Meter:
    """Wraps every function's handler while active: counts invocations, CPU outside AWS calls, requests, logs."""

    def __init__(self, stack: LocalStack, usage: Usage, *, trace_memory: bool = False) -> None:
        self.stack, self.usage, self.trace_memory = stack, usage, trace_memory
        self.saved: list[tuple[Any, Any]] = []
        self.log_handler: _LogBytes | None = None
        self.log_state: list[tuple[Any, Any]] = []

    def __enter__(self) -> Meter:
        from pennydesk.platform.settings import get_settings

        self.calls_ctx = count_calls(get_settings().idempotency_table)
        calls = self.calls_ctx.__enter__()
        self.usage.calls = calls
        for logical_id, function in self.stack.functions.items():
            module = function.module
            real = module.lambda_handler
            self.saved.append((module, real))
            module.lambda_handler = self._wrap(logical_id, real, calls)
        self._log_at_info()
        return self

    def _wrap(self, logical_id: str, real: Any, calls: Calls) -> Any:
        usage, trace = self.usage, self.trace_memory

        def metered(event: dict[str, Any], context: Any) -> Any:
            before_cpu, before_inside = time.thread_time(), calls.cpu_seconds
            before_requests = Counter(calls.by_service)
            if trace:
                tracemalloc.reset_peak()
                base = tracemalloc.get_traced_memory()[0]
            try:
                return real(event, context)
            finally:
                cpu = time.thread_time() - before_cpu - (calls.cpu_seconds - before_inside)
                usage.invocations[logical_id] += 1
                usage.product_cpu_ms[logical_id].append(cpu * 1000)
                usage.requests[logical_id].append(Counter(calls.by_service) - before_requests)
                if trace:
                    peak = (tracemalloc.get_traced_memory()[1] - base) / 1024
                    usage.peak_kb[logical_id] = max(usage.peak_kb[logical_id], peak)

        return metered

    def _log_at_info(self) -> None:
        """Log as deployed (INFO, with the template's sampling) into a byte counter instead of stdout."""
        modules = [f.module for f in self.stack.functions.values()]
        loggers = [m.logger for m in modules if hasattr(m, "logger")]
        if not loggers:
            return
        std = loggers[0]._logger
        handlers = list(std.handlers)
        self.log_handler = _LogBytes(handlers[0].formatter if handlers else None)
        self.log_state = [(h, h.level) for h in handlers]
        for handler in handlers:
            handler.setLevel(logging.CRITICAL + 1)  # nothing reaches stdout; the bench's table is there
        self.logger_state = [(lg, lg.initial_log_level, lg._logger.level) for lg in loggers]
        for lg in loggers:
            lg.initial_log_level = logging.INFO
            lg._logger.setLevel(logging.INFO)
        std.addHandler(self.log_handler)

    def __exit__(self, *exc: object) -> None:
        for module, real in self.saved:
            module.lambda_handler = real
        if self.log_handler is not None:
            for lg, initial, level in self.logger_state:
                lg.initial_log_level = initial
                lg._logger.setLevel(level)
            for handler, level in self.log_state:
                handler.setLevel(level)
            self.logger_state[0][0]._logger.removeHandler(self.log_handler)
            self.usage.log_bytes += self.log_handler.count
        self.calls_ctx.__exit__(None, None, None)


# ------------------------------------------------------------------------------------------- the flows
def _token(text: str, page: str) -> str:
    url = next(w for w in re.findall(r"https?://\S+", text) if urlsplit(w).path.endswith(f"/{page}"))
    return parse_qs(urlsplit(url).fragment)["token"][0]


def _ok(result: Any, expected: int, what: str) -> Any:
    if result.status != expected:
        raise RuntimeError(f"{what} answered {result.status}: {result.body[:200]!r}")
    return result


_customers = itertools.count()


def ticket_flow(stack: LocalStack, count: int, usage: Usage) -> None:
    """`count` tickets through their whole life; usage counts every HTTP request, invocation and email."""
    sent_before = len(stack.outbox())
    created = []
    for i in range(count):
        body = {"name": f"Customer {i}", "email": f"cost{i}-{time.time_ns()}@example.com",
                "subject": f"Refund for order {i}", "description": "I was charged twice.", "category": "general"}
        answer = stack.http("POST", "/api/tickets", json_body=body, source_ip=customer_ip(next(_customers)))
        created.append(_ok(answer, 201, "intake").json())
    usage.http_requests += count
    stack.drain()
    outbox = stack.outbox()
    links = []
    for ticket in created:
        number = f"[#{ticket['number']}]"
        customer = next(m for m in outbox if number in m["subject"] and "We received" in m["subject"])
        agent = next(m for m in outbox if number in m["subject"] and "Assigned to you" in m["subject"])
        customer_token = _token(customer["text"], "ticket.html")
        links.append((ticket["id"], customer_token, _token(agent["text"], "agent/ticket.html")))
    for step in ("agent", "customer", "agent", "resolve"):
        for ticket_id, customer_token, agent_token in links:
            if step == "customer":
                _ok(stack.http("POST", f"/api/tickets/{ticket_id}/messages", json_body={"body": "Still charged twice."},
                               headers={"Authorization": f"Bearer {customer_token}"}), 201, "customer reply")
            else:
                action = {"action": "resolve", "body": "Refunded."} if step == "resolve" else {
                    "action": "reply", "body": "Looking into it."}
                _ok(stack.http("POST", f"/api/agent/tickets/{ticket_id}/actions", json_body=action,
                               headers={"Authorization": f"Bearer {agent_token}"}), 200, step)
        usage.http_requests += count
        stack.drain()
    stack.run_schedule(stack.now() + timedelta(hours=49))
    outbox = stack.outbox()
    for ticket, (ticket_id, _, _) in zip(created, links, strict=True):
        survey = next(m for m in outbox if f"[#{ticket['number']}] How did we do?" in m["subject"])
        token = _token(survey["text"], "survey.html")
        _ok(stack.http("POST", f"/api/tickets/{ticket_id}/feedback", json_body={"rating": 5},
                       headers={"Authorization": f"Bearer {token}"}), 201, "rating")
    usage.http_requests += count
    stack.drain()
    usage.emails += len(stack.outbox()) - sent_before


def expense_flow(stack: LocalStack, auth: dict[str, str], count: int, usage: Usage) -> None:
    sent_before = len(stack.outbox())
    for i in range(count):
        _ok(stack.http("POST", "/api/expenses", headers=auth, json_body={
            "amount": f"{3 + i % 40}.50", "category": ("groceries", "dining", "transport")[i % 3],
            "date": "2026-11-20", "payee": f"Shop {i}"}), 201, "expense")
    usage.http_requests += count
    stack.drain()
    usage.emails += len(stack.outbox()) - sent_before


# ------------------------------------------------------------------------------------------- pricing
def template_memory() -> dict[str, int]:
    from infra.local.engine import LOCAL_SENDER, ROOT
    from infra.local.template import Template

    template = Template.load(ROOT / "template.yaml", {"SenderEmail": LOCAL_SENDER, "SiteUrl": "http://x",
                                                     "AdminEmails": ""})
    return {spec.logical_id: spec.memory for spec in template.functions()}


def dollars(usage: Usage, units: int, memory: dict[str, int]) -> dict[str, float]:
    """Dollars for the flow, scaled to 1,000 of `units` (tickets or expenses), by line."""
    assert usage.calls is not None
    calls, scale = usage.calls, 1000 / units
    gb_seconds = sum(
        memory[f] / 1024 * sum(usage.modelled_ms(f, memory[f])) / 1000 for f in usage.invocations
    )
    invocations = sum(usage.invocations.values())
    lines = {
        "API Gateway HTTP API": usage.http_requests * prices.HTTP_API_REQUEST.usd,
        "Lambda requests": invocations * prices.LAMBDA_REQUEST.usd,
        "Lambda duration (arm64, modelled)": gb_seconds * prices.LAMBDA_ARM_GB_SECOND.usd,
        "DynamoDB writes": calls.write_units * prices.DYNAMODB_WRITE_UNIT.usd,
        "DynamoDB reads": calls.read_units * prices.DYNAMODB_READ_UNIT.usd,
        "SQS": calls.by_service["sqs"] * prices.SQS_REQUEST.usd,
        "Secrets Manager calls": calls.by_service["secretsmanager"] * prices.SECRETS_API_CALL.usd,
        "CloudWatch Logs": (usage.log_bytes + invocations * prices.PLATFORM_LOG_BYTES_PER_INVOCATION
                            + usage.http_requests * HTTP_ACCESS_LOG_BYTES) / 1e9 * prices.LOGS_INGESTED_GB.usd,
        "SES": usage.emails * prices.SES_EMAIL.usd,
    }
    return {name: value * scale for name, value in lines.items()}


# ------------------------------------------------------------------------------------------- right-sizing
_RSS_CHILD = """\
import importlib.util, sys, time
def high_water_mb():  # VmHWM: this process's peak RSS (ru_maxrss would carry the parent's over exec)
    with open("/proc/self/status") as status:
        return next(int(l.split()[1]) for l in status if l.startswith("VmHWM")) / 1024
sys.path[:0] = {paths!r}
before = high_water_mb()
t0 = time.perf_counter()
spec = importlib.util.spec_from_file_location("lambda_handler_module", {file!r})
module = importlib.util.module_from_spec(spec)
sys.modules["lambda_handler_module"] = module
spec.loader.exec_module(module)
print("BENCH", time.perf_counter() - t0, before, high_water_mb())
"""


def rss_after_init() -> dict[str, tuple[float, float, float]]:
    """Per function: (import s, peak RSS MB before the import, after it), each in a fresh interpreter."""
    from bench.coldstart import PYTHON, _child_env, _layer_paths, function_environment
    from infra.local.engine import LOCAL_SENDER, ROOT
    from infra.local.template import Template

    env = _child_env(function_environment("ERROR"))
    template = Template.load(ROOT / "template.yaml", {"SenderEmail": LOCAL_SENDER, "SiteUrl": "http://x",
                                                     "AdminEmails": ""})
    layers = _layer_paths(template)
    found = {}
    for spec in template.functions():
        file = spec.code_uri / f"{spec.handler.rsplit('.', 1)[0]}.py"
        code = _RSS_CHILD.format(paths=[str(spec.code_uri), *layers], file=str(file))
        done = subprocess.run([str(PYTHON), "-c", code], env=env, cwd=ROOT, capture_output=True, text=True,  # noqa: S603
                              check=False)
        line = next((ln for ln in done.stdout.splitlines() if ln.startswith("BENCH")), None)
        if line is None:
            raise RuntimeError(f"RSS measurement failed for {spec.logical_id}: {done.stderr[-500:]}")
        _, seconds, before, after = line.split()
        found[spec.logical_id] = (float(seconds), float(before), float(after))
    return found


# ------------------------------------------------------------------------------------------- the run
def run(quick: bool) -> tuple[list[Row], list[str], dict[str, Any]]:
    from bench.import_csv import session

    tickets, expenses = (6, 30) if quick else (10, 50)
    memory = template_memory()
    with tempfile.TemporaryDirectory(prefix="pennydesk-bench-") as tmp:
        seed = Path(tmp) / "seed.json"
        seed.write_text(json.dumps({"admins": [], "agents": [
            {"name": f"Agent {i}", "email": f"cost-agent{i}@bench.local", "categories": ["general"]}
            for i in range(3)]}), encoding="utf-8")
        stack = LocalStack(seed=seed, log_level="ERROR").start()
    try:
        warm = Usage()
        ticket_flow(stack, 1, warm)  # clients built, secret cached, templates compiled: the warm steady state
        auth = session(stack, "spender@bench.local")
        expense_flow(stack, auth, 2, warm)
        ticket_usage, expense_usage = Usage(), Usage()
        with Meter(stack, ticket_usage):
            ticket_flow(stack, tickets, ticket_usage)
        with Meter(stack, expense_usage):
            expense_flow(stack, auth, expenses, expense_usage)
        idle = Usage()
        with Meter(stack, idle):
            stack.run_schedule(stack.now() + timedelta(minutes=5))  # a schedule run with nothing due
        peaks = Usage()
        tracemalloc.start()
        try:
            with Meter(stack, peaks, trace_memory=True):
                ticket_flow(stack, 1, peaks)
                expense_flow(stack, auth, 3, peaks)
        finally:
            tracemalloc.stop()
        largest_item = _largest_item_bytes()
    finally:
        stack.stop()
    rss = rss_after_init()
    own_rss = _own_high_water_mb()

    per_ticket = dollars(ticket_usage, tickets, memory)
    per_expense = dollars(expense_usage, expenses, memory)
    ticket_total, expense_total = sum(per_ticket.values()), sum(per_expense.values())
    emails_per_ticket = ticket_usage.emails / tickets
    ses_floor = emails_per_ticket * 1000 * prices.SES_EMAIL.usd
    seat_month = 5 * prices.ZENDESK_SUITE_TEAM_AGENT_MONTH.usd
    runs_a_month = 30 * 24 * 12  # rate(5 minutes)
    idle_run = sum(dollars(idle, 1, memory).values()) / 1000  # dollars() scales to 1,000 units
    idle_month = idle_run * runs_a_month + prices.SECRET_MONTH.usd
    breakeven = (seat_month - idle_month) / ticket_total * 1000 if ticket_total else math.inf

    rows = [
        Row(SECTION, "Cost per 1,000 tickets (intake, assign, 3 replies, resolve, survey)", ticket_total, "USD",
            f"SES floor: {emails_per_ticket:g} emails per ticket", ses_floor, "USD",
            note=f"{ticket_total / ses_floor:.1f}x the email price; lines in the notes"),
        Row(SECTION, "Cost per 1,000 expenses (POST + spending stream)", expense_total, "USD",
            "1,000 tickets", ticket_total, "USD"),
        Row(SECTION, "Five agents, one month: Pennydesk fixed cost (schedule every 5 min + secret)", idle_month,
            "USD", "Zendesk Suite Team, 5 seats (list price, unconfirmed)", seat_month, "USD",
            note=f"Pennydesk reaches 5 seats' price at {breakeven:,.0f} tickets a month"),
    ]
    per_function = []
    for f in sorted(set(ticket_usage.invocations) | set(expense_usage.invocations)):
        samples = ticket_usage.product_cpu_ms.get(f, []) + expense_usage.product_cpu_ms.get(f, [])
        reqs = ticket_usage.requests.get(f, []) + expense_usage.requests.get(f, [])
        per_function.append((f, statistics.median(samples), statistics.mean(sum(r.values()) for r in reqs)))
    notes = [
        f"Cost model (prices of {prices.TAKEN_ON}, bench/prices.py; unconfirmed prices: "
        + ", ".join(k for k, p in prices.ALL.items() if not p.confirmed) + "):",
        "  per 1,000 tickets: " + ", ".join(f"{k} ${v:.4f}" for k, v in per_ticket.items()),
        "  per 1,000 expenses: " + ", ".join(f"{k} ${v:.4f}" for k, v in per_expense.items()),
        f"  ticket flow ({tickets} tickets): {dict(ticket_usage.invocations)} invocations, "
        f"{ticket_usage.http_requests} HTTP requests, {ticket_usage.emails} emails, "
        f"{ticket_usage.calls.write_units:g} WRU, {ticket_usage.calls.read_units:g} RRU, "  # type: ignore[union-attr]
        f"{ticket_usage.log_bytes / tickets:,.0f} B of product logs per ticket",
        f"  expense flow ({expenses} expenses): {dict(expense_usage.invocations)} invocations, "
        f"{expense_usage.calls.write_units:g} WRU, {expense_usage.calls.read_units:g} RRU; "  # type: ignore[union-attr]
        f"largest stored item {largest_item:,} B (capacity counted per 1 KB write / 4 KB read)",
        f"  an idle schedule run: {idle.calls.describe() if idle.calls else ''}",
        "Right-sizing (per function: import s, peak RSS after init in a fresh interpreter, largest traced "
        "allocation during one invocation, median CPU ms outside AWS calls here, AWS requests per invocation, "
        "modelled ms at " + "/".join(str(m) for m in MEMORY_CHOICES) + " MB):",
    ]
    raw_sizing = {}
    for f, cpu_ms, reqs in per_function:
        seconds, _, after = rss.get(f, (0.0, 0.0, 0.0))
        usage = ticket_usage if f in ticket_usage.invocations else expense_usage
        modelled = [statistics.median(usage.modelled_ms(f, m)) for m in MEMORY_CHOICES]
        notes.append(
            f"  {f:24} import {seconds:.2f} s, RSS {after:.0f} MB, +{peaks.peak_kb.get(f, 0) / 1024:.1f} MB peak, "
            f"CPU {cpu_ms:.1f} ms, {reqs:.1f} req; " + "/".join(f"{m:.0f}" for m in modelled) + " ms"
        )
        raw_sizing[f] = {"import_s": seconds, "rss_mb": after, "peak_invocation_mb": peaks.peak_kb.get(f, 0) / 1024,
                         "cpu_ms": cpu_ms, "requests": reqs, "modelled_ms": dict(zip(MEMORY_CHOICES, modelled,
                                                                                          strict=True))}
    notes.append(f"  (this bench process peaked at {own_rss:.0f} MB RSS with moto and every function loaded)")
    raw = {"per_1000_tickets": per_ticket, "per_1000_expenses": per_expense, "sizing": raw_sizing,
           "emails_per_ticket": emails_per_ticket, "idle_month": idle_month}
    return rows, notes, raw


def _own_high_water_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM")) / 1024


def _largest_item_bytes() -> int:
    import boto3

    from infra.local.engine import REGION

    client = boto3.client("dynamodb", region_name=REGION)
    largest = 0
    for table in client.list_tables()["TableNames"]:
        for page in client.get_paginator("scan").paginate(TableName=table):
            for item in page["Items"]:
                size = sum(len(k) + len(json.dumps(v)) for k, v in item.items())
                largest = max(largest, size)
    return largest


if __name__ == "__main__":
    import sys
    import warnings

    from bench.report import render_table

    warnings.filterwarnings("ignore", message="No application metrics to publish")
    table_rows, table_notes, _ = run("--quick" in sys.argv)
    print(render_table(table_rows))
    print("\n".join(table_notes))
