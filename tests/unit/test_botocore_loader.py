"""The shared botocore loader answers "is this a known service?" without listing every service, and says the
same as botocore's own list for every name, known or not; and it reads every file the product's clients load
as botocore does, into plain dicts."""

from __future__ import annotations

import json

import botocore.loaders
import pytest
from pennydesk.platform.botocore_models import Loader


@pytest.mark.parametrize("type_name", ["service-2", "endpoint-rule-set-1", "paginators-1"])
def test_each_name_is_known_exactly_when_botocore_lists_it(type_name: str) -> None:
    listed = botocore.loaders.Loader().list_available_services(type_name)
    ours = Loader().list_available_services(type_name)
    names = [*listed, "nosuchservice", "", "dynamodb/..", "DynamoDB"]
    assert [name in ours for name in names] == [name in listed for name in names]
    assert list(Loader().list_available_services(type_name)) == listed and len(ours) == len(listed)


def test_an_unknown_service_is_botocores_own_error() -> None:
    with pytest.raises(botocore.exceptions.UnknownServiceError, match="Valid service names are: accessanalyzer"):
        Loader().load_service_model("nosuchservice", "service-2")
    assert Loader().load_service_model("dynamodb", "service-2")["metadata"]["serviceId"] == "DynamoDB"


# What a client of each service the product uses reads, and the files every first client reads.
SERVICES = ("dynamodb", "dynamodbstreams", "sesv2", "sqs", "s3", "secretsmanager")
SERVICE_FILES = ("service-2", "endpoint-rule-set-1", "paginators-1", "waiters-2")
ROOT_FILES = ("endpoints", "partitions", "sdk-default-configuration", "_retry")


def _botocore_and_ours() -> list[tuple[str, object, object]]:
    theirs, ours = botocore.loaders.Loader(), Loader()
    pairs = [(name, theirs.load_data(name), ours.load_data(name)) for name in ROOT_FILES]
    for service in SERVICES:
        for type_name in SERVICE_FILES:
            try:
                expected = theirs.load_service_model(service, type_name)
            except botocore.exceptions.DataNotFoundError:
                with pytest.raises(botocore.exceptions.DataNotFoundError):
                    ours.load_service_model(service, type_name)
                continue
            pairs.append((f"{service}/{type_name}", expected, ours.load_service_model(service, type_name)))
    return pairs


def test_every_file_reads_as_botocores_own_in_the_same_order() -> None:
    pairs = _botocore_and_ours()
    assert len(pairs) > len(ROOT_FILES) + 2 * len(SERVICES)  # the service models and rule sets were all found
    for name, expected, ours in pairs:
        assert ours == expected, name
        assert json.dumps(ours) == json.dumps(expected), f"{name}: keys in another order"


def test_the_files_are_plain_dicts() -> None:
    """What makes them cheaper: json's C decoder builds dicts itself instead of calling OrderedDict."""
    for name, expected, ours in _botocore_and_ours():
        assert type(expected) is not dict, name  # botocore's own: an OrderedDict
        assert type(ours) is dict, name
