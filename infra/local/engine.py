"""The local stack's engine: template.yaml running on moto in this process.

LocalStack composes the pieces, one job each: provisioning.py creates every table, queue, secret and SES
identity the template declares and imports the real Lambda handlers; events.py builds what AWS hands them
(API Gateway HTTP API payload 2.0, SQS records, EventBridge schedule events, on-failure records);
streams.py and queues.py poll DynamoDB streams and SQS queues as Lambda's event source mappings do
(ReportBatchItemFailures, BisectBatchOnFunctionError, bounded retries, on-failure and dead-letter queues);
clock.py keeps a replayable clock for the scheduled functions; outbox.py reads SES's sent mail back. `make
dev` serves it over HTTP (server.py); the pytest fixtures drive it directly. Nothing in functions/ or
layers/ knows which.
"""

from __future__ import annotations

import json
import os
import threading
import traceback
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

import boto3
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID

from infra.local import outbox as ses_outbox
from infra.local import provisioning
from infra.local.clock import Clock, ClockError, is_scheduled
from infra.local.events import (
    HttpResult,
    HttpRoute,
    http_event,
    http_result,
    internal_server_error,
    not_found,
    schedule_event,
    sqs_record,
)
from infra.local.mail_fields import assign_message_ids_as_ses_does
from infra.local.moto_speedups import speed_up_moto
from infra.local.queues import QueueMapping
from infra.local.runtime import BASE_ENVIRONMENT, REGION, ROOT, LocalContext, LocalFunction
from infra.local.streams import StreamMapping
from infra.local.template import Template

LOCAL_SENDER = "desk@pennydesk.local"
DEFAULT_SEED = ROOT / "infra" / "seed.json"

# Imported from here by tests, bench/ and server.py; each lives in the module that does its job.
__all__ = [
    "BASE_ENVIRONMENT",
    "DEFAULT_ACCOUNT_ID",
    "DEFAULT_SEED",
    "LOCAL_SENDER",
    "REGION",
    "ROOT",
    "ClockError",
    "HttpResult",
    "HttpRoute",
    "LocalContext",
    "LocalFunction",
    "LocalStack",
    "QueueMapping",
    "StreamMapping",
    "speed_up_moto",
    "sqs_record",
]


