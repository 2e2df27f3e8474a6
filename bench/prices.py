"""Published list prices the cost model uses (US East (N. Virginia), USD), each with where it was read and when.

Taken on 2026-11-22 through the project's search tool (a store of public pages). Where the store held AWS's
own page only without the figure, the figure comes from a third-party page quoting it, named beside it;
where no page in the store confirmed a price, it is the last known list price and says so
(`confirmed=False`). Free tiers are left out: the model prices the marginal ticket.
"""

from __future__ import annotations

from dataclasses import dataclass

TAKEN_ON = "2026-11-22"


@dataclass(frozen=True)
class Price:
    usd: float
    per: str
    source: str
    confirmed: bool = True  # False: no page in the store confirmed it; the last known list price


# AWS Lambda, arm64 (Graviton), first pricing tier. https://aws.amazon.com/lambda/pricing/ (the stored copy
# lacks the figures); figures as quoted by https://cloudchipr.com/blog/aws-lambda-pricing ("ARM Pricing: First
# 7.5 Billion GB-seconds per month: $0.0000133334 per GB-second") and a Lambda cost note
# (https://git.mcrn.ar/mariano/lambda_local_runner/.../lambda-13-cost.md: requests $0.20 / 1M, arm64
# $0.0000133334 / GB-s, x86 $0.0000166667 / GB-s).
LAMBDA_ARM_GB_SECOND = Price(0.0000133334, "GB-second", "https://cloudchipr.com/blog/aws-lambda-pricing")
LAMBDA_X86_GB_SECOND = Price(0.0000166667, "GB-second", "https://cloudchipr.com/blog/aws-lambda-pricing")
LAMBDA_REQUEST = Price(0.20 / 1_000_000, "request", "https://aws.amazon.com/lambda/pricing/ (via cloudchipr.com)")

# DynamoDB on-demand (after the November 2024 price cut): https://airbyte.com/data-engineering-resources/
# dynamodb-pricing ("Write Request Units (WRU): $0.625 per million ... Read Request Units (RRU): $0.125 per
# million", US East). Reads of a stream by a Lambda trigger are not charged.
DYNAMODB_WRITE_UNIT = Price(0.625 / 1_000_000, "write request unit",
                            "https://airbyte.com/data-engineering-resources/dynamodb-pricing")
DYNAMODB_READ_UNIT = Price(0.125 / 1_000_000, "read request unit",
                           "https://airbyte.com/data-engineering-resources/dynamodb-pricing")

# API Gateway HTTP API, first 300 million requests a month: https://www.apigatewaycost.com/aws and
# https://awsforengineers.com/blog/aws-api-gateway-pricing-explained ("HTTP APIs: $1.00 per million requests
# (first 300M)"); AWS's page is https://aws.amazon.com/api-gateway/pricing/.
HTTP_API_REQUEST = Price(1.00 / 1_000_000, "request", "https://www.apigatewaycost.com/aws")

# Amazon SES outbound email: https://www.acecloudinterviews.com/tutorials/aws/ses/ ("starting at $0.10 per
# thousand emails"); AWS's page is https://aws.amazon.com/ses/pricing/.
SES_EMAIL = Price(0.10 / 1_000, "email", "https://www.acecloudinterviews.com/tutorials/aws/ses/")

# Secrets Manager: https://hivebook.wiki/wiki/aws-secrets-manager-rotated-secrets-dynamic-db-credentials-kms
# ("$0.40 per secret per month + $0.05 per 10k API calls").
SECRETS_API_CALL = Price(0.05 / 10_000, "API call",
                         "https://hivebook.wiki/wiki/aws-secrets-manager-rotated-secrets-dynamic-db-credentials-kms")
SECRET_MONTH = Price(0.40, "secret-month",
                     "https://hivebook.wiki/wiki/aws-secrets-manager-rotated-secrets-dynamic-db-credentials-kms")

# CloudWatch Logs ingestion (standard log class): https://go-cloud.io/aws-api-gateway-pricing ("CloudWatch
# execution logs accumulate $0.50 per GB ingested").
LOGS_INGESTED_GB = Price(0.50, "GB ingested", "https://go-cloud.io/aws-api-gateway-pricing")

# SQS standard queue requests beyond the free tier: not confirmed by any stored page; AWS's list price
# (https://aws.amazon.com/sqs/pricing/) has long been $0.40 per million requests (each 64 KB chunk).
SQS_REQUEST = Price(0.40 / 1_000_000, "request", "https://aws.amazon.com/sqs/pricing/", confirmed=False)

# A per-seat help desk: Zendesk Suite Team, per agent per month, billed annually. Not confirmed by any stored
# page (the store's Zendesk pages describe billing, not the list price); last known list price $55
# (https://www.zendesk.com/pricing/).
ZENDESK_SUITE_TEAM_AGENT_MONTH = Price(55.0, "agent-month", "https://www.zendesk.com/pricing/", confirmed=False)

# SES receiving and S3 requests: not confirmed by any stored page (the store's SES FAQ points at the pricing
# page without figures); last known list prices: SES $0.10 per 1,000 emails received plus $0.09 per 1,000
# incoming mail chunks of 256 KB (https://aws.amazon.com/ses/pricing/), S3 Standard $0.005 per 1,000 PUTs and
# $0.0004 per 1,000 GETs (https://aws.amazon.com/s3/pricing/).
SES_RECEIVED_EMAIL = Price(0.10 / 1_000, "email received", "https://aws.amazon.com/ses/pricing/", confirmed=False)
SES_RECEIVED_CHUNK = Price(0.09 / 1_000, "256 KB chunk received", "https://aws.amazon.com/ses/pricing/",
                           confirmed=False)
S3_PUT = Price(0.005 / 1_000, "PUT request", "https://aws.amazon.com/s3/pricing/", confirmed=False)
S3_GET = Price(0.0004 / 1_000, "GET request", "https://aws.amazon.com/s3/pricing/", confirmed=False)

ALL = {
    "Lambda arm64 duration": LAMBDA_ARM_GB_SECOND,
    "Lambda x86_64 duration": LAMBDA_X86_GB_SECOND,
    "Lambda requests": LAMBDA_REQUEST,
    "DynamoDB on-demand writes": DYNAMODB_WRITE_UNIT,
    "DynamoDB on-demand reads": DYNAMODB_READ_UNIT,
    "API Gateway HTTP API": HTTP_API_REQUEST,
    "SES outbound email": SES_EMAIL,
    "Secrets Manager API calls": SECRETS_API_CALL,
    "Secrets Manager secret": SECRET_MONTH,
    "CloudWatch Logs ingestion": LOGS_INGESTED_GB,
    "SQS standard requests": SQS_REQUEST,
    "SES inbound email": SES_RECEIVED_EMAIL,
    "SES inbound 256 KB chunks": SES_RECEIVED_CHUNK,
    "S3 PUT requests": S3_PUT,
    "S3 GET requests": S3_GET,
    "Zendesk Suite Team seat": ZENDESK_SUITE_TEAM_AGENT_MONTH,
}

# Not prices: what the model assumes where this machine cannot measure AWS. Round-trip latency of one call
# from Lambda in the same region (the function is billed while it waits), and the bytes of the platform's
# own START/END/REPORT log lines per invocation.
ASSUMED_LATENCY_MS = {"dynamodb": 6.0, "ses": 40.0, "sesv2": 40.0, "sqs": 10.0, "secretsmanager": 20.0}
PLATFORM_LOG_BYTES_PER_INVOCATION = 350
FULL_VCPU_MB = 1769  # Lambda: a function with 1,769 MB has the equivalent of one vCPU; CPU share scales with memory
