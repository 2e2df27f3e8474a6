"""Bank files as downloaded (issue 15): import throughput for a 10,000-row file in a real bank's layout, DynamoDB
requests per imported row, and detection time per file of the corpus (tests/fixtures/banks/).

The big file is DKB's published export (de-dkb.csv) grown to 10,000 rows: its BOM, its four lines of account
details and balance above the header, its quoting, its `08.12.25` dates and its Eingang/Ausgang column are
kept; each row of the original is repeated with another date, amount and reference (the row with the stray
quote too), so every row is distinct and about 3 in 8 are money coming in, skipped as the original's are.
It goes through POST /api/expenses/import with no options, as a person uploads it, and again while the reply
says storing stopped at the function's deadline (as the page does). Throughput is given in wall time and in
the product's own CPU time (the handler's thread, minus the CPU spent inside AWS calls: botocore and moto).

Detection is what the route does before reading rows: the bytes decoded (csv_cells.decode_any) and the layout
found (csv_options.plan, which runs csv_detect); CPU time of this thread, median of several runs per file.

Run alone: `.venv/bin/python -m bench.bank_import [--quick]`.
"""

from __future__ import annotations

import re
import statistics
import time
import warnings
from pathlib import Path
from typing import Any

from bench.counting import count_calls
from bench.import_csv import MAX_UPLOADS, session
from bench.report import Row
from infra.local.engine import LocalStack

SECTION = "import"
FULL_ROWS, QUICK_ROWS = 10_000, 2_000
FULL_RUNS, QUICK_RUNS = 15, 5  # detection runs per file
BANKS = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "banks"
TEMPLATE = "de-dkb.csv"
_DATES = re.compile(r'^"\d\d\.\d\d\.\d\d";"\d\d\.\d\d\.\d\d";')


def _dkb_amount(cents: int, negative: bool) -> str:
    """An amount as DKB writes it: no trailing zeros of the cents ("-62,3", "-48"), a dot between thousands."""
    euros, rest = divmod(cents, 100)
    text = f"{euros:,}".replace(",", ".")
    if rest:
        text += f",{rest:02d}".rstrip("0")
    return f"-{text}" if negative else text


