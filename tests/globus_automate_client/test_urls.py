"""Which URL a request reaches in each SDK environment."""

from __future__ import annotations

import pytest

from globus_automate_client import ActionClient, FlowsClient
from globus_automate_client.urls import flows_service_url, local_actions_url, resolve_url


@pytest.fixture
def local(monkeypatch: pytest.MonkeyPatch, clean_sdk_env: None) -> None:
    monkeypatch.setenv("GLOBUS_SDK_ENVIRONMENT", "local")
    monkeypatch.setenv("GLOBUS_LOCAL_URL", "http://127.0.0.1:9999")


def test_hosted_providers_go_to_the_local_platform(local: None) -> None:
    assert (
        local_actions_url("https://actions.globus.org/hello_world")
        == "http://127.0.0.1:9999/actions/actions.globus.org/hello_world"
    )
    assert (
        resolve_url("https://transfer.actions.globus.org/transfer")
        == "http://127.0.0.1:9999/actions/transfer.actions.globus.org/transfer"
    )
    # a provider somewhere else, or a look-alike host, is left alone
    for url in (
        "https://example.org/my_ap",
        "https://notactions.globus.org/x",
        "http://actions.globus.org/x",
    ):
        assert resolve_url(url) == url
    ac = ActionClient.new_client("https://actions.globus.org/hello_world", None)
    assert ac.base_url == "http://127.0.0.1:9999/actions/actions.globus.org/hello_world"


def test_the_hosted_flows_service_goes_to_the_local_platform(local: None) -> None:
    assert flows_service_url() == "http://127.0.0.1:9999/flows"
    assert resolve_url("https://flows.globus.org") == "http://127.0.0.1:9999/flows"
    assert (
        resolve_url("https://flows.globus.org/flows/abc") == "http://127.0.0.1:9999/flows/flows/abc"
    )
    fc = FlowsClient.new_client(
        "client", lambda **kw: None, None, base_url="https://flows.globus.org"
    )
    assert fc.base_url == "http://127.0.0.1:9999/flows"
    assert FlowsClient.new_client("client", lambda **kw: None, None).base_url == fc.base_url


def test_hosted_environments_keep_their_names(
    monkeypatch: pytest.MonkeyPatch, clean_sdk_env: None
) -> None:
    assert flows_service_url() == "https://flows.globus.org"
    assert (
        resolve_url("https://actions.globus.org/hello_world")
        == "https://actions.globus.org/hello_world"
    )
    monkeypatch.setenv("GLOBUS_SDK_ENVIRONMENT", "sandbox")
    assert flows_service_url() == "https://sandbox.flows.automate.globus.org"
    monkeypatch.setenv("GLOBUS_SDK_SERVICE_URL_FLOWS", "https://proxy.example.org/flows/")
    assert flows_service_url() == "https://proxy.example.org/flows"
    monkeypatch.delenv("GLOBUS_SDK_SERVICE_URL_FLOWS")
    monkeypatch.setenv("GLOBUS_SDK_ENVIRONMENT", "nowhere")
    with pytest.raises(ValueError, match="nowhere"):
        flows_service_url()
