"""The help center's search: latency and index build time with 50 vs 2,000 articles, the cold start of the
function that serves it (the API function's first GET /api/help/suggest), and dollars per 1,000 searches.

The articles are generated Markdown of the kind a desk writes (headings, steps, lists, a table, links, code,
400-900 words each), turned into what the table stores (rendering.to_text, as a write does), and indexed by
the product's own SearchIndex. Searches are what customers type: several words in any order, words in
another form, one-letter typos, and half-typed words for the ticket form's suggestions.

The cost runs the real route on the local stack (bench.costs' Meter and dollars): searches against a warm
index, and, separately, the rebuild a warm function makes after an article changes (one Query of the
articles' partition, charged by the size of the items it reads).
"""

from __future__ import annotations

import json
import random
import statistics
import time
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from bench.report import Row

SECTION = "help"
SMALL, LARGE = 50, 2_000
TOPICS = (
    ("billing", "charged twice", ["charge", "refund", "invoice", "card", "payment", "receipt", "bank", "statement"]),
    ("billing", "change my plan", ["plan", "upgrade", "downgrade", "seat", "subscription", "renewal", "price"]),
    ("billing", "update the card on file", ["card", "expiry", "payment", "declined", "billing", "address"]),
    ("technical", "sign-in link expired", ["link", "expired", "email", "sign", "session", "browser", "spam"]),
    ("technical", "export my data", ["export", "csv", "download", "spreadsheet", "columns", "date", "format"]),
    ("technical", "import a bank file", ["import", "bank", "file", "encoding", "delimiter", "duplicate", "rows"]),
    ("technical", "the app crashes on start", ["crash", "start", "update", "version", "cache", "reinstall"]),
    ("general", "close my account", ["account", "close", "delete", "data", "retention", "confirm"]),
    ("general", "add a teammate", ["teammate", "invite", "role", "admin", "agent", "permission"]),
    ("general", "set a monthly budget", ["budget", "monthly", "limit", "alert", "category", "threshold"]),
)
FILLER = (
    "you", "can", "open", "the", "settings", "page", "and", "choose", "what", "fits", "your", "team", "best", "when",
    "this", "happens", "first", "check", "that", "everything", "is", "up", "to", "date", "then", "try", "again",
    "most", "people", "find", "it", "within", "a", "minute", "our", "support", "team", "answers", "every", "day",
)
QUERIES = (
    "I was charged twice", "charges twice on my card", "refund for a double charge", "refnd", "invoce missing",
    "change plan", "upgrading my subscription", "card declined", "update card expiry", "sign in link expired",
    "link expird", "cannot sign in", "export csv", "download my data as a spreadsheet", "import bank file",
    "duplicate rows after import", "app crashes", "crashing on start after update", "close account",
    "delete my data", "invite a teammate", "add agent role", "monthly budget alert", "budgt limit",
    "where is my receipt", "bank statement shows two payments", "payment failed", "renewal price", "spam folder",
    "date format in export",
)
PARTIAL = ("I was char", "refu", "card decl", "sign in li", "expo", "import ban", "crash", "close acc", "bud", "inv")


def article(i: int, rng: random.Random) -> tuple[str, str, str]:
    """(title, Markdown body, category) of the i-th generated article: 400-900 words on one of the topics."""
    category, subject, words = TOPICS[i % len(TOPICS)]
    title = f"How to handle: {subject} ({i})" if i >= len(TOPICS) else f"How to handle: {subject}"

    def sentence() -> str:
        picked = [rng.choice(words) if rng.random() < 0.3 else rng.choice(FILLER) for _ in range(rng.randint(8, 18))]
        return " ".join(picked).capitalize() + "."

    parts = [f"# {title}", " ".join(sentence() for _ in range(4))]
    for section in range(rng.randint(3, 5)):
        parts.append(f"## Step {section + 1}: {rng.choice(words)} and {rng.choice(words)}")
        parts.append(" ".join(sentence() for _ in range(rng.randint(3, 6))))
        parts.append("\n".join(f"- {sentence()}" for _ in range(rng.randint(2, 4))))
    parts.append("| Case | What to do |\n|---|---|\n" + "\n".join(
        f"| {rng.choice(words)} | {sentence()} |" for _ in range(3)))
    parts.append(f"See [the {rng.choice(words)} guide](https://help.example.com/{rng.choice(words)}) or run "
                 f"`pennydesk {rng.choice(words)} --check`.")
    return title, "\n\n".join(parts), category


