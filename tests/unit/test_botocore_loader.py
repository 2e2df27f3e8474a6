"""The shared botocore loader answers "is this a known service?" without listing every service, and says the
same as botocore's own list for every name, known or not."""

from __future__ import annotations

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
