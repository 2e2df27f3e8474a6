"""The local stack's engine: template.yaml running on moto in this process.

It creates every table, queue, secret and SES identity the template declares, imports the real Lambda
handlers, turns HTTP requests into API Gateway HTTP API (payload 2.0) events, feeds DynamoDB stream
records to the stream functions in batches (honouring ReportBatchItemFailures, BisectBatchOnFunctionError,
bounded retries and the on-failure queue), polls SQS queues for the functions with an SQS event (Lambda-shaped records,
ReportBatchItemFailures, the queue's own RedrivePolicy to its dead-letter queue), runs scheduled functions
with a replayable clock, and reads SES's sent mail back as an outbox. `make dev` serves it over HTTP; the
pytest fixtures drive it directly. Nothing in functions/ or layers/ knows which.
"""

from __future__ import annotations

import base64
import importlib.util
import json
import os
import secrets
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import parse_qsl

import boto3
import time_machine
from botocore.exceptions import ClientError
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import RawMessage, ses_backends
from moto.sqs.models import sqs_backends

from infra.event_filter import matches
from infra.local.template import FunctionSpec, Template

ROOT = Path(__file__).resolve().parents[2]
REGION = "us-east-1"
LOCAL_SENDER = "desk@pennydesk.local"
DEFAULT_SEED = ROOT / "infra" / "seed.json"

# Process-wide settings the handlers read; moto needs fake credentials and, for in-process DynamoDB
# Streams, the account-id endpoint mode off.
BASE_ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "local",
    "AWS_SECRET_ACCESS_KEY": "local",
    "AWS_SESSION_TOKEN": "local",
    "AWS_DEFAULT_REGION": REGION,
    "AWS_REGION": REGION,
    "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_METRICS_DISABLED": "true",
    "POWERTOOLS_DEV": "false",
}


class ClockError(ValueError):
    """The local clock only moves forward."""


@dataclass
class HttpResult:
    status: int
    headers: dict[str, str]
    body: bytes
    cookies: list[str] = field(default_factory=list)

    def json(self) -> Any:
        return json.loads(self.body)


class LocalContext:
    """The Lambda context object a handler receives: name, memory, request id, time left."""

    def __init__(self, spec: FunctionSpec) -> None:
        self.function_name = spec.logical_id
        self.function_version = "$LATEST"
        self.invoked_function_arn = f"arn:aws:lambda:{REGION}:{DEFAULT_ACCOUNT_ID}:function:{spec.logical_id}"
        self.memory_limit_in_mb = spec.memory
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{spec.logical_id}"
        self.log_stream_name = "local"
        self._deadline = time.monotonic() + spec.timeout

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


@dataclass
class LocalFunction:
    spec: FunctionSpec
    module: ModuleType

    @property
    def handler(self) -> Callable[[dict[str, Any], Any], Any]:
        return getattr(self.module, self.spec.handler.rsplit(".", 1)[1])


@dataclass
class StreamMapping:
    """One DynamoDB event source mapping: where to read, whom to call, what to do with failures."""

    function: LocalFunction
    stream_arn: str
    batch_size: int
    max_retries: int
    report_item_failures: bool
    on_failure_queue_url: str | None
    filters: list[dict[str, Any]] = field(default_factory=list)
    starting_position: str = "TRIM_HORIZON"
    iterators: dict[str, str | None] = field(default_factory=dict)
    last_sequence: dict[str, str] = field(default_factory=dict)
    pending: list[dict[str, Any]] = field(default_factory=list)
    attempts: int = 0
    failed_batches: int = 0
    bisect_on_error: bool = False
    # After a function error with BisectBatchOnFunctionError, the next batch is at most this long.
    window: int | None = None
    shard_of: dict[str, str] = field(default_factory=dict)  # sequence number -> shard, while pending


@dataclass
class QueueMapping:
    """One SQS event source mapping: which queue to poll, whom to call, how many at a time."""

    function: LocalFunction
    queue_url: str
    queue_arn: str
    batch_size: int
    report_item_failures: bool
    # Receipt handles of messages whose invocation failed: in flight until their visibility timeout ends
    # (as on AWS), or until drain() makes them visible at once so a test never waits.
    failed: list[str] = field(default_factory=list)
    invocations: int = 0


