"""Read template.yaml the way CloudFormation would, enough to run it locally.

Understands the short intrinsic tags (!Ref, !GetAtt, !Sub, !If, ...), SAM Globals, parameters with
defaults, and conditions. Resources are handed to the engine as plain dicts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

# What the local stack does with each resource type the template uses. The engine creates or resolves the
# first set; the second only matters in AWS (serving the site, alarms) and is left out locally on purpose.
# tests/harness/test_template_policy.py fails on a type in neither, so a new kind of resource is a decision.
LOCAL_TYPES = frozenset(
    {
        "AWS::DynamoDB::Table",
        "AWS::Logs::LogGroup",
        "AWS::S3::Bucket",  # the inbound bucket, where infra/local/inbound.py stores mail as the receipt rule would
        "AWS::SecretsManager::Secret",
        "AWS::SES::ConfigurationSet",  # every send names it; infra/local/mail_events.py matches its events' tag
        "AWS::Serverless::Function",
        "AWS::Serverless::HttpApi",
        "AWS::Serverless::LayerVersion",
        "AWS::SQS::Queue",
    }
)
DEPLOY_ONLY_TYPES = frozenset(
    {
        "AWS::CloudFront::Distribution",
        "AWS::CloudFront::Function",
        "AWS::CloudFront::OriginAccessControl",
        "AWS::CloudFront::ResponseHeadersPolicy",  # read by the local server for its headers
        "AWS::CloudWatch::Alarm",
        "AWS::KMS::Key",
        "AWS::Lambda::Permission",
        "AWS::S3::BucketPolicy",
        "AWS::SES::ReceiptRule",  # read by infra/local/inbound.py: where mail is stored, which function it invokes
        "AWS::SES::ReceiptRuleSet",
        "AWS::SES::ConfigurationSetEventDestination",  # POST /_local/ses-events stands in for its EventBridge events
        "AWS::SNS::Subscription",
        "AWS::WAFv2::WebACL",  # optional per-client throttling in front of CloudFront
        "AWS::SNS::Topic",
    }
)


class _CfnLoader(yaml.SafeLoader):
    pass


def _construct_tag(loader: yaml.SafeLoader, tag_suffix: str, node: yaml.Node) -> dict[str, Any]:
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    if tag_suffix == "Ref":
        return {"Ref": value}
    if tag_suffix == "Condition":
        return {"Condition": value}
    if tag_suffix == "GetAtt" and isinstance(value, str):
        value = value.split(".", 1)
    return {f"Fn::{tag_suffix}": value}


_CfnLoader.add_multi_constructor("!", _construct_tag)


def load_yaml(path: Path) -> dict[str, Any]:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_CfnLoader)  # noqa: S506 (SafeLoader subclass)


@dataclass
class FunctionSpec:
    logical_id: str
    code_uri: Path
    handler: str
    timeout: int
    memory: int
    environment: dict[str, Any]
    events: dict[str, dict[str, Any]]


@dataclass
class Template:
    path: Path
    doc: dict[str, Any]
    parameters: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path, overrides: dict[str, str]) -> Template:
        doc = load_yaml(path)
        template = cls(path=path, doc=doc)
        for name, spec in (doc.get("Parameters") or {}).items():
            if name in overrides:
                template.parameters[name] = str(overrides[name])
            elif "Default" in spec:
                template.parameters[name] = str(spec["Default"])
            else:
                raise ValueError(f"template parameter {name} has no default; the local stack must set it")
        return template

    @property
    def root(self) -> Path:
        return self.path.parent

    def resources(self, kind: str) -> dict[str, dict[str, Any]]:
        return {k: v for k, v in self.doc["Resources"].items() if v["Type"] == kind}

    def condition(self, name: str) -> bool:
        return bool(self.evaluate(self.doc["Conditions"][name], {}))

    def functions(self) -> list[FunctionSpec]:
        globals_ = (self.doc.get("Globals") or {}).get("Function", {})
        specs = []
        for logical_id, resource in self.resources("AWS::Serverless::Function").items():
            props = {**globals_, **resource["Properties"]}
            env = {
                **((globals_.get("Environment") or {}).get("Variables") or {}),
                **((resource["Properties"].get("Environment") or {}).get("Variables") or {}),
            }
            specs.append(
                FunctionSpec(
                    logical_id=logical_id,
                    code_uri=self.root / props["CodeUri"],
                    handler=props["Handler"],
                    timeout=int(props.get("Timeout", 3)),
                    memory=int(props.get("MemorySize", 128)),
                    environment=env,
                    events=props.get("Events") or {},
                )
            )
        return specs

    def evaluate(self, value: Any, resolved: dict[str, dict[str, str]]) -> Any:
        """Resolve intrinsics. `resolved` maps a logical id to its Ref value and attributes."""
        if isinstance(value, list):
            return [self.evaluate(v, resolved) for v in value]
        if not isinstance(value, dict):
            return value
        if len(value) != 1:
            return {k: self.evaluate(v, resolved) for k, v in value.items()}
        (key, arg), = value.items()
        if key == "Ref":
            if arg in self.parameters:
                return self.parameters[arg]
            if arg.startswith("AWS::"):
                return {"AWS::Region": "us-east-1", "AWS::AccountId": "123456789012"}.get(arg, "local")
            return resolved[arg]["Ref"]
        if key == "Fn::GetAtt":
            logical_id, attribute = arg
            return resolved[logical_id][attribute]
        if key == "Fn::Sub":
            text = arg if isinstance(arg, str) else arg[0]
            return re.sub(r"\$\{([^}]+)\}", lambda m: self._sub(m.group(1), resolved), text)
        if key == "Fn::If":
            name, yes, no = arg
            return self.evaluate(yes if self.condition(name) else no, resolved)
        if key == "Fn::Equals":
            left, right = (self.evaluate(v, resolved) for v in arg)
            return left == right
        if key == "Fn::Not":
            return not self.evaluate(arg[0], resolved)
        if key == "Fn::And":
            return all(self.evaluate(v, resolved) for v in arg)
        if key == "Fn::Or":
            return any(self.evaluate(v, resolved) for v in arg)
        if key == "Condition":
            return self.condition(arg)
        return {key: self.evaluate(arg, resolved)}

    def _sub(self, expression: str, resolved: dict[str, dict[str, str]]) -> str:
        if "." in expression:
            logical_id, attribute = expression.split(".", 1)
            return str(resolved[logical_id][attribute])
        return str(self.evaluate({"Ref": expression}, resolved))


def csp_text(value: str | dict[str, str]) -> str:
    """A policy as the local server sends it: a !Sub's sources that name a deployed resource (the attachments
    bucket's S3 host, for articles' images) are left out, since locally those links are the site's own
    address (/_local/s3)."""
    if isinstance(value, str):
        return value
    return re.sub(r" [^ ;]*\$\{[^}]+\}[^ ;]*", "", value["Fn::Sub"])


def security_headers(doc: dict[str, Any], policy_id: str) -> dict[str, str]:
    """The response headers a CloudFront ResponseHeadersPolicy in the template sets, so the local server
    sends what the deployed site sends from one definition."""
    config = doc["Resources"][policy_id]["Properties"]["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]
    headers: dict[str, str] = {}
    if "ContentSecurityPolicy" in config:
        headers["Content-Security-Policy"] = csp_text(config["ContentSecurityPolicy"]["ContentSecurityPolicy"])
    if "ContentTypeOptions" in config:
        headers["X-Content-Type-Options"] = "nosniff"
    if "FrameOptions" in config:
        headers["X-Frame-Options"] = config["FrameOptions"]["FrameOption"]
    if "ReferrerPolicy" in config:
        headers["Referrer-Policy"] = config["ReferrerPolicy"]["ReferrerPolicy"]
    if "StrictTransportSecurity" in config:
        hsts = config["StrictTransportSecurity"]
        value = f"max-age={int(hsts['AccessControlMaxAgeSec'])}"
        if hsts.get("IncludeSubdomains"):
            value += "; includeSubDomains"
        if hsts.get("Preload"):
            value += "; preload"
        headers["Strict-Transport-Security"] = value
    return headers