def corpus(count: int) -> list[tuple[str, str, str]]:
    rng = random.Random(16)  # noqa: S311 - the same articles every run, not a secret
    return [article(i, rng) for i in range(count)]


def documents(articles: list[tuple[str, str, str]]) -> list[Any]:
    """What the index is built from, as the table stores it (the body's words made once per write)."""
    from pennydesk.helpcenter.index import Document
    from pennydesk.helpcenter.rendering import to_text

    return [
        Document(article_id=f"{i:032x}", slug=f"article-{i}", title=title, text=to_text(body), category=category,
                 updated_at="2026-11-01T00:00:00.000000Z")
        for i, (title, body, category) in enumerate(articles)
    ]


def layer_on_path() -> None:
    """The shared layer importable in this process, as the local stack puts it there when it starts."""
    import sys

    from bench.first_call import _layer_paths
    from infra.local.engine import LOCAL_SENDER, ROOT
    from infra.local.template import Template

    template = Template.load(ROOT / "template.yaml", {"SenderEmail": LOCAL_SENDER, "SiteUrl": "http://x",
                                                     "AdminEmails": ""})
    for path in _layer_paths(template):
        if path not in sys.path:
            sys.path.insert(0, path)


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def index_figures(count: int, builds: int, rounds: int) -> dict[str, float]:
    """Median build ms, and median/p95 ms of a search and of a suggestion, over every query `rounds` times."""
    from pennydesk.helpcenter.index import SearchIndex

    docs = documents(corpus(count))
    build_ms = []
    for _ in range(builds):
        began = time.perf_counter()
        index = SearchIndex(docs)
        build_ms.append((time.perf_counter() - began) * 1000)
    searches, suggestions, found = [], [], 0
    for _ in range(rounds):
        for query in QUERIES:
            began = time.perf_counter()
            hits = index.search(query, limit=20)
            searches.append((time.perf_counter() - began) * 1000)
            found += bool(hits)
        for query in PARTIAL:
            began = time.perf_counter()
            index.search(query, limit=5, prefix=True)
            suggestions.append((time.perf_counter() - began) * 1000)
    return {
        "build_ms": statistics.median(build_ms), "search_median_ms": statistics.median(searches),
        "search_p95_ms": _percentile(searches, 0.95), "suggest_median_ms": statistics.median(suggestions),
        "suggest_p95_ms": _percentile(suggestions, 0.95), "queries": len(searches) + len(suggestions),
        "found_share": found / len(searches), "words": sum(len(d.text.split()) for d in docs) / len(docs),
    }


# ------------------------------------------------------------------------------------------- stored articles
def article_items(articles: list[tuple[str, str, str]]) -> list[dict[str, Any]]:
    """The articles as the product stores them (records.Article), published, for BatchWriteItem."""
    from pennydesk.helpcenter.records import ARTICLES_PK, article_sk
    from pennydesk.helpcenter.rendering import to_text

    items = []
    for i, (title, body, category) in enumerate(articles):
        article_id, slug, at = uuid.uuid4().hex, f"bench-article-{i}", "2026-11-01T00:00:00.000000Z"
        items.append({
            "pk": {"S": ARTICLES_PK}, "sk": {"S": article_sk(article_id)}, "article_id": {"S": article_id},
            "title": {"S": title}, "slug": {"S": slug}, "slugs": {"L": [{"S": slug}]}, "body": {"S": body},
            "text": {"S": to_text(body)}, "category": {"S": category}, "published": {"BOOL": True},
            "author": {"S": "admin@bench.local"}, "created_at": {"S": at}, "updated_at": {"S": at},
            "version": {"N": "1"}, "views": {"N": "0"}, "helpful": {"N": "0"}, "unhelpful": {"N": "0"},
        })
    return items