def grown_file(rows: int) -> tuple[bytes, int, int]:
    """(the DKB file grown to `rows` rows, the expenses in it, their total in cents), worked out here from
    what was written, not from what the import answers."""
    raw = (BANKS / TEMPLATE).read_bytes()
    text = raw.decode("utf-8-sig")
    lines = text.split("\n")
    header = next(i for i, line in enumerate(lines) if line.startswith('"Buchungsdatum"'))
    preamble, originals = lines[: header + 1], [line for line in lines[header + 1:] if line.strip()]
    out, expenses, total = [], 0, 0
    for i in range(rows):
        line = originals[i % len(originals)]
        head, amount, creditor, mandate, reference = line.rsplit('";"', 4)
        negative = amount.startswith("-")
        cents = 100 + (i * 7919) % 180_000  # 1,00 to 1.800,99, some above a thousand
        day, month = 1 + i % 28, 1 + (i // 28) % 12
        stamp = f"{day:02d}.{month:02d}.25"
        head = _DATES.sub(f'"{stamp}";"{stamp}";', head, count=1)
        reference = f'{reference.rstrip(chr(34)) or "R"}-{i:05d}"'
        out.append('";"'.join((head, _dkb_amount(cents, negative), creditor, mandate, reference)))
        if negative:
            expenses, total = expenses + 1, total + cents
    body = "\n".join(preamble + out) + "\n"
    return ("\ufeff" + body).encode("utf-8") if raw.startswith(b"\xef\xbb\xbf") else body.encode("utf-8"), \
        expenses, total


def upload_until_done(stack: LocalStack, auth: dict[str, str], body: bytes) -> tuple[list[dict[str, Any]], float]:
    """POST the file with no options, and again while the reply says storing stopped early; (replies, wall s)."""
    headers = {**auth, "Content-Type": "text/csv"}
    replies = []
    began = time.perf_counter()
    for _ in range(MAX_UPLOADS):
        result = stack.http("POST", "/api/expenses/import", headers=headers, body=body)
        if result.status != 200:
            raise RuntimeError(f"import answered {result.status}: {result.body[:300]!r}")
        replies.append(result.json())
        if replies[-1]["stopped_at_line"] is None:
            return replies, time.perf_counter() - began
    raise RuntimeError(f"import did not finish in {MAX_UPLOADS} uploads")


def detection_ms(body: bytes, runs: int) -> tuple[float, float]:
    """(median, min) CPU ms of this thread to decode the bytes and find the layout, as the route does."""
    from pennydesk.spending import csv_cells, csv_detect, csv_options

    samples = []
    for _ in range(runs):
        csv_detect.forget_cells()  # each run as a fresh container's first file: no cell known yet
        began = time.thread_time()
        text, _ = csv_cells.decode_any(body)
        csv_options.plan(text, {}, currency="EUR")
        samples.append((time.thread_time() - began) * 1000)
    return statistics.median(samples), min(samples)


def detection_table(files: list[tuple[str, bytes]], runs: int) -> tuple[str, dict[str, float]]:
    """A small table: each file, its size and lines, and the median CPU ms to detect its layout."""
    medians, lines = {}, []
    for name, body in files:
        median, fastest = detection_ms(body, runs)
        medians[name] = median
        count = len(body.replace(b"\r\n", b"\n").replace(b"\r", b"\n").rstrip(b"\n").split(b"\n"))
        lines.append(f"  {name:<36} {len(body):>9,} B {count:>7,} lines  {median:8.2f} ms  (min {fastest:.2f})")
    head = f"Detection per file (decode + csv_options.plan), CPU ms, median of {runs} runs:"
    return "\n".join([head, *lines]), medians


def run(quick: bool) -> tuple[list[Row], list[str]]:
    warnings.filterwarnings("ignore", message="No application metrics to publish")
    rows = QUICK_ROWS if quick else FULL_ROWS
    body, expected, expected_cents = grown_file(rows)
    stack = LocalStack(log_level="ERROR").start()  # first: the started stack puts the layer on the path
    try:
        from pennydesk.platform.settings import get_settings

        auth = session(stack, "dkb@bench.local")
        if stack.http("PUT", "/api/me", headers=auth, json_body={"currency": "EUR"}).status != 200:
            raise RuntimeError("could not set the account's currency")
        with count_calls(get_settings().idempotency_table) as calls:
            cpu = time.thread_time()
            replies, wall = upload_until_done(stack, auth, body)
            cpu = time.thread_time() - cpu
        product_cpu = cpu - calls.cpu_seconds
        imported = sum(r["imported"] for r in replies)
        last = replies[-1]
        if imported != expected or last["invalid"]:
            raise RuntimeError(f"imported {imported} of {expected} expenses: {last['message']}")
        stored = stored_cents(stack, auth)
        if stored != expected_cents:
            raise RuntimeError(f"stored {stored} cents, the file holds {expected_cents}")
        runs = QUICK_RUNS if quick else FULL_RUNS
        corpus = [(p.name, p.read_bytes()) for p in sorted(BANKS.glob("*.csv"))]
        table, medians = detection_table([*corpus, (f"{TEMPLATE} grown to {rows:,} rows", body)], runs)
    finally:
        stack.stop()

    name = f"DKB export as downloaded, grown to {rows:,} rows"
    requests_made = calls.dynamodb_product
    ops = ", ".join(f"{op} {n}" for op, n in sorted(calls.dynamodb.items()))
    corpus_medians = {n: medians[n] for n, _ in corpus}
    slowest = max(corpus_medians, key=corpus_medians.__getitem__)
    grown_ms = medians[f"{TEMPLATE} grown to {rows:,} rows"]
    rows_out = [
        Row(SECTION, f"{name}: import throughput, wall", rows / wall, "rows/s",
            "product CPU only (moto's and botocore's time left out)", rows / product_cpu, "rows/s",
            note=f"{len(replies)} upload(s) with no options, {imported:,} expenses stored ({expected_cents / 100:,.2f} "
            f"EUR, checked against the file), {rows - imported:,} rows skipped as money coming in; wall {wall:.1f} s "
            f"of which {calls.seconds:.1f} s inside AWS calls; product CPU {product_cpu:.1f} s, about "
            f"{len(replies) * grown_ms / 1000:.1f} s of it detecting the layout (once per upload)"),
        Row(SECTION, f"{name}: DynamoDB requests per imported row", requests_made / imported, "req",
            "expenses stored", imported, "rows", note=f"{requests_made} requests on the product's tables: {ops}"),
        Row(SECTION, f"Detection, {TEMPLATE} grown to {rows:,} rows (CPU, median of {runs})", grown_ms, "ms",
            f"{TEMPLATE} as published ({len((BANKS / TEMPLATE).read_bytes()):,} B)", medians[TEMPLATE], "ms",
            note=f"decoding reads every byte, detection the first 400 lines; corpus of {len(corpus)} files: "
            f"median {statistics.median(corpus_medians.values()):.2f} ms, slowest {slowest} "
            f"{corpus_medians[slowest]:.2f} ms"),
    ]
    return rows_out, [table]


def stored_cents(stack: LocalStack, auth: dict[str, str]) -> int:
    """What the account holds for 2025, from the monthly reports (the running totals)."""
    total = 0
    for month in range(1, 13):
        reply = stack.http("GET", "/api/reports/monthly", query=f"month=2025-{month:02d}", headers=auth)
        whole, _, fraction = reply.json()["total"].partition(".")
        total += int(whole) * 100 + int(fraction.ljust(2, "0"))
    return total


def measure(quick: bool) -> list[Row]:
    return run(quick)[0]


if __name__ == "__main__":
    import sys

    from bench.report import render_table

    rows_out, notes = run("--quick" in sys.argv)
    print(render_table(rows_out))
    print()
    print("\n".join(notes))
