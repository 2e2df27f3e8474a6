"""`make bench [ARGS=--quick]`: run every figure, print one table, write bench/results/latest.json."""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

RESULTS = ROOT / "bench" / "results" / "latest.json"
TABLE_ORDER = (
    "cold start", "latency", "requests", "roster", "queue", "desk", "help", "import", "schedule", "cost", "build",
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a short run (under a minute): fewer samples")
    args = parser.parse_args(argv)

    warnings.filterwarnings("ignore", message="No application metrics to publish")
    mode = "quick" if args.quick else "full"
    # Sized so the full run takes under five minutes on two quiet cores; each pair still grows ten-fold or more.
    import_runs, requests, tickets = (3, 50, 15) if args.quick else (5, 100, 30)
    began = time.perf_counter()

    def progress(message: str) -> None:
        print(f"  [{time.perf_counter() - began:6.1f} s] {message}", file=sys.stderr, flush=True)

    header = (
        f"Pennydesk bench ({mode}): Python {platform.python_version()} ({platform.python_implementation()}), "
        f"{os.cpu_count()} CPUs, {platform.system()} {platform.machine()}; "
        f"N={import_runs} imports, {requests} requests, {tickets} assignments per roster"
    )
    print(header, flush=True)  # the header leads; progress goes to stderr; the table comes last

    from bench import (
        bank_import,
        build,
        coldstart,
        costs,
        desk_views,
        help_search,
        import_csv,
        inbound_costs,
        inprocess,
        queue,
        rules,
        schedule,
        spending,
    )
    from bench.report import render_table, write_json

    # Cold starts: fresh interpreters, every function and library figure once per round, rounds interleaved.
    cold_rounds = 5 if args.quick else 11
    progress(f"[1/10] cold start per function (import, first invocation), {cold_rounds} interleaved rounds")
    rows, notes, raw = coldstart.run(cold_rounds, "ERROR", progress, count=not args.quick)
    more_rows, more_notes, raw_inprocess = inprocess.run(requests, tickets, progress)
    progress("[5/10] monthly report with 10 vs 10,000 expenses, expense create")
    spending_rows = spending.measure(args.quick)
    progress("[6/10] agent queue with 10 vs 10,000 closed tickets")
    queue_rows, queue_notes = queue.run(args.quick)
    progress("[6b/10] the desk's views and searches with 100 vs 100,000 tickets (--quick: 10,000)")
    desk_rows, desk_notes = desk_views.run(args.quick)
    queue_rows, queue_notes = queue_rows + desk_rows, queue_notes + desk_notes
    progress("[6c/10] help center search: 50 vs 2,000 articles, its cold start, $ per 1,000 searches")
    help_rows, help_notes, raw_help = help_search.run(args.quick, progress)
    queue_rows, queue_notes = queue_rows + help_rows, queue_notes + help_notes
    progress(f"[7/10] CSV import throughput ({import_csv.QUICK_ROWS if args.quick else import_csv.FULL_ROWS:,} rows)")
    import_rows = import_csv.measure(args.quick)
    progress("[7b/10] payee rules: CPU per row with 10 vs 1,000 rules, requests per imported row")
    import_rows += rules.measure(args.quick)
    progress(f"[7c/10] bank files as downloaded: a {'2,000' if args.quick else '10,000'}-row DKB export, "
             "detection per file of the corpus")
    bank_rows, bank_notes = bank_import.run(args.quick)
    import_rows += bank_rows
    progress("[8/10] one schedule run as the due work grows")
    schedule_rows, schedule_notes, _ = schedule.run(args.quick, progress)
    progress("[9/10] cost model and right-sizing: ticket and expense flows, RSS after init")
    cost_rows, cost_notes, raw_costs = costs.run(args.quick)
    inbound_rows, inbound_notes = inbound_costs.run(args.quick, sum(raw_costs["per_1000_tickets"].values()))
    cost_rows, cost_notes = cost_rows + inbound_rows, cost_notes + inbound_notes
    progress("[10/10] build output size")
    build_rows, build_notes = build.run()
    rows = sorted(
        rows + more_rows + spending_rows + queue_rows + import_rows + schedule_rows + cost_rows + build_rows,
        key=lambda r: TABLE_ORDER.index(r.section),
    )
    notes = notes + more_notes + queue_notes + bank_notes + schedule_notes + cost_notes + build_notes
    wall = time.perf_counter() - began
    progress("done")

    print()
    print(render_table(rows))
    print()
    print("\n".join(notes))
    print()
    print(f"Wall time {wall:.1f} s. Ratios compare figures measured in this run; rows also in "
          f"{RESULTS.relative_to(ROOT)}.")
    meta = {
        "mode": mode,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "platform": f"{platform.system()} {platform.machine()}",
        "wall_seconds": round(wall, 2),
        "samples": {"import_runs": import_runs, "requests": requests, "assignments": tickets},
        "finished_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "raw": {"cold_start_ms": raw, **raw_inprocess, "costs": raw_costs, "help_search": raw_help},
    }
    write_json(RESULTS, meta, rows, notes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
