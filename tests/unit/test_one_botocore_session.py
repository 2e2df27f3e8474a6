"""A process makes one botocore session and one DynamoDB client: the models (pynamodb), Powertools' idempotency
layers and every boto3 client the product makes share them, so a cold start registers botocore's handlers once
and builds one DynamoDB client, not one per library."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

LAYER = Path(__file__).resolve().parents[2] / "layers" / "shared"
# In a fresh interpreter (this process holds whatever other tests made), counting the botocore sessions and the
# DynamoDB clients made. Nothing here sends a request.
PROBE = """\
import botocore.client, botocore.session
sessions, made = [], []
start, build = botocore.session.Session.__init__, botocore.client.ClientCreator.create_client
def counting_sessions(self, *args, **kwargs):
    sessions.append(1)
    start(self, *args, **kwargs)
def counting_clients(self, service_name, *args, **kwargs):
    made.append(service_name)
    return build(self, service_name, *args, **kwargs)
botocore.session.Session.__init__ = counting_sessions
botocore.client.ClientCreator.create_client = counting_clients
from pennydesk.helpdesk import inbound_mail
from pennydesk.helpdesk.ticket_records import Ticket
from pennydesk.platform import blobs, botocore_models, dynamo, idempotency, jobs
from pennydesk.platform.email import send
from pennydesk.scheduling import scheduler
from pennydesk.spending.records import Expense
dynamodb = [
    idempotency.persistence("email").client, idempotency.persistence("request").client,
    Ticket._get_connection().connection.client, Expense._get_connection().connection.client, dynamo.client(),
]
others = [send._ses(), jobs._sqs(), scheduler._sqs(), blobs._s3(), inbound_mail._s3(),
          botocore_models.client("secretsmanager")]
print(len(sessions), len({id(c) for c in dynamodb}), made.count("dynamodb"), len(made))
"""


def test_every_client_comes_from_one_session_and_dynamodb_from_one_client() -> None:
    env = {**os.environ, "PYTHONPATH": str(LAYER)}
    done = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=True)  # noqa: S603
    sessions, dynamodb_clients, dynamodb_made, made = done.stdout.split()
    assert (sessions, dynamodb_clients, dynamodb_made) == ("1", "1", "1")
    assert made == "7"  # one DynamoDB client, and the six others
