"""Parse each AWS service's model once per process, however many botocore sessions read it.

Every botocore session has a loader of its own, and the first client a session makes parses the endpoint
rules for every AWS partition (a megabyte of JSON) and its service's model. pynamodb makes a session for
every table connection (one per model class), Powertools one per idempotency layer and per parameters
provider, boto3 one more: a cold start paid those parses once per session. Here pynamodb's connections, the
idempotency layers and every boto3 client (`client`) share one session per thread (botocore sessions aren't
thread-safe, which is why pynamodb keeps its own per thread), and every session reads through one loader, a
read-only cache of parsed files. That shared session also makes one client per configuration: pynamodb asks
for a client per model class, all configured alike, and each new client rebuilt its endpoint rules and
handlers (a few ms apiece on a cold start's first requests). The loader also parses botocore's JSON into
plain dicts rather than OrderedDicts (_PlainJSONFileLoader).
"""

from __future__ import annotations

import gzip
import json
import os
import threading
from collections.abc import Iterator, Sequence
from typing import Any

import botocore.loaders
import botocore.session
import pynamodb.connection.base


class _Services(Sequence[str]):
    """The services a loader knows for one type of file, listed only when the whole list is read.

    botocore checks one name (`load_service_model`: "is dynamodb a known service?") against a list made by
    reading ~440 directories under its data path, once per type of file: ~20 ms of a cold start's first
    client. A name is known exactly when one of its API version folders has that file, so that is checked
    alone; anything else that reads the list (iteration, length, an error message) gets botocore's own."""

    def __init__(self, loader: Loader, type_name: str) -> None:
        self._loader, self._type_name = loader, type_name
        self._names: list[str] | None = None

    def _all(self) -> list[str]:
        if self._names is None:
            self._names = botocore.loaders.Loader.list_available_services(self._loader, self._type_name)
        return self._names

    def __contains__(self, name: object) -> bool:
        if self._names is not None or not isinstance(name, str) or not name or os.sep in name:
            return name in self._all()
        for folder in self._loader._potential_locations(name, must_exist=True, is_dir=True):
            for version in os.listdir(folder):
                if self._loader.file_loader.exists(os.path.join(folder, version, self._type_name)):
                    return True
        return False

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())

    def __getitem__(self, index: Any) -> Any:
        return self._all()[index]


class _PlainJSONFileLoader(botocore.loaders.JSONFileLoader):
    """botocore's file loader, parsing into plain dicts, which keep their keys' order as OrderedDict does.

    botocore passes `object_pairs_hook=OrderedDict` (a Python 2 habit), which makes json's C decoder call back
    into Python for every object: the first client of every process parses endpoints.json (1.2 MB) in ~24 ms
    that way, ~8.5 ms without. Nothing in botocore asks for the OrderedDict type of what it loads."""

    OPENERS = ((".json", open), (".json.gz", gzip.open))  # botocore's own order (loaders._JSON_OPEN_METHODS)

    def load_file(self, file_path: str) -> Any:
        for extension, opener in self.OPENERS:
            path = file_path + extension
            if os.path.isfile(path):
                with opener(path, "rb") as file:
                    return json.loads(file.read().decode("utf-8"))
        return None


class Loader(botocore.loaders.Loader):
    """botocore's loader, answering "is this a known service?" without listing every service (_Services), and
    reading JSON into plain dicts (_PlainJSONFileLoader)."""

    def __init__(self) -> None:
        super().__init__(file_loader=_PlainJSONFileLoader())
        self._services: dict[str, _Services] = {}

    def list_available_services(self, type_name: str) -> Sequence[str]:  # type: ignore[override]
        if type_name not in self._services:
            self._services[type_name] = _Services(self, type_name)
        return self._services[type_name]


LOADER = Loader()
_new_session = botocore.session.get_session
_per_thread = threading.local()


def session_sharing_models(env_vars: dict[str, object] | None = None) -> botocore.session.Session:
    """A new botocore session whose loader is the process's."""
    new = _new_session(env_vars)
    new.register_component("data_loader", LOADER)
    return new


def session() -> botocore.session.Session:
    """This thread's botocore session for pynamodb, the idempotency layers and every boto3 client, made on
    first use."""
    if getattr(_per_thread, "session", None) is None:
        _per_thread.session = _one_client_per_configuration(session_sharing_models())
    return _per_thread.session


def client(service_name: str, **options: Any) -> Any:
    """A boto3 client made on this thread's session. `boto3.client()` makes boto3's default session, and
    Powertools' parameters a session per provider, each a botocore session of its own: registering botocore's
    ~380 handlers on each cost a cold start ~10 ms apiece (the ticket stream's first call made three)."""
    if getattr(_per_thread, "boto3", None) is None:
        import boto3.session  # here, not at the top: the API's start-up imports this module and needs no boto3

        _per_thread.boto3 = boto3.session.Session(botocore_session=session())
    return _per_thread.boto3.client(service_name, **options)


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
