"""Parse each AWS service's model once per process, however many botocore sessions read it.

Every botocore session has a loader of its own, and the first client a session makes parses the endpoint
rules for every AWS partition (a megabyte of JSON) and its service's model. pynamodb makes a session for
every table connection (one per model class), Powertools one per idempotency layer and per parameters
provider, boto3 one more: a cold start paid those parses once per session. Here pynamodb's connections
share one session per thread (botocore sessions aren't thread-safe, which is why pynamodb keeps its own per
thread), and every session reads through one loader, a read-only cache of parsed files. That shared session
also makes one client per configuration: pynamodb asks for a client per model class, all configured alike, and
each new client rebuilt its endpoint rules and handlers (a few ms apiece on a cold start's first requests).
"""

from __future__ import annotations

import threading
from typing import Any

import botocore.loaders
import botocore.session
import pynamodb.connection.base

LOADER = botocore.loaders.create_loader()
_new_session = botocore.session.get_session
_per_thread = threading.local()


def session_sharing_models(env_vars: dict[str, object] | None = None) -> botocore.session.Session:
    """A new botocore session whose loader is the process's."""
    new = _new_session(env_vars)
    new.register_component("data_loader", LOADER)
    return new


def session() -> botocore.session.Session:
    """This thread's botocore session for pynamodb and the idempotency layers, made on first use."""
    if getattr(_per_thread, "session", None) is None:
        _per_thread.session = _one_client_per_configuration(session_sharing_models())
    return _per_thread.session


def _one_client_per_configuration(shared: botocore.session.Session) -> botocore.session.Session:
    """`shared`, answering a client request it already answered (same service, region, endpoint and Config)
    with the same client (botocore clients are thread-safe; sessions are what isn't)."""
    made: dict[str, Any] = {}
    create = shared.create_client

    def create_client(service_name: str, region_name: str | None = None, **options: Any) -> Any:
        config = options.get("config")
        if set(options) - {"config", "endpoint_url"}:  # credentials or other settings: a client of its own
            return create(service_name, region_name, **options)
        key = repr((service_name, region_name, options.get("endpoint_url"),
                    sorted(config._user_provided_options.items()) if config is not None else None))
        cached = made.get(key)
        if cached is None or (cached._request_signer and not cached._request_signer._credentials):
            made[key] = create(service_name, region_name, **options)  # pynamodb asks again when these are empty
        return made[key]

    shared.create_client = create_client  # type: ignore[method-assign]
    return shared


botocore.session.get_session = session_sharing_models  # what boto3.session.Session() calls
pynamodb.connection.base.get_session = session  # where pynamodb's connections make their sessions