@dataclass
class HttpRoute:
    function: LocalFunction
    method: str
    prefix: str  # "/api/" for /api/{proxy+}; the whole path for a fixed route


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
        self.functions: dict[str, LocalFunction] = {}
        self.routes: list[HttpRoute] = []
        self.streams: list[StreamMapping] = []
        self.queues: list[QueueMapping] = []
        self.resolved: dict[str, dict[str, str]] = {}
        self._mock: Any = None
        self._traveller: Any = None
        self._last_schedule: datetime | None = None
        self.template: Template | None = None

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> LocalStack:
        seed = json.loads(self.seed_path.read_text()) if self.seed_path else {"admins": [], "agents": []}
        os.environ.update(BASE_ENVIRONMENT)
        speed_up_moto()
        self._mock = mock_aws()
        self._mock.start()
        self.template = Template.load(
            self.root / "template.yaml",
            {
                "SenderEmail": LOCAL_SENDER,
                "SiteUrl": self.site_url,
                "AdminEmails": ",".join(seed.get("admins", [])),
            },
        )
        self._create_resources()
        self._load_functions()
        self._seed_agents(seed.get("agents", []))
        return self

    def stop(self) -> None:
        if self._traveller is not None:
            self._traveller.stop()
            self._traveller = None
        if self._mock is not None:
            self._mock.stop()
            self._mock = None

    def __enter__(self) -> LocalStack:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ------------------------------------------------------------------ resources
    def _create_resources(self) -> None:
        assert self.template is not None
        dynamodb = boto3.client("dynamodb", region_name=REGION)
        for logical_id, resource in self.template.resources("AWS::DynamoDB::Table").items():
            props = resource["Properties"]
            args: dict[str, Any] = {
                "TableName": logical_id,
                "AttributeDefinitions": props["AttributeDefinitions"],
                "KeySchema": props["KeySchema"],
                "BillingMode": props.get("BillingMode", "PAY_PER_REQUEST"),
            }
            for indexes in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
                if props.get(indexes):
                    args[indexes] = props[indexes]
            if props.get("StreamSpecification"):
                args["StreamSpecification"] = {"StreamEnabled": True, **props["StreamSpecification"]}
            table = dynamodb.create_table(**args)["TableDescription"]
            if props.get("TimeToLiveSpecification"):
                dynamodb.update_time_to_live(
                    TableName=logical_id, TimeToLiveSpecification=props["TimeToLiveSpecification"]
                )
            self.resolved[logical_id] = {
                "Ref": logical_id,
                "Arn": table["TableArn"],
                "StreamArn": table.get("LatestStreamArn", ""),
            }
        self._create_queues()
        secretsmanager = boto3.client("secretsmanager", region_name=REGION)
        for logical_id, resource in self.template.resources("AWS::SecretsManager::Secret").items():
            generate = resource["Properties"].get("GenerateSecretString") or {}
            if generate:
                value = json.loads(generate.get("SecretStringTemplate", "{}"))
                value[generate["GenerateStringKey"]] = secrets.token_urlsafe(48)
                secret_string = json.dumps(value)
            else:
                secret_string = resource["Properties"].get("SecretString", "")
            arn = secretsmanager.create_secret(Name=logical_id, SecretString=secret_string)["ARN"]
            self.resolved[logical_id] = {"Ref": arn, "Id": arn}
        for logical_id in self.template.resources("AWS::Serverless::LayerVersion"):
            self.resolved[logical_id] = {"Ref": f"local-layer-{logical_id}"}
        for logical_id in self.template.resources("AWS::Logs::LogGroup"):
            self.resolved[logical_id] = {"Ref": logical_id, "Arn": f"local:{logical_id}"}
        for logical_id in self.template.resources("AWS::Serverless::HttpApi"):
            self.resolved[logical_id] = {"Ref": "local"}
        boto3.client("ses", region_name=REGION).verify_email_identity(
            EmailAddress=self.template.parameters["SenderEmail"]
        )

    # Queue properties the engine passes on as attributes (the rest, such as tags, don't matter locally).
    QUEUE_ATTRIBUTES = (
        "DelaySeconds",
        "MaximumMessageSize",
        "MessageRetentionPeriod",
        "ReceiveMessageWaitTimeSeconds",
        "VisibilityTimeout",
    )

    def _create_queues(self) -> None:
        """Every queue with its template properties; a dead-letter queue before the queues that name it,
        so each RedrivePolicy's ARN resolves and moto moves messages after maxReceiveCount receives."""
        assert self.template is not None
        sqs = boto3.client("sqs", region_name=REGION)
        queues = self.template.resources("AWS::SQS::Queue")
        created: set[str] = set()

        def depends_on(resource: dict[str, Any]) -> set[str]:
            target = ((resource.get("Properties") or {}).get("RedrivePolicy") or {}).get("deadLetterTargetArn")
            if isinstance(target, dict) and "Fn::GetAtt" in target:
                return {target["Fn::GetAtt"][0]}
            return set()

        def create(logical_id: str, trail: tuple[str, ...] = ()) -> None:
            if logical_id in created:
                return
            if logical_id in trail:
                raise ValueError(f"queues name each other as dead-letter queues: {' -> '.join(trail)}")
            resource = queues[logical_id]
            for dependency in sorted(depends_on(resource)):
                create(dependency, (*trail, logical_id))
            props = resource.get("Properties") or {}
            attributes = {k: str(props[k]) for k in self.QUEUE_ATTRIBUTES if k in props}
            if props.get("RedrivePolicy"):
                policy = self.template.evaluate(props["RedrivePolicy"], self.resolved)  # type: ignore[union-attr]
                attributes["RedrivePolicy"] = json.dumps(
                    {
                        "deadLetterTargetArn": policy["deadLetterTargetArn"],
                        "maxReceiveCount": int(policy["maxReceiveCount"]),
                    }
                )
            url = sqs.create_queue(QueueName=logical_id, Attributes=attributes)["QueueUrl"]
            arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
            self.resolved[logical_id] = {"Ref": url, "Arn": arn, "QueueName": logical_id, "QueueUrl": url}
            created.add(logical_id)

        for logical_id in queues:
            create(logical_id)

    def _load_functions(self) -> None:
        assert self.template is not None
        specs = self.template.functions()
        environment: dict[str, str] = {}
        for spec in specs:
            for name, value in spec.environment.items():
                environment[name] = str(self.template.evaluate(value, self.resolved))
        environment["POWERTOOLS_LOG_LEVEL"] = self.log_level
        os.environ.update(environment)
        layer_paths = [
            self.template.root / r["Properties"]["ContentUri"]
            for r in self.template.resources("AWS::Serverless::LayerVersion").values()
        ]
        for path in layer_paths:
            if str(path) not in sys.path:
                sys.path.insert(0, str(path))
        self._reset_product_caches()
        for spec in specs:
            function = LocalFunction(spec=spec, module=self._import_handler(spec))
            self.functions[spec.logical_id] = function
            for event in spec.events.values():
                self._wire_event(function, event)

    def _reset_product_caches(self) -> None:
        """Caches keyed on process state (settings, cached secrets, boto clients) restart with the stack."""
        if "pennydesk.platform.settings" in sys.modules:
            sys.modules["pennydesk.platform.settings"].get_settings.cache_clear()
        from aws_lambda_powertools.utilities import parameters

        parameters.clear_caches()
        if "pennydesk.platform.idempotency" in sys.modules:
            # Powertools configures a persistence layer once, on first use; a new stack is a new container.
            from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

            idempotency = sys.modules["pennydesk.platform.idempotency"]
            for purpose in idempotency.PURPOSES:
                layer = idempotency.persistence(purpose)
                layer.__dict__.update(vars(DynamoDBPersistenceLayer(table_name=layer.table_name)))

    @staticmethod
    def _import_handler(spec: FunctionSpec) -> ModuleType:
        module_file, _ = spec.handler.rsplit(".", 1)
        name = f"pennydesk_local_{spec.logical_id}"
        if name in sys.modules:
            return sys.modules[name]
        if str(spec.code_uri) not in sys.path:
            sys.path.insert(0, str(spec.code_uri))
        loader_spec = importlib.util.spec_from_file_location(name, spec.code_uri / f"{module_file}.py")
        assert loader_spec is not None and loader_spec.loader is not None
        module = importlib.util.module_from_spec(loader_spec)
        sys.modules[name] = module
        loader_spec.loader.exec_module(module)
        return module

    def _wire_event(self, function: LocalFunction, event: dict[str, Any]) -> None:
        assert self.template is not None
        props = event.get("Properties") or {}
        if event["Type"] == "HttpApi":
            path = props.get("Path", "/{proxy+}")
            prefix = path.split("{proxy+}")[0] if "{proxy+}" in path else path
            self.routes.append(HttpRoute(function, props.get("Method", "ANY").upper(), prefix))
        elif event["Type"] == "DynamoDB":
            stream_arn = self.template.evaluate(props["Stream"], self.resolved)
            destination = ((props.get("DestinationConfig") or {}).get("OnFailure") or {}).get("Destination")
            queue_url = None
            if destination:
                queue_arn = self.template.evaluate(destination, self.resolved)
                queue_url = next(r["Ref"] for r in self.resolved.values() if r.get("Arn") == queue_arn)
            mapping = StreamMapping(
                function=function,
                stream_arn=stream_arn,
                batch_size=int(props.get("BatchSize", 100)),
                max_retries=int(props.get("MaximumRetryAttempts", 3)),
                report_item_failures="ReportBatchItemFailures" in (props.get("FunctionResponseTypes") or []),
                on_failure_queue_url=queue_url,
                bisect_on_error=bool(props.get("BisectBatchOnFunctionError", False)),
                filters=[json.loads(f["Pattern"]) for f in (props.get("FilterCriteria") or {}).get("Filters", [])],
                starting_position=props.get("StartingPosition", "TRIM_HORIZON"),
            )
            streams = boto3.client("dynamodbstreams", region_name=REGION)
            for shard in streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"]:
                mapping.iterators[shard["ShardId"]] = streams.get_shard_iterator(
                    StreamArn=stream_arn,
                    ShardId=shard["ShardId"],
                    ShardIteratorType=props.get("StartingPosition", "TRIM_HORIZON"),
                )["ShardIterator"]
            self.streams.append(mapping)
        elif event["Type"] == "SQS":
            queue_arn = self.template.evaluate(props["Queue"], self.resolved)
            queue_url = next(r["Ref"] for r in self.resolved.values() if r.get("Arn") == queue_arn)
            self.queues.append(
                QueueMapping(
                    function=function,
                    queue_url=queue_url,
                    queue_arn=queue_arn,
                    batch_size=int(props.get("BatchSize", 10)),
                    report_item_failures="ReportBatchItemFailures" in (props.get("FunctionResponseTypes") or []),
                )
            )

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
            return function.handler(event, LocalContext(function.spec))

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
        headers = {k.lower(): v for k, v in (headers or {}).items()}
        if json_body is not None:
            body = json.dumps(json_body)
            headers.setdefault("content-type", "application/json")
        route = next(
            (r for r in self.routes if path.startswith(r.prefix) and r.method in ("ANY", method.upper())), None
        )
        if route is None:
            return HttpResult(404, {"content-type": "application/json"}, b'{"message":"Not Found"}')
        event = self._http_event(method.upper(), path, query, headers, body, source_ip, route)
        try:
            result = self.invoke(route.function.spec.logical_id, event)
        except Exception:  # a handler crash is what API Gateway shows as a bare 500
            import traceback

            traceback.print_exc()
            return HttpResult(500, {"content-type": "application/json"}, b'{"message":"Internal Server Error"}')
        raw_body = result.get("body") or ""
        payload = base64.b64decode(raw_body) if result.get("isBase64Encoded") else raw_body.encode("utf-8")
        return HttpResult(
            status=int(result.get("statusCode", 200)),
            headers={k.lower(): str(v) for k, v in (result.get("headers") or {}).items()},
            body=payload,
            cookies=list(result.get("cookies") or []),
        )

    @staticmethod
    def _http_event(
        method: str,
        path: str,
        query: str,
        headers: dict[str, str],
        body: bytes | str | None,
        source_ip: str,
        route: HttpRoute,
    ) -> dict[str, Any]:
        text: str | None
        encoded = False
        if body is None or body == b"" or body == "":
            text = None
        elif isinstance(body, str):
            text = body
        else:
            try:
                text = body.decode("utf-8")
            except UnicodeDecodeError:
                text, encoded = base64.b64encode(body).decode("ascii"), True
        params: dict[str, str] = {}
        for key, value in parse_qsl(query, keep_blank_values=True):
            params[key] = f"{params[key]},{value}" if key in params else value
        now = datetime.now(UTC)
        route_key = f"{route.method} {route.prefix}{{proxy+}}" if route.prefix.endswith("/") else route.prefix
        event: dict[str, Any] = {
            "version": "2.0",
            "routeKey": route_key,
            "rawPath": path,
            "rawQueryString": query,
            "headers": headers,
            "requestContext": {
                "accountId": DEFAULT_ACCOUNT_ID,
                "apiId": "local",
                "domainName": headers.get("host", "127.0.0.1"),
                "domainPrefix": "local",
                "http": {
                    "method": method,
                    "path": path,
                    "protocol": "HTTP/1.1",
                    "sourceIp": source_ip,
                    "userAgent": headers.get("user-agent", ""),
                },
                "requestId": str(uuid.uuid4()),
                "routeKey": route_key,
                "stage": "$default",
                "time": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
                "timeEpoch": int(now.timestamp() * 1000),
            },
            "isBase64Encoded": encoded,
        }
        if params:
            event["queryStringParameters"] = params
        if headers.get("cookie"):
            event["cookies"] = [c.strip() for c in headers["cookie"].split(";")]
        if route.prefix.endswith("/"):
            event["pathParameters"] = {"proxy": path[len(route.prefix):]}
        if text is not None:
            event["body"] = text
        return event

    # ------------------------------------------------------------------ streams and queues
    def pump(self) -> int:
        """Deliver at most one batch per stream mapping and per queue mapping; returns how many records
        and messages were delivered."""
        delivered = 0
        for mapping in self.streams:
            with self.lock:
                delivered += self._pump_stream(mapping)
        for queue in self.queues:
            with self.lock:
                delivered += self._pump_queue(queue)
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

    def skip_stream_backlog(self) -> None:
        """Every stream mapping reads on from the end of its stream as it is now, as a mapping created now
        with StartingPosition LATEST would: what was written before (a bench's bulk seeding) is never
        delivered."""
        from moto.dynamodb.models import dynamodb_backends

        backend = dynamodb_backends[DEFAULT_ACCOUNT_ID][REGION]
        with self.lock:
            for mapping in self.streams:
                table = next(k for k, v in self.resolved.items() if v.get("StreamArn") == mapping.stream_arn)
                shard = backend.get_table(table).stream_shard
                if shard is not None and shard.items:
                    last = shard.items[-1].record["dynamodb"]["SequenceNumber"]
                    mapping.last_sequence[shard.id] = str(last)
                mapping.pending.clear()
                mapping.shard_of.clear()
                mapping.window = None
                mapping.attempts = 0

    def _fetch(self, mapping: StreamMapping) -> None:
        """Read on from the last sequence number seen, with a fresh iterator each poll.

        moto rolls a cancelled transaction back by swapping in a copy of the table, which orphans any
        iterator held across polls; asking for AFTER_SEQUENCE_NUMBER each time follows the live stream.
        """
        streams = boto3.client("dynamodbstreams", region_name=REGION)
        for shard_id in list(mapping.iterators):
            # Like Lambda's poller, read on past pages the filter drops entirely: a page of nothing but
            # filtered-out records is not the end of the stream.
            while len(mapping.pending) < mapping.batch_size:
                last = mapping.last_sequence.get(shard_id)
                position = (
                    {"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": last}
                    if last
                    else {"ShardIteratorType": mapping.starting_position}
                )
                iterator = streams.get_shard_iterator(StreamArn=mapping.stream_arn, ShardId=shard_id, **position)
                response = streams.get_records(
                    ShardIterator=iterator["ShardIterator"], Limit=mapping.batch_size - len(mapping.pending)
                )
                for record in response["Records"]:
                    mapping.last_sequence[shard_id] = record["dynamodb"]["SequenceNumber"]
                    if not mapping.filters or any(matches(p, record) for p in mapping.filters):
                        mapping.pending.append({**record, "eventSourceARN": mapping.stream_arn})
                        mapping.shard_of[record["dynamodb"]["SequenceNumber"]] = shard_id
                if not response["Records"] or mapping.pending:
                    break

    def _pump_stream(self, mapping: StreamMapping) -> int:
        self._fetch(mapping)
        if not mapping.pending:
            return 0
        batch = mapping.pending[: mapping.window or mapping.batch_size]
        failed_from: int | None = None
        crashed = False
        try:
            result = mapping.function.handler({"Records": batch}, LocalContext(mapping.function.spec))
            failures = (result or {}).get("batchItemFailures") or [] if mapping.report_item_failures else []
            if failures:
                failed_ids = {f["itemIdentifier"] for f in failures}
                failed_from = next(
                    (i for i, r in enumerate(batch) if r["dynamodb"]["SequenceNumber"] in failed_ids), 0
                )
        except Exception:
            import traceback

            traceback.print_exc()
            failed_from, crashed = 0, True
        if failed_from is None:
            self._checkpoint(mapping, batch)
            mapping.attempts = 0
            mapping.window = None
            return len(batch)
        if crashed and mapping.bisect_on_error and len(batch) > 1:
            # BisectBatchOnFunctionError: the function failed as a whole, so retry the batch in two halves
            # (the first half next); the split is not a retry, a single record that keeps failing is.
            mapping.window = len(batch) // 2
            return len(batch)
        # Records before the first failure are checkpointed; the rest are retried, as Lambda does.
        self._checkpoint(mapping, batch[:failed_from])
        mapping.attempts += 1
        if mapping.attempts > mapping.max_retries:
            self._send_to_on_failure(mapping, batch[failed_from:])
            self._checkpoint(mapping, batch[failed_from:])
            mapping.attempts = 0
            mapping.window = None
        return len(batch)

    @staticmethod
    def _checkpoint(mapping: StreamMapping, done: list[dict[str, Any]]) -> None:
        """The first len(done) pending records are finished with (processed, or handed to on-failure)."""
        for record in done:
            mapping.shard_of.pop(record["dynamodb"]["SequenceNumber"], None)
        del mapping.pending[: len(done)]

    def _pump_queue(self, mapping: QueueMapping) -> int:
        """One receive (up to BatchSize), one invocation with a Lambda-shaped SQS event; the messages that
        succeeded are deleted, the failed ones stay in flight and come back, as Lambda's poller does."""
        sqs = boto3.client("sqs", region_name=REGION)
        received = sqs.receive_message(
            QueueUrl=mapping.queue_url,
            MaxNumberOfMessages=min(mapping.batch_size, 10),
            WaitTimeSeconds=0,
            MessageSystemAttributeNames=["All"],
            MessageAttributeNames=["All"],
        ).get("Messages", [])
        if not received:
            return 0
        records = [sqs_record(m, mapping.queue_arn) for m in received]
        mapping.invocations += 1
        failed_ids: set[str]
        try:
            result = mapping.function.handler({"Records": records}, LocalContext(mapping.function.spec))
            failures = ((result or {}).get("batchItemFailures") or []) if mapping.report_item_failures else []
            failed_ids = {f["itemIdentifier"] for f in failures}
        except Exception:
            import traceback

            traceback.print_exc()
            failed_ids = {r["messageId"] for r in records}
        done = [m for m in received if m["MessageId"] not in failed_ids]
        for start in range(0, len(done), 10):
            chunk = done[start : start + 10]
            sqs.delete_message_batch(
                QueueUrl=mapping.queue_url,
                Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(chunk)],
            )
        mapping.failed.extend(m["ReceiptHandle"] for m in received if m["MessageId"] in failed_ids)
        return len(received)

    def _release_failed(self) -> int:
        """Make every message a failed invocation left in flight visible again now; returns how many."""
        released = 0
        sqs = boto3.client("sqs", region_name=REGION)
        for mapping in self.queues:
            with self.lock:
                handles, mapping.failed = mapping.failed, []
                for handle in handles:
                    try:
                        sqs.change_message_visibility(
                            QueueUrl=mapping.queue_url, ReceiptHandle=handle, VisibilityTimeout=0
                        )
                        released += 1
                    except ClientError:
                        # moto refuses a visibility change beyond 12 h after sending (the local clock may
                        # have jumped days since); reach into the emulator for that case.
                        released += self._release_directly(mapping, handle)
        return released

    @staticmethod
    def _release_directly(mapping: QueueMapping, handle: str) -> int:
        name = mapping.queue_url.rsplit("/", 1)[-1]
        queue = sqs_backends[DEFAULT_ACCOUNT_ID][REGION].queues.get(name)
        if queue is None:
            return 0
        for message in list(queue._messages):
            if message.had_receipt_handle(handle):
                message.change_visibility(0)
                queue.pending_messages.discard(message)
                return 1
        return 0  # deleted, or moved to the dead-letter queue

    def _send_to_on_failure(self, mapping: StreamMapping, records: list[dict[str, Any]]) -> None:
        """What Lambda sends to an on-failure destination: where the records are, not the records."""
        mapping.failed_batches += 1
        if not mapping.on_failure_queue_url:
            return
        first, last = records[0]["dynamodb"], records[-1]["dynamodb"]
        shard_id = mapping.shard_of.get(first["SequenceNumber"]) or next(iter(mapping.iterators), "")
        body = {
            "requestContext": {
                "requestId": str(uuid.uuid4()),
                "functionArn": LocalContext(mapping.function.spec).invoked_function_arn,
                "condition": "RetryAttemptsExhausted",
                "approximateInvokeCount": mapping.max_retries + 1,
            },
            "responseContext": {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"},
            "version": "1.0",
            "timestamp": _lambda_time(datetime.now(UTC)),
            "DDBStreamBatchInfo": {
                "shardId": shard_id,
                "startSequenceNumber": first["SequenceNumber"],
                "endSequenceNumber": last["SequenceNumber"],
                "approximateArrivalOfFirstRecord": _lambda_time(first.get("ApproximateCreationDateTime")),
                "approximateArrivalOfLastRecord": _lambda_time(last.get("ApproximateCreationDateTime")),
                "batchSize": len(records),
                "streamArn": mapping.stream_arn,
            },
        }
        boto3.client("sqs", region_name=REGION).send_message(
            QueueUrl=mapping.on_failure_queue_url, MessageBody=json.dumps(body)
        )

    # ------------------------------------------------------------------ schedule and clock
    def now(self) -> datetime:
        return datetime.now(UTC)

    def advance_clock(self, moment: datetime) -> None:
        """Move this process's clock to `moment` (never back); it keeps ticking from there."""
        if moment.tzinfo is None:
            raise ClockError("give the time with a timezone, e.g. 2026-11-24T09:00:00Z")
        current = self.now()
        if moment < current:
            raise ClockError(f"the local clock only moves forward; it is already {current.isoformat()}")
        if self._traveller is not None:
            self._traveller.stop()
        self._traveller = time_machine.travel(moment, tick=True)
        self._traveller.start()

    def scheduled_functions(self) -> list[LocalFunction]:
        return [
            f
            for f in self.functions.values()
            if any(e["Type"] in ("Schedule", "ScheduleV2") for e in f.spec.events.values())
        ]

    def run_schedule(self, moment: datetime) -> list[str]:
        """Advance the clock, run every scheduled function with that event time, then drain.

        The moment of the last run (or anything since) may be given again: that is EventBridge delivering
        an event twice or late, so the functions run with that time and the clock stays where it is.
        Anything earlier is refused, like the clock itself.
        """
        if moment.tzinfo is None:
            raise ClockError("give the time with a timezone, e.g. 2026-11-24T09:00:00Z")
        if self._last_schedule is not None and self._last_schedule <= moment <= self.now():
            pass  # a repeat of a moment already reached
        else:
            self.advance_clock(moment)
        self._last_schedule = max(moment, self._last_schedule or moment)
        ran = []
        self.drain()
        for function in self.scheduled_functions():
            event = {
                "version": "0",
                "id": str(uuid.uuid4()),
                "detail-type": "Scheduled Event",
                "source": "aws.events",
                "account": DEFAULT_ACCOUNT_ID,
                "time": moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "region": REGION,
                "resources": [f"arn:aws:events:{REGION}:{DEFAULT_ACCOUNT_ID}:rule/{function.spec.logical_id}"],
                "detail": {},
            }
            self.invoke(function.spec.logical_id, event)
            ran.append(function.spec.logical_id)
        self.drain()
        return ran

    # ------------------------------------------------------------------ outbox
    def outbox_size(self) -> int:
        """How many emails SES accepted, without parsing them (the outbox parses every one)."""
        with self.lock:
            return len(ses_backends[DEFAULT_ACCOUNT_ID][REGION].sent_messages)

    def outbox(self) -> list[dict[str, Any]]:
        """Every email SES accepted, oldest first, with both parts decoded."""
        with self.lock:
            sent = list(ses_backends[DEFAULT_ACCOUNT_ID][REGION].sent_messages)
        return [_outbox_entry(m) for m in sent if isinstance(m, RawMessage)]


def _lambda_time(moment: datetime | float | int | None) -> str:
    """A time as Lambda writes it in an on-failure record: ISO 8601 UTC with milliseconds and a Z."""
    if moment is None:
        return ""
    if not isinstance(moment, datetime):
        moment = datetime.fromtimestamp(float(moment), UTC)
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def sqs_record(message: dict[str, Any], queue_arn: str) -> dict[str, Any]:
    """An SQS message as Lambda's event source mapping hands it to a function."""
    attributes = {k: str(v) for k, v in (message.get("Attributes") or {}).items()}
    message_attributes = {}
    for name, value in (message.get("MessageAttributes") or {}).items():
        binary = value.get("BinaryValue")
        message_attributes[name] = {
            "stringValue": value.get("StringValue"),
            "binaryValue": base64.b64encode(binary).decode("ascii") if binary is not None else None,
            "stringListValues": list(value.get("StringListValues") or []),
            "binaryListValues": [base64.b64encode(b).decode("ascii") for b in value.get("BinaryListValues") or []],
            "dataType": value.get("DataType", "String"),
        }
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message.get("Body", ""),
        "attributes": attributes,
        "messageAttributes": message_attributes,
        "md5OfBody": message.get("MD5OfBody", ""),
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": REGION,
    }



