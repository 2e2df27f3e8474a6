"""Provisioning from template.yaml: every table, queue, secret and SES identity it declares created on moto,
each function's environment resolved, its handler imported, and its events wired to the stack as HTTP
routes and stream and queue event source mappings."""

from __future__ import annotations

import json
import os
import secrets
import sys
from dataclasses import dataclass, field
from typing import Any

import boto3

from infra.local.events import HttpRoute
from infra.local.queues import QueueMapping
from infra.local.runtime import REGION, LocalFunction, import_handler
from infra.local.streams import StreamMapping
from infra.local.template import Template

# What each resource resolves to, by logical id: "Ref", and the attributes Fn::GetAtt may ask for.
Resolved = dict[str, dict[str, str]]

# Queue properties passed on as attributes (the rest, such as tags, don't matter locally).
QUEUE_ATTRIBUTES = (
    "DelaySeconds",
    "MaximumMessageSize",
    "MessageRetentionPeriod",
    "ReceiveMessageWaitTimeSeconds",
    "VisibilityTimeout",
)


@dataclass
class Wiring:
    """Where each function's events come from."""

    routes: list[HttpRoute] = field(default_factory=list)
    streams: list[StreamMapping] = field(default_factory=list)
    queues: list[QueueMapping] = field(default_factory=list)


def create_resources(template: Template) -> Resolved:
    """Everything the template declares that the functions reach, created on moto; what each resolves to."""
    resolved: Resolved = {}
    _create_tables(template, resolved)
    _create_queues(template, resolved)
    _create_secrets(template, resolved)
    _create_buckets(template, resolved)
    for logical_id in template.resources("AWS::Serverless::LayerVersion"):
        resolved[logical_id] = {"Ref": f"local-layer-{logical_id}"}
    for logical_id in template.resources("AWS::Logs::LogGroup"):
        resolved[logical_id] = {"Ref": logical_id, "Arn": f"local:{logical_id}"}
    for logical_id in template.resources("AWS::Serverless::HttpApi"):
        resolved[logical_id] = {"Ref": "local"}
    boto3.client("ses", region_name=REGION).verify_email_identity(EmailAddress=template.parameters["SenderEmail"])
    for logical_id in template.resources("AWS::SES::ConfigurationSet"):  # sends name it; moto keeps it
        boto3.client("sesv2", region_name=REGION).create_configuration_set(ConfigurationSetName=logical_id)
        resolved[logical_id] = {"Ref": logical_id}
    return resolved


def _create_buckets(template: Template, resolved: Resolved) -> None:
    """Each bucket under its logical id, lower-cased as bucket names are (mail lands in the inbound one)."""
    s3 = boto3.client("s3", region_name=REGION)
    for logical_id in template.resources("AWS::S3::Bucket"):
        name = logical_id.lower()
        s3.create_bucket(Bucket=name)
        resolved[logical_id] = {"Ref": name, "Arn": f"arn:aws:s3:::{name}"}


def _create_tables(template: Template, resolved: Resolved) -> None:
    dynamodb = boto3.client("dynamodb", region_name=REGION)
    for logical_id, resource in template.resources("AWS::DynamoDB::Table").items():
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
            dynamodb.update_time_to_live(TableName=logical_id, TimeToLiveSpecification=props["TimeToLiveSpecification"])
        resolved[logical_id] = {
            "Ref": logical_id,
            "Arn": table["TableArn"],
            "StreamArn": table.get("LatestStreamArn", ""),
        }


def _create_queues(template: Template, resolved: Resolved) -> None:
    """Every queue with its template properties; a dead-letter queue before the queues that name it,
    so each RedrivePolicy's ARN resolves and moto moves messages after maxReceiveCount receives."""
    sqs = boto3.client("sqs", region_name=REGION)
    queues = template.resources("AWS::SQS::Queue")
    created: set[str] = set()

    def create(logical_id: str, trail: tuple[str, ...] = ()) -> None:
        if logical_id in created:
            return
        if logical_id in trail:
            raise ValueError(f"queues name each other as dead-letter queues: {' -> '.join(trail)}")
        resource = queues[logical_id]
        for dependency in sorted(_dead_letter_queues_of(resource)):
            create(dependency, (*trail, logical_id))
        url = sqs.create_queue(QueueName=logical_id, Attributes=_queue_attributes(template, resource, resolved))[
            "QueueUrl"
        ]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        resolved[logical_id] = {"Ref": url, "Arn": arn, "QueueName": logical_id, "QueueUrl": url}
        created.add(logical_id)

    for logical_id in queues:
        create(logical_id)