class LocalStack:
    def __init__(
        self,
        root: Path = ROOT,
        *,
        site_url: str = "http://127.0.0.1:3000",
        seed: Path | None = DEFAULT_SEED,
        log_level: str = "WARNING",
    ) -> None:
        self.root = root
        self.site_url = site_url
        self.seed_path = seed
        self.log_level = log_level
        self.lock = threading.RLock()
        self._origin_secret: str | None = None
        self.functions: dict[str, LocalFunction] = {}
        self.routes: list[HttpRoute] = []
        self.streams: list[StreamMapping] = []
        self.queues: list[QueueMapping] = []
        self.resolved: provisioning.Resolved = {}
        self.clock = Clock()
        self._mock: Any = None
        self.template: Template | None = None

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> LocalStack:
        seed = json.loads(self.seed_path.read_text()) if self.seed_path else {"admins": [], "agents": []}
        os.environ.update(BASE_ENVIRONMENT)
        # Presigned S3 links point at the stack's own server (infra/local/blobs.py serves them from moto).
        os.environ["BLOB_PUBLIC_ENDPOINT"] = f"{self.site_url}/_local/s3"
        speed_up_moto()
        assign_message_ids_as_ses_does()
        self._mock = mock_aws()
        self._mock.start()
        self.template = Template.load(
            self.root / "template.yaml",
            {
                "SenderEmail": LOCAL_SENDER,
                "InboundDomain": "pennydesk.local",
                "SiteUrl": self.site_url,
                "AdminEmails": ",".join(seed.get("admins", [])),
            },
        )
        self.resolved = provisioning.create_resources(self.template)
        provisioning.enter_container(self.template, self.resolved, self.log_level)
        _new_container()
        wiring = provisioning.Wiring(self.routes, self.streams, self.queues)
        self.functions.update(provisioning.load_functions(self.template, self.resolved, wiring))
        self._seed_agents(seed.get("agents", []))
        return self

    def stop(self) -> None:
        self.clock.stop()
        if self._mock is not None:
            self._mock.stop()
            self._mock = None

    def __enter__(self) -> LocalStack:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _seed_agents(self, agents: Iterable[dict[str, Any]]) -> None:
        from pennydesk.helpdesk import roster as roster

        for agent in agents:
            roster.create_agent(
                email=agent["email"],
                name=agent["name"],
                categories=agent["categories"],
                capacity=agent.get("capacity"),
            )

    # ------------------------------------------------------------------ invoking
    def invoke(self, logical_id: str, event: dict[str, Any]) -> Any:
        function = self.functions[logical_id]
        with self.lock:
            return function.invoke(event)

    def http(
        self,
        method: str,
        path: str,
        *,
        query: str = "",
        headers: dict[str, str] | None = None,
        body: bytes | str | None = None,
        json_body: Any = None,
        source_ip: str = "127.0.0.1",
    ) -> HttpResult:
        """One HTTP request through the API function, as API Gateway's HTTP API would deliver it."""
        headers = {**self.cloudfront_headers(source_ip), **{k.lower(): v for k, v in (headers or {}).items()}}
        if json_body is not None:
            body = json.dumps(json_body)
            headers.setdefault("content-type", "application/json")
        route = next((r for r in self.routes if r.serves(method, path)), None)
        if route is None:
            return not_found()
        event = http_event(method.upper(), path, query, headers, body, source_ip, route)
        try:
            response = self.invoke(route.function.spec.logical_id, event)
        except Exception:  # a handler crash is what API Gateway shows as a bare 500
            traceback.print_exc()
            return internal_server_error()
        return http_result(response)

    def cloudfront_headers(self, source_ip: str) -> dict[str, str]:
        """What the site's CloudFront adds to every request it forwards to the API: the origin secret (from the
        template's OriginVerifySecret, as the distribution reads it) and the visitor's address."""
        if self._origin_secret is None:
            secret = boto3.client("secretsmanager", region_name=REGION).get_secret_value(SecretId="OriginVerifySecret")
            self._origin_secret = json.loads(secret["SecretString"])["value"]
        port = 443
        address = f"[{source_ip}]:{port}" if ":" in source_ip else f"{source_ip}:{port}"
        return {"x-pennydesk-origin": self._origin_secret, "cloudfront-viewer-address": address}

    # ------------------------------------------------------------------ streams and queues
    def pump(self) -> int:
        """Deliver at most one batch per stream mapping and per queue mapping; returns how many records
        and messages were delivered."""
        delivered = 0
        for mapping in [*self.streams, *self.queues]:
            with self.lock:
                delivered += mapping.pump()
        return delivered

    def drain(self, max_rounds: int = 100_000) -> None:
        """Run stream and queue functions until nothing is left anywhere (retries included).

        A queue message whose invocation failed would come back after its visibility timeout; here that
        wait is skipped (it is made visible at once), so retries, and the move to the dead-letter queue
        after maxReceiveCount receives, happen within the drain and it ends deterministically.
        """
        for _ in range(max_rounds):
            if self.pump() == 0 and self._release_failed() == 0:
                return
        raise RuntimeError("streams and queues did not go idle; a function may be re-triggering itself forever")

    def _release_failed(self) -> int:
        released = 0
        for mapping in self.queues:
            with self.lock:
                released += mapping.release_failed()
        return released

    def skip_stream_backlog(self) -> None:
        """Every stream mapping reads on from the end of its stream as it is now, as a mapping created now
        with StartingPosition LATEST would: what was written before (a bench's bulk seeding) is never
        delivered."""
        with self.lock:
            for mapping in self.streams:
                table = next(k for k, v in self.resolved.items() if v.get("StreamArn") == mapping.stream_arn)
                mapping.skip_backlog(table)

    # ------------------------------------------------------------------ schedule and clock
    def now(self) -> datetime:
        return self.clock.now()

    def advance_clock(self, moment: datetime) -> None:
        """Move this process's clock to `moment` (never back); it keeps ticking from there."""
        self.clock.advance(moment)

    def scheduled_functions(self) -> list[LocalFunction]:
        return [f for f in self.functions.values() if is_scheduled(f.spec)]

    def run_schedule(self, moment: datetime) -> list[str]:
        """Advance the clock, run every scheduled function with that event time, then drain.

        The moment of the last run (or anything since) may be given again: that is EventBridge delivering
        an event twice or late, so the functions run with that time and the clock stays where it is.
        Anything earlier is refused, like the clock itself.
        """
        self.clock.reach_schedule(moment)
        ran = []
        self.drain()
        for function in self.scheduled_functions():
            self.invoke(function.spec.logical_id, schedule_event(function.spec.logical_id, moment))
            ran.append(function.spec.logical_id)
        self.drain()
        return ran

    # ------------------------------------------------------------------ outbox
    def outbox_size(self) -> int:
        """How many emails SES accepted, without parsing them (the outbox parses every one)."""
        with self.lock:
            return ses_outbox.count()

    def outbox(self) -> list[dict[str, Any]]:
        """Every email SES accepted, oldest first, with both parts decoded."""
        with self.lock:
            sent = ses_outbox.sent()
        return ses_outbox.decode(sent)


def _new_container() -> None:
    """The product's per-container caches start afresh, as in a new Lambda container (its layer is on
    sys.path by now)."""
    from pennydesk.platform.process import reset_caches

    reset_caches()
