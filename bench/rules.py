"""Payee rules as the number of rules grows: CPU per imported row to find each row's rule, with 10 and with
1,000 rules (target: flat), and DynamoDB requests per imported row for a person with 1,000 rules against one
with none (the rules cost one Query per import, not one per row).

Run alone: `.venv/bin/python -m bench.rules [--quick]`.
"""

from __future__ import annotations

import statistics
import time
import warnings

from bench.counting import count_calls
from bench.import_csv import session
from bench.report import Row
from infra.local.engine import LocalStack

SECTION = "import"
SMALL, LARGE = 10, 1_000
STEMS = ("albert heijn", "lidl", "rewe", "shell", "aral", "netflix", "spotify", "deutsche bahn", "ns reizigers",
         "bol com", "zalando", "ikea", "hema", "kruidvat", "etos", "jumbo", "dirk", "aldi", "edeka", "penny")
# Payees as banks write them: a name, card or terminal numbers, a city, sometimes a processor in front.
PAYEES = ("ALBERT HEIJN 1081 AMSTERDAM", "LIDL SAGT DANKE//BERLIN/DE 4711", "SumUp *Cafe de Ruif 0815",
          "PAYPAL *NETFLIX 4029357733", "Shell 1234 Utrecht", "NS GROEP IZ NS REIZIGERS", "Kiosk Centraal",
          "AMAZON.DE*AB12CD34 1234567890", "Bakkerij Vink", "DB Vertrieb GmbH", "Gemeente Amsterdam Parkeren",
          "Uber *Eats Help.Uber.com", "Zalando SE Berlin", "IKEA Delft 0042", "Ticketmaster NL")


def rule_set(count: int) -> list:
    """`count` rules: the stems above plus made-up shop names (two words, as many names are)."""
    from pennydesk.spending.payee_rules import Rule, normalise

    names = list(STEMS) + [f"shop{chr(97 + n % 26)}{n} street{n % 7}" for n in range(max(0, count - len(STEMS)))]
    return [Rule(f"r{n}", name, normalise(name), "groceries", f"2026-01-01T00:00:{n % 60:02d}Z")
            for n, name in enumerate(names[:count])]


def cpu_per_row(count: int, rows: list[str], repeats: int) -> tuple[float, float]:
    """(median CPU microseconds to match one row, CPU ms to build the matcher once) with `count` rules."""
    from pennydesk.spending.payee_rules import Matcher

    rules = rule_set(count)
    began = time.process_time()
    matcher = Matcher(rules)
    build = (time.process_time() - began) * 1000
    samples = []
    for _ in range(repeats):
        began = time.process_time()
        for payee in rows:
            matcher.match(payee)
        samples.append((time.process_time() - began) / len(rows) * 1e6)
    return statistics.median(samples), build


def bank_file(rows: int) -> bytes:
    lines = ["date,amount,payee"] + [f"2026-{1 + i % 12:02d}-{1 + i % 28:02d},-{1 + i % 90}.{i % 100:02d},"
                                     f"{PAYEES[i % len(PAYEES)]} {i}" for i in range(rows)]
    return ("\n".join(lines) + "\n").encode()


def import_requests(rows: int) -> tuple[int, int, int]:
    """DynamoDB requests of one import of `rows` rows with LARGE rules and with none, and the rows categorised."""
    stack = LocalStack(log_level="ERROR").start()
    from pennydesk.platform.settings import get_settings  # the started stack put the layer on the path

    try:
        with_rules, without = session(stack, "rules@bench.local"), session(stack, "norules@bench.local")
        for rule in rule_set(LARGE):
            made = stack.http("POST", "/api/rules", headers=with_rules,
                              json_body={"contains": rule.contains, "category": "groceries"})
            if made.status != 201:
                raise RuntimeError(f"POST /api/rules answered {made.status}: {made.body[:200]!r}")
        counts, categorised = [], 0
        for auth in (with_rules, without):
            with count_calls(get_settings().idempotency_table) as calls:
                reply = stack.http("POST", "/api/expenses/import", headers={**auth, "Content-Type": "text/csv"},
                                   body=bank_file(rows))
            data = reply.json()
            if reply.status != 200 or data["imported"] != rows:
                raise RuntimeError(f"import: {reply.status} {data.get('message')}")
            categorised = categorised or data["categorised_by_rules"]
            counts.append(calls.dynamodb_product)
    finally:
        stack.stop()
    return counts[0], counts[1], categorised


def measure(quick: bool) -> list[Row]:
    warnings.filterwarnings("ignore", message="No application metrics to publish")
    import_rows = 200 if quick else 500
    with_rules, without, categorised = import_requests(import_rows)  # first: the stack puts the layer on the path
    rows = [f"{PAYEES[i % len(PAYEES)]} {i}" for i in range(2_000)]
    repeats = 5 if quick else 9
    small, small_build = cpu_per_row(SMALL, rows, repeats)
    large, large_build = cpu_per_row(LARGE, rows, repeats)
    return [
        Row(SECTION, f"Payee rules: CPU per row to find its rule, {LARGE:,} rules", large, "us",
            f"{SMALL} rules", small, "us", target=1.5,
            note=f"median of {repeats} passes over {len(rows):,} payees; rules indexed by first word; building "
            f"the index once per import: {large_build:.1f} ms ({LARGE:,}) vs {small_build:.2f} ms ({SMALL})"),
        Row(SECTION, f"CSV import, {import_rows} rows, {LARGE:,} rules: DynamoDB requests per row",
            with_rules / import_rows, "req", "no rules", without / import_rows, "req",
            note=f"{with_rules} vs {without} requests in all: the rules are one Query per import, and rows spread "
            f"over more categories fill a transaction's 100 items sooner; {categorised} rows categorised by a rule"),
    ]


if __name__ == "__main__":
    import sys

    from bench.report import render_table

    print(render_table(measure("--quick" in sys.argv)))
