from __future__ import annotations

import pytest

import globus_sdk
from tests.support.http_stub import HTTPStub

#: the path prefix every TransferClient request carries (service URL + base_path)
PREFIX = "/v0.10"


@pytest.fixture
def tc(http_stub: HTTPStub, monkeypatch: pytest.MonkeyPatch) -> globus_sdk.TransferClient:
    """A TransferClient pointed at the stub through the documented service-URL variable,
    so base_path joining is exercised too."""
    monkeypatch.setenv("GLOBUS_SDK_SERVICE_URL_TRANSFER", http_stub.url)
    return globus_sdk.TransferClient(authorizer=globus_sdk.AccessTokenAuthorizer("tok"))
