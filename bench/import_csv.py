"""CSV import throughput on the local stack: a bank file of N rows through POST /api/expenses/import,
against the same rows entered one by one through POST /api/expenses (a sample, extrapolated per row)."""

from __future__ import annotations

import time
import warnings
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from bench.counting import count_calls
from bench.report import Row
from infra.local.engine import LocalStack

SECTION = "import"
FULL_ROWS, QUICK_ROWS = 4_000, 2_000
ONE_BY_ONE_SAMPLE = 200
MAX_UPLOADS = 100
CATEGORIES = ("groceries", "dining", "transport", "utilities", "shopping", "entertainment")
PAYEES = ("Corner Shop", "Café Nord", "City Transit", "Power & Light", "Bookshop", "Cinema Roma", "Bakery")
OPTIONS = {
    "date": "Booking date", "amount": "Amount", "payee": "Counterparty", "category": "Category",
    "external_id": "Reference", "delimiter": "semicolon", "decimal": "comma", "date_format": "%d.%m.%Y",
}


MOTO_NOTE = (
    "moto's TransactWriteItems would deep-copy the whole table once per item for its rollback (O(table size), "
    "a cost DynamoDB does not have); the local stack backs up only the items a transaction touches "
    "(infra.local.engine.speed_up_moto)"
)