def stored_bytes(item: dict[str, Any]) -> int:
    """An item's size as DynamoDB bills it: each attribute's name plus its value's UTF-8 bytes (numbers and
    lists rounded up a little)."""
    def size(value: dict[str, Any]) -> int:
        (kind, inner), = value.items()
        if kind == "S":
            return len(inner.encode("utf-8"))
        if kind == "N":
            return len(inner) // 2 + 2
        if kind == "L":
            return 3 + sum(size(v) + 1 for v in inner)
        return 1

    return sum(len(name.encode("utf-8")) + size(value) for name, value in item.items())


def store(client: Any, table: str, items: list[dict[str, Any]]) -> None:
    """The items, then a new "last changed" marker (as every article write moves it)."""
    from pennydesk.helpcenter.records import MARKER_PK, MARKER_SK

    for start in range(0, len(items), 25):
        pending = {table: [{"PutRequest": {"Item": item}} for item in items[start : start + 25]]}
        while pending:
            pending = client.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
    client.put_item(TableName=table, Item={"pk": {"S": MARKER_PK}, "sk": {"S": MARKER_SK},
                                           "token": {"S": uuid.uuid4().hex}})


# ------------------------------------------------------------------------------------------- cold start
def suggest_event(query: str, origin_secret: str | None) -> dict[str, Any]:
    """The ticket form's GET /api/help/suggest as CloudFront forwards it."""
    from infra.local.events import HttpRoute, http_event

    headers = {"host": "127.0.0.1", "accept": "application/json"}
    if origin_secret is not None:
        headers |= {"x-pennydesk-origin": origin_secret, "cloudfront-viewer-address": "198.18.9.1:44321"}
    return http_event("GET", "/api/help/suggest", urlencode({"q": query}), headers, "", "130.176.0.1",
                      HttpRoute(None, "ANY", "/api/"))  # type: ignore[arg-type]


def cold_start(runs: int, count: int, progress: Callable[[str], None]) -> dict[str, float]:
    """The API function's import and first GET /api/help/suggest (which builds the index from `count`
    published articles), in fresh interpreters against moto in a process of its own (bench.first_call)."""
    from bench import first_call
    from infra.local.engine import LOCAL_SENDER, ROOT
    from infra.local.template import Template

    overrides = {"SenderEmail": LOCAL_SENDER, "SiteUrl": "http://127.0.0.1:3000",
                 "AdminEmails": "admin@pennydesk.local"}
    template = Template.load(ROOT / "template.yaml", overrides)
    layers = first_call._layer_paths(template)
    spec = next(s for s in template.functions() if s.logical_id == "ApiFunction")
    module_file, handler = spec.handler.rsplit(".", 1)
    with first_call.moto_proxy(overrides) as (endpoint, function_env):
        env = {**first_call._child_env({**function_env, "POWERTOOLS_LOG_LEVEL": "ERROR"}),
               "AWS_ENDPOINT_URL": endpoint}
        store(first_call._client("dynamodb", endpoint), function_env["ARTICLES_TABLE"],
              article_items(corpus(count)))
        secret = first_call.origin_secret(endpoint, function_env.get("ORIGIN_SECRET_ID"))
        progress(f"ApiFunction: import + first GET /api/help/suggest ({count:,} articles) x{runs}")
        check = "result['statusCode'] == 200 and json.loads(result['body'])['articles']"
        codes = [
            first_call._FIRST_CALL.format(
                paths=[str(spec.code_uri), *layers], file=str(spec.code_uri / f"{module_file}.py"),
                function="ApiFunction", handler=handler, event=json.dumps(suggest_event("I was charged", secret)),
                check=check,
            )
            for _ in range(runs + 1)
        ]
        samples = first_call._samples(codes, env)
        # Bare `import boto3` alone (not the whole libraries' floor, which coldstart measures): the baseline.
        baseline = first_call._samples([first_call._LIBRARIES.format(paths=layers, code=first_call.BOTO3)]
                                       * (runs + 1), env)
        boto3 = statistics.median(s[0] for s in baseline) * 1000
    return {
        "import_ms": statistics.median(s[0] for s in samples) * 1000,
        "call_ms": statistics.median(s[1] for s in samples) * 1000,
        "aws_ms": statistics.median(s[2] for s in samples) * 1000,
        "rss_mb": max(s[3] for s in samples), "boto3_ms": boto3,
    }


