"""One botocore session per thread for pynamodb's connections and the idempotency layer's client.

pynamodb makes a botocore session for every table connection (one per model class), and each new session
registers botocore's handlers and reads its service models afresh: a cold start that touched four models
parsed DynamoDB's model files (half a megabyte of JSON) four times. Clients stay one per connection; the
session they come from, with its parsed models, endpoint resolver and credentials, is made once per thread
(botocore sessions aren't thread-safe, which is why pynamodb keeps its own per thread).
"""

from __future__ import annotations

import threading

import botocore.session
import pynamodb.connection.base

_per_thread = threading.local()


def session() -> botocore.session.Session:
    """This thread's botocore session, made on first use."""
    if getattr(_per_thread, "session", None) is None:
        _per_thread.session = botocore.session.get_session()
    return _per_thread.session


pynamodb.connection.base.get_session = session  # where pynamodb's connections make their sessions
