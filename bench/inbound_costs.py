"""Dollars per 1,000 customer replies that arrive by email, from one run of the real path on the local stack:
SES receiving stores the message in the inbound bucket and invokes the inbound function, which adds the reply
through the workflow; the ticket stream then emails the agent. Priced like bench/costs.py (its Meter and
dollars()), plus what only this path pays: SES receiving per message and per 256 KB chunk, and the S3 PUT
(SES's) and GET (the function's) of the raw message."""

from __future__ import annotations

import json
import tempfile
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from bench import prices
from bench.costs import Meter, Usage, dollars, template_memory
from bench.report import Row
from infra.local.engine import LocalStack
from infra.local.inbound import deliver

SECTION = "cost"
CHUNK_BYTES = 256 * 1024


def _open_tickets(stack: LocalStack, count: int) -> list[dict[str, Any]]:
    """`count` tickets as the form opens them; each one's confirmation (the email a customer replies to)."""
    numbers = []
    for i in range(count):
        answer = stack.http("POST", "/api/tickets", json_body={
            "name": f"Replier {i}", "email": f"replier{i}@example.com", "subject": f"Order {i} arrived broken",
            "description": "The box was crushed.", "category": "general"}, source_ip=f"198.51.100.{i % 250 + 1}")
        numbers.append(answer.json()["number"])
    stack.drain()
    outbox = stack.outbox()
    return [next(m for m in outbox if f"[#{n}] We received" in m["subject"]) for n in numbers]


def _reply(confirmation: dict[str, Any]) -> bytes:
    """A customer's reply as a mail client writes it: new text, then the quoted confirmation."""
    reply = EmailMessage()
    reply["From"] = confirmation["to"][0]
    reply["To"] = confirmation["reply_to"]
    reply["Subject"] = f"Re: {confirmation['subject']}"
    reply["In-Reply-To"] = confirmation["headers"]["Message-ID"]
    quoted = "\n".join(f"> {line}" for line in confirmation["text"].splitlines())
    reply.set_content(f"Photos of the box are on their way.\n\nOn Tue, 1 Dec 2026, Pennydesk wrote:\n{quoted}\n")
    return reply.as_bytes()


def measure(replies: int) -> tuple[Usage, int]:
    """Usage of `replies` emailed replies (after one unmetered warm-up) and the raw bytes received."""
    with tempfile.TemporaryDirectory(prefix="pennydesk-bench-") as tmp:
        seed = Path(tmp) / "seed.json"
        seed.write_text(json.dumps({"admins": [], "agents": [
            {"name": f"Agent {i}", "email": f"inbound-agent{i}@bench.local", "categories": ["general"]}
            for i in range(3)]}), encoding="utf-8")
        stack = LocalStack(seed=seed, log_level="ERROR").start()
    try:
        warm, *confirmations = _open_tickets(stack, replies + 1)
        deliver(stack, _reply(warm))
        stack.drain()
        usage, received = Usage(), 0
        with Meter(stack, usage):
            sent_before = len(stack.outbox())
            for confirmation in confirmations:
                raw = _reply(confirmation)
                received += -(-len(raw) // CHUNK_BYTES)
                deliver(stack, raw)
            stack.drain()
            usage.emails += len(stack.outbox()) - sent_before
        return usage, received
    finally:
        stack.stop()


def run(quick: bool, ticket_total: float) -> tuple[list[Row], list[str]]:
    """Rows: the inbound cost per 1,000 replies beside the SES sending floor, and per 1,000 tickets with one
    emailed reply each beside the ticket flow without it (`ticket_total`, from bench/costs.py)."""
    replies = 6 if quick else 20
    usage, chunks = measure(replies)
    lines = dollars(usage, replies, template_memory())
    scale = 1000 / replies
    lines["SES receiving"] = (replies * prices.SES_RECEIVED_EMAIL.usd + chunks * prices.SES_RECEIVED_CHUNK.usd) * scale
    lines["S3 (SES's PUT, the function's GET)"] = replies * (prices.S3_PUT.usd + prices.S3_GET.usd) * scale
    total = sum(lines.values())
    floor = 1000 * prices.SES_EMAIL.usd
    rows = [
        Row(SECTION, "Cost per 1,000 customer replies by email (SES in, S3, Lambda, DynamoDB, agent's email)", total,
            "USD", "SES sending floor: 1,000 emails", floor, "USD", note="lines in the notes"),
        Row(SECTION, "Cost per 1,000 tickets with one emailed reply each", ticket_total + total, "USD",
            "1,000 tickets without it", ticket_total, "USD"),
    ]
    notes = [
        "  per 1,000 emailed replies: " + ", ".join(f"{k} ${v:.4f}" for k, v in lines.items()),
        f"  emailed replies ({replies}): {dict(usage.invocations)} invocations, {usage.emails} emails, "
        f"{usage.calls.write_units:g} WRU, {usage.calls.read_units:g} RRU",  # type: ignore[union-attr]
    ]
    return rows, notes