def _dead_letter_queues_of(resource: dict[str, Any]) -> set[str]:
    target = ((resource.get("Properties") or {}).get("RedrivePolicy") or {}).get("deadLetterTargetArn")
    if isinstance(target, dict) and "Fn::GetAtt" in target:
        return {target["Fn::GetAtt"][0]}
    return set()


def _queue_attributes(template: Template, resource: dict[str, Any], resolved: Resolved) -> dict[str, str]:
    props = resource.get("Properties") or {}
    attributes = {k: str(props[k]) for k in QUEUE_ATTRIBUTES if k in props}
    if props.get("RedrivePolicy"):
        policy = template.evaluate(props["RedrivePolicy"], resolved)
        attributes["RedrivePolicy"] = json.dumps(
            {"deadLetterTargetArn": policy["deadLetterTargetArn"], "maxReceiveCount": int(policy["maxReceiveCount"])}
        )
    return attributes


def _create_secrets(template: Template, resolved: Resolved) -> None:
    """Each secret with its SecretString, or one generated the way GenerateSecretString asks."""
    secretsmanager = boto3.client("secretsmanager", region_name=REGION)
    for logical_id, resource in template.resources("AWS::SecretsManager::Secret").items():
        generate = resource["Properties"].get("GenerateSecretString") or {}
        if generate:
            value = json.loads(generate.get("SecretStringTemplate", "{}"))
            value[generate["GenerateStringKey"]] = secrets.token_urlsafe(48)
            secret_string = json.dumps(value)
        else:
            secret_string = resource["Properties"].get("SecretString", "")
        arn = secretsmanager.create_secret(Name=logical_id, SecretString=secret_string)["ARN"]
        resolved[logical_id] = {"Ref": arn, "Id": arn}


def enter_container(template: Template, resolved: Resolved, log_level: str) -> None:
    """This process becomes the functions' container: their environment in os.environ (one process serves
    every function, so their variables are merged) and the template's layers on sys.path."""
    environment: dict[str, str] = {}
    for spec in template.functions():
        for name, value in spec.environment.items():
            environment[name] = str(template.evaluate(value, resolved))
    environment["POWERTOOLS_LOG_LEVEL"] = log_level
    os.environ.update(environment)
    for resource in template.resources("AWS::Serverless::LayerVersion").values():
        path = str(template.root / resource["Properties"]["ContentUri"])
        if path not in sys.path:
            sys.path.insert(0, path)


def load_functions(template: Template, resolved: Resolved, wiring: Wiring) -> dict[str, LocalFunction]:
    """Every function with its handler imported, and its events added to `wiring`."""
    functions: dict[str, LocalFunction] = {}
    for spec in template.functions():
        function = LocalFunction(spec=spec, module=import_handler(spec))
        functions[spec.logical_id] = function
        for event in spec.events.values():
            _wire_event(template, resolved, function, event, wiring)
    return functions


def _wire_event(
    template: Template, resolved: Resolved, function: LocalFunction, event: dict[str, Any], wiring: Wiring
) -> None:
    props = event.get("Properties") or {}
    if event["Type"] == "HttpApi":
        path = props.get("Path", "/{proxy+}")
        prefix = path.split("{proxy+}")[0] if "{proxy+}" in path else path
        wiring.routes.append(HttpRoute(function, props.get("Method", "ANY").upper(), prefix))
    elif event["Type"] == "DynamoDB":
        stream_arn = template.evaluate(props["Stream"], resolved)
        destination = ((props.get("DestinationConfig") or {}).get("OnFailure") or {}).get("Destination")
        queue_url = _queue_url(resolved, template.evaluate(destination, resolved)) if destination else None
        wiring.streams.append(StreamMapping.from_event(function, props, stream_arn, queue_url))
    elif event["Type"] == "SQS":
        queue_arn = template.evaluate(props["Queue"], resolved)
        wiring.queues.append(QueueMapping.from_event(function, props, queue_arn, _queue_url(resolved, queue_arn)))


def _queue_url(resolved: Resolved, queue_arn: str) -> str:
    return next(r["Ref"] for r in resolved.values() if r.get("Arn") == queue_arn)