def bank_file(rows: int) -> str:
    """A semicolon, decimal-comma bank export: negative debits over 12 months, every row distinct."""
    lines = ["Booking date;Amount;Counterparty;Category;Reference"]
    for i in range(rows):
        day, month = 1 + i % 28, 1 + (i // 28) % 12
        cents = 100 + (i * 7919) % 250_000
        amount = f"-{cents // 100:,}".replace(",", ".") + f",{cents % 100:02d}"
        lines.append(f"{day:02d}.{month:02d}.2026;{amount};{PAYEES[i % len(PAYEES)]} {i};"
                     f"{CATEGORIES[i % len(CATEGORIES)]};TX{i:08d}")
    return "\n".join(lines) + "\n"


def session(stack: LocalStack, email: str) -> dict[str, str]:
    """Sign in through the emailed link, as a person would; returns the Authorization header."""
    if stack.http("POST", "/api/auth/sign-in", json_body={"email": email}).status != 202:
        raise RuntimeError("sign-in request refused")
    stack.drain()
    mail = [m for m in stack.outbox() if email in m["to"]][-1]
    link = next(w for w in mail["text"].split() if "/signin.html#token=" in w)
    token = parse_qs(urlsplit(link).fragment)["token"][0]
    granted = stack.http("POST", "/api/auth/session", json_body={"token": token})
    if granted.status != 200:
        raise RuntimeError(f"session refused: {granted.status} {granted.body[:200]!r}")
    return {"Authorization": f"Bearer {granted.json()['session']}"}


def import_until_done(stack: LocalStack, auth: dict[str, str], body: bytes) -> tuple[float, int, list[dict[str, Any]]]:
    """POST the file, and again while the reply says storing stopped early (the function's deadline);
    returns (seconds, requests, replies)."""
    headers = {**auth, "Content-Type": "text/csv"}
    replies = []
    began = time.perf_counter()
    for _ in range(MAX_UPLOADS):
        result = stack.http("POST", "/api/expenses/import", query=urlencode(OPTIONS), headers=headers, body=body)
        if result.status != 200:
            raise RuntimeError(f"import answered {result.status}: {result.body[:300]!r}")
        replies.append(result.json())
        if replies[-1]["stopped_at_line"] is None:
            return time.perf_counter() - began, len(replies), replies
    raise RuntimeError(f"import did not finish in {MAX_UPLOADS} uploads")


def one_by_one(stack: LocalStack, auth: dict[str, str], count: int) -> float:
    """Seconds for `count` expenses through POST /api/expenses, one request each."""
    began = time.perf_counter()
    for i in range(count):
        result = stack.http("POST", "/api/expenses", headers=auth, json_body={
            "amount": f"{1 + i % 90}.{i % 100:02d}", "category": CATEGORIES[i % len(CATEGORIES)],
            "date": f"2026-{1 + i % 12:02d}-{1 + i % 28:02d}", "payee": f"{PAYEES[i % len(PAYEES)]} {i}",
        })
        if result.status != 201:
            raise RuntimeError(f"POST /api/expenses answered {result.status}: {result.body[:300]!r}")
    return time.perf_counter() - began


def measure(quick: bool) -> list[Row]:
    """Import throughput (rows/s) for a 4,000-row bank file (2,000 quick) vs. the same rows one by one."""
    warnings.filterwarnings("ignore", message="No application metrics to publish")
    rows = QUICK_ROWS if quick else FULL_ROWS
    body = bank_file(rows).encode("utf-8")
    stack = LocalStack(log_level="ERROR").start()
    try:
        from pennydesk.platform.settings import get_settings

        importer, unhurried, typist = (session(stack, f"{who}@bench.local")
                                       for who in ("importer", "unhurried", "typist"))
        # The baseline first, on a table that holds only the profiles.
        sample_seconds = one_by_one(stack, typist, ONE_BY_ONE_SAMPLE)
        with count_calls(get_settings().idempotency_table) as calls:
            seconds, uploads, replies = import_until_done(stack, importer, body)
        check(replies, rows)
        again, again_uploads, again_replies = import_until_done(stack, importer, body)
        if again_replies[-1]["imported"] or again_replies[-1]["duplicates"] != rows:
            raise RuntimeError(f"re-import was not all duplicates: {again_replies[-1]['message']}")
        spec = stack.functions["ApiFunction"].spec
        deployed_timeout, spec.timeout = spec.timeout, 900  # the same file in one upload, for comparison
        try:
            unlimited, unlimited_uploads, unlimited_replies = import_until_done(stack, unhurried, body)
        finally:
            spec.timeout = deployed_timeout
        check(unlimited_replies, rows)
    finally:
        stack.stop()

    per_row = sample_seconds / ONE_BY_ONE_SAMPLE
    label = f"{rows:,} rows"
    baseline = f"POST /api/expenses one by one ({ONE_BY_ONE_SAMPLE}-row sample)"
    transactions = calls.dynamodb["TransactWriteItems"]
    queries, batch_gets = calls.dynamodb["Query"], calls.dynamodb["BatchGetItem"]
    in_transactions = sum(calls.op_seconds["dynamodb.TransactWriteItems"])
    in_reads = sum(calls.op_seconds["dynamodb.Query"]) + sum(calls.op_seconds["dynamodb.BatchGetItem"])
    other = calls.dynamodb_total - transactions - queries - batch_gets
    return [
        Row(SECTION, f"CSV import, {label}, as deployed ({deployed_timeout} s timeout): throughput",
            rows / seconds, "rows/s",
            baseline, 1 / per_row, "rows/s",
            note=(f"{uploads} uploads: each stops ~1.5 s before the deadline and the same file is sent again, as "
                  "the reply advises" if uploads > 1 else "one upload")
            + f"; {in_transactions:.1f} s in TransactWriteItems, {in_reads:.1f} s reading markers (moto serialises "
            "~1 ms per item read)"),
        Row(SECTION, f"CSV import, {label}, one upload (timeout lifted): throughput", rows / unlimited, "rows/s",
            baseline, 1 / per_row, "rows/s", note=f"{unlimited_uploads} upload; {MOTO_NOTE}"),
        Row(SECTION, f"CSV import, {label}, as deployed: wall time", seconds * 1000, "ms",
            f"one by one, extrapolated ({ONE_BY_ONE_SAMPLE} timed, x {rows / ONE_BY_ONE_SAMPLE:g})",
            per_row * rows * 1000, "ms", note="the one-by-one figure is the sample's per-row time times the row count"),
        Row(SECTION, f"CSV re-import, {label} (all duplicates): wall time", again * 1000, "ms",
            "first import, as deployed", seconds * 1000, "ms", note=f"{again_uploads} upload(s); stores nothing"),
        Row(SECTION, f"CSV import, {label}, as deployed: DynamoDB requests", calls.dynamodb_total, "req",
            "rows", rows, "rows",
            note=f"TransactWriteItems {transactions} (~{rows / max(transactions, 1):.0f} rows each), Query "
            f"{queries}, BatchGetItem {batch_gets}, other {other}"),
    ]


def check(replies: list[dict[str, Any]], rows: int) -> None:
    stored = sum(r["imported"] for r in replies)
    if stored != rows or replies[-1]["invalid"]:
        raise RuntimeError(f"imported {stored} of {rows}: {replies[-1]['message']}")


if __name__ == "__main__":
    import sys

    from bench.report import render_table

    print(render_table(measure("--quick" in sys.argv)))