# ------------------------------------------------------------------------------------------- cost
def cost(searches: int, count: int) -> dict[str, Any]:
    """Dollars per 1,000 searches through the real route on the local stack (warm index), and of one rebuild."""
    import boto3

    from bench.costs import Meter, Usage, dollars, template_memory
    from bench.counting import READ_UNIT_BYTES
    from infra.local.engine import REGION, LocalStack

    memory = template_memory()
    stack = LocalStack(log_level="ERROR").start()
    try:
        from pennydesk.platform.settings import get_settings

        client = boto3.client("dynamodb", region_name=REGION)
        items = article_items(corpus(count))
        store(client, get_settings().articles_table, items)
        # A consistent Query is billed one read unit per 4 KB of the items it reads, whole: the attributes it
        # leaves out (the bodies) are read and billed all the same. bench.counting only sees what came back.
        billed_units = -(-sum(stored_bytes(item) for item in items) // READ_UNIT_BYTES)

        def search(query: str) -> None:
            answer = stack.http("GET", "/api/help/articles", query=urlencode({"q": query}))
            if answer.status != 200:
                raise RuntimeError(f"search answered {answer.status}: {answer.body[:200]!r}")

        search("warm up")  # the index built, clients made: the warm steady state
        warm = Usage()
        with Meter(stack, warm):
            for i in range(searches):
                search(QUERIES[i % len(QUERIES)])
        warm.http_requests += searches
        rebuild = Usage()
        client.put_item(TableName=get_settings().articles_table, Item={
            "pk": {"S": "CHANGES"}, "sk": {"S": "ARTICLES"}, "token": {"S": uuid.uuid4().hex}})
        with Meter(stack, rebuild):
            search("charged twice")  # the marker moved: this request rebuilds the index
        rebuild.http_requests += 1
        assert warm.calls is not None and rebuild.calls is not None
        warm_calls, rebuild_calls = warm.calls.describe(), rebuild.calls.describe()
        counted_units = rebuild.calls.read_units
        rebuild.calls.read_units += billed_units - counted_units
    finally:
        stack.stop()
    per_1000 = dollars(warm, searches, memory)
    one_rebuild = {k: v / 1000 for k, v in dollars(rebuild, 1, memory).items()}
    return {
        "per_1000": per_1000, "rebuild": one_rebuild, "memory_mb": memory["ApiFunction"],
        "warm_calls": warm_calls, "rebuild_calls": rebuild_calls, "rebuild_read_units": billed_units,
        "rebuild_read_units_returned": counted_units,
        "search_cpu_ms": statistics.median(warm.product_cpu_ms["ApiFunction"]),
        "rebuild_cpu_ms": statistics.median(rebuild.product_cpu_ms["ApiFunction"]),
    }


def run(quick: bool, progress: Callable[[str], None] = lambda _: None) -> tuple[list[Row], list[str], dict[str, Any]]:
    builds, rounds, runs, searches = (3, 3, 3, 60) if quick else (5, 10, 5, 200)
    layer_on_path()
    progress(f"help search: index of {SMALL} and {LARGE:,} articles, {rounds} rounds of "
             f"{len(QUERIES) + len(PARTIAL)} queries")
    small, large = index_figures(SMALL, builds, rounds), index_figures(LARGE, builds, rounds)
    progress("help search: cold start of the API function serving GET /api/help/suggest")
    cold_small = cold_start(runs, SMALL, progress)
    cold_large = cold_start(runs, LARGE, progress)
    progress(f"help search: cost of {searches} searches on the local stack ({LARGE:,} articles)")
    money = cost(searches, LARGE)
    n = rounds * len(QUERIES)
    per_1000, rebuild = sum(money["per_1000"].values()), sum(money["rebuild"].values())
    rows = [
        Row(SECTION, f"Help search, {LARGE:,} articles: median of {n} searches", large["search_median_ms"], "ms",
            f"{SMALL} articles", small["search_median_ms"], "ms", note="goal: a few ms"),
        Row(SECTION, f"  p95 of {n} searches", large["search_p95_ms"], "ms", f"{SMALL} articles",
            small["search_p95_ms"], "ms"),
        Row(SECTION, f"  suggestions while typing (prefix), median of {len(PARTIAL) * rounds}",
            large["suggest_median_ms"], "ms", f"{SMALL} articles", small["suggest_median_ms"], "ms"),
        Row(SECTION, f"  suggestions p95 of {len(PARTIAL) * rounds}", large["suggest_p95_ms"], "ms",
            f"{SMALL} articles", small["suggest_p95_ms"], "ms"),
        Row(SECTION, f"Help index build, {LARGE:,} articles (median of {builds})", large["build_ms"], "ms",
            f"{SMALL} articles", small["build_ms"], "ms", note="a warm function rebuilds once per article change"),
        Row(SECTION, f"ApiFunction cold: import + first GET /api/help/suggest, {LARGE:,} articles (median of {runs})",
            cold_large["import_ms"] + cold_large["call_ms"], "ms", f"{SMALL} articles",
            cold_small["import_ms"] + cold_small["call_ms"], "ms",
            note=f"import {cold_large['import_ms']:.0f} ms + first call {cold_large['call_ms']:.0f} ms "
                 f"(+{cold_large['aws_ms']:.0f} ms in moto, not counted); peak RSS {cold_large['rss_mb']:.0f} MB"),
        Row(SECTION, f"  the same, {SMALL} articles, against bare import boto3", cold_small["import_ms"]
            + cold_small["call_ms"], "ms", "bare import boto3", cold_small["boto3_ms"], "ms"),
        Row("cost", f"Help search: US cents per 1,000 searches (warm index, {LARGE:,} articles)",
            per_1000 * 100, "¢", "one index rebuild", rebuild * 100, "¢",
            note=f"${per_1000:.5f} and ${rebuild:.6f}; ApiFunction at {money['memory_mb']} MB arm64"),
    ]
    notes = [
        f"Help search: generated Markdown articles of {large['words']:.0f} words on average; "
        f"{large['found_share']:.0%} of the searches found something; p95 is the 95th percentile of every query "
        f"timed in process (SearchIndex.search: typo fixes, MATCH, bm25, rows).",
        f"Help search cost: a warm search is {money['warm_calls']}; product CPU {money['search_cpu_ms']:.2f} ms "
        f"(median). A rebuild after an article changes is {money['rebuild_calls']} "
        f"({money['rebuild_read_units']:,} read units billed for the items' stored size, bodies included, though "
        f"the Query returns {money['rebuild_read_units_returned']:,.0f} units' worth without them), "
        f"product CPU {money['rebuild_cpu_ms']:.0f} ms; every warm "
        f"container rebuilds once per change.",
        "  per 1,000 searches: " + ", ".join(f"{k} ${v:.6f}" for k, v in money["per_1000"].items() if v),
        "  one rebuild: " + ", ".join(f"{k} ${v:.6f}" for k, v in money["rebuild"].items() if v),
    ]
    raw = {"index": {str(SMALL): small, str(LARGE): large}, "cold": {str(SMALL): cold_small, str(LARGE): cold_large},
           "cost": money}
    return rows, notes, raw


if __name__ == "__main__":  # `python -m bench.help_search [--quick]`: this section alone
    import sys
    import warnings

    from bench.report import render_table

    warnings.filterwarnings("ignore", message="No application metrics to publish")
    began = time.perf_counter()
    table_rows, table_notes, table_raw = run("--quick" in sys.argv,
                                             lambda m: print(f"  [{time.perf_counter() - began:6.1f} s] {m}",
                                                             file=sys.stderr, flush=True))
    print(render_table(table_rows))
    print("\n".join(table_notes))
    print(json.dumps(table_raw, indent=1, default=str))
