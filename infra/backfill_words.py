"""Index the subject words of tickets stored before search by words existed (`helpdesk/word_backfill.py`).

Paged and resumable: after each page it prints a cursor; if the run stops (a crash, Ctrl-C, an expired
session), start again with `--start '<that cursor>'`, or from the beginning: nothing is written twice.

    .venv/bin/python -m infra.backfill_words --stack-name pennydesk [--region eu-west-1] [--page-size 100]
    .venv/bin/python -m infra.backfill_words --stack-name pennydesk --start '{"pk": {"S": "TICKET#..."}, ...}'
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

from infra.replay import stack_resources

LAYER = Path(__file__).resolve().parents[1] / "layers" / "shared"


def run(start: dict | None, page_size: int, out: Callable[[str], None] = print) -> tuple[int, int]:
    """Backfill from `start`; prints each page's figures and cursor. Returns (tickets looked at, indexed)."""
    from pennydesk.helpdesk.word_backfill import backfill

    looked_at = indexed = 0
    for page in backfill(start, page_size):
        looked_at, indexed = looked_at + page.looked_at, indexed + page.indexed
        resume = json.dumps(page.cursor, separators=(",", ":")) if page.cursor else "done"
        out(f"{looked_at} tickets looked at, {indexed} indexed ({page.written} word items this page); next: {resume}")
    return looked_at, indexed


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.backfill_words", description=__doc__.split("\n\n")[0])
    parser.add_argument("--stack-name", required=True, help="the deployed SAM stack, e.g. pennydesk")
    parser.add_argument("--region", help="AWS region (default: your AWS configuration's)")
    parser.add_argument("--page-size", type=int, default=100, help="tickets per page (default 100)")
    parser.add_argument("--start", help="the cursor a previous run printed, to resume there")
    args = parser.parse_args(list(argv) if argv is not None else None)

    import boto3  # only the command needs AWS

    session = boto3.Session(region_name=args.region)
    os.environ["TICKETS_TABLE"] = stack_resources(session.client("cloudformation"), args.stack_name)["TicketsTable"]
    os.environ["AWS_REGION"] = session.region_name or "us-east-1"
    sys.path.insert(0, str(LAYER))
    run(json.loads(args.start) if args.start else None, args.page_size)
    return 0


if __name__ == "__main__":
    sys.exit(main())