# ---------------------------------------------------------------------- moto, without its O(table) costs
# moto answers with DynamoDB's results but pays for them in ways DynamoDB does not: TransactWriteItems
# deep-copies every table it touches (once per item) so it can roll back, and a Query sorts the whole table
# before it looks at one partition. Both grow with the data, so a local stack with thousands of items
# slowed every test and made the bench measure moto. speed_up_moto() keeps the results and drops the costs:
# a transaction backs up only the items it touches (and its stream's length) and restores them if it is
# cancelled; a Query on the table or a local index reads its partition; a global index query skips the
# whole-table sort (its matches are sorted by their full key anyway). tests/integration cover rollback,
# conditional failures and stream delivery after a cancelled transaction.
_moto_sped_up = False
_in_transaction = threading.local()
_query_scope = threading.local()


def speed_up_moto() -> None:
    """Install the patches above once per process (they keep moto's answers, so they never come off)."""
    global _moto_sped_up
    if _moto_sped_up:
        return
    import copy

    from moto.dynamodb import models as dynamodb_models
    from moto.dynamodb.models.dynamo_type import DynamoType
    from moto.dynamodb.models.table import Table

    real_transact = dynamodb_models.DynamoDBBackend.transact_write_items
    real_query, real_all_items = Table.query, Table.all_items

    class _CopyWithoutTables:
        """moto's `copy` inside a transaction we back up ourselves: its whole-table backup is skipped."""

        @staticmethod
        def deepcopy(value: Any, memo: Any = None) -> Any:
            if isinstance(value, Table) and getattr(_in_transaction, "active", False):
                return value
            return copy.deepcopy(value, memo)

    def backup(self: Any, entry: dict[str, Any]) -> tuple[Any, Any, Any, Any] | None:
        """The item one transaction entry names, as it is now (None if the entry is malformed: moto then
        cancels the transaction without writing that entry)."""
        try:
            op_type, op = next(iter(entry.items()))
            table = self.tables.get(op.get("TableName"))
            if table is None:
                return None
            key = op["Item"] if op_type == "Put" else op["Key"]
            hash_value = DynamoType(key[table.hash_key_attr])
            range_value = DynamoType(key[table.range_key_attr]) if table.range_key_attr else None
            before = copy.deepcopy(table.get_item(hash_value, range_value))
        except Exception:  # moto itself reports what is wrong with the entry
            return None
        return table, hash_value, range_value, before

    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        saved = [b for b in (backup(self, entry) for entry in transact_items[:100]) if b is not None]
        stream_lengths = {
            id(table): (table.stream_shard, len(table.stream_shard.items))
            for table, *_ in saved
            if table.stream_shard is not None
        }
        _in_transaction.active = True
        try:
            return real_transact(self, transact_items)
        except Exception:
            for table, hash_value, range_value, before in reversed(saved):
                partition = table.items[hash_value] if range_value is not None else table.items
                slot = range_value if range_value is not None else hash_value
                if before is None:
                    partition.pop(slot, None)
                else:
                    partition[slot] = before
            for shard, length in stream_lengths.values():
                del shard.items[length:]
            raise
        finally:
            _in_transaction.active = False

    def query(self: Any, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
        index_name = args[6] if len(args) > 6 else kwargs.get("index_name")
        local = index_name is None or any(i.name == index_name for i in self.indexes or [])
        _query_scope.value = (self, "partition", hash_key) if local and hash_key is not None else (self, "any", None)
        try:
            return real_query(self, hash_key, *args, **kwargs)
        finally:
            _query_scope.value = None

    def all_items(self: Any) -> list[Any]:
        scope = getattr(_query_scope, "value", None)
        if scope is None or scope[0] is not self or not self.range_key_attr:
            return real_all_items(self)
        if scope[1] == "partition":
            return sorted(self.items.get(scope[2], {}).values(), key=lambda item: item.range_key)
        return [item for partition in self.items.values() for item in partition.values()]

    dynamodb_models.copy = _CopyWithoutTables  # type: ignore[assignment]
    dynamodb_models.DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]
    Table.query, Table.all_items = query, all_items  # type: ignore[method-assign]
    _moto_sped_up = True




def _outbox_entry(message: RawMessage) -> dict[str, Any]:
    parsed = message_from_bytes(message.raw_data.encode("utf-8"), policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    text = parsed.get_body(preferencelist=("plain",))
    html = parsed.get_body(preferencelist=("html",))
    date = parsed.get("Date")
    return {
        "id": message.id,
        "from": str(parsed.get("From", message.source)),
        "to": list(dict.fromkeys(message.destinations)),  # moto lists header and envelope recipients
        # A long subject may be folded right after "Subject:"; unfolded, that space is not part of it.
        "subject": str(parsed.get("Subject", "")).strip(),
        "text": text.get_content() if text is not None else "",
        "html": html.get_content() if html is not None else "",
        "sent_at": parsedate_to_datetime(date).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if date else None,
    }
