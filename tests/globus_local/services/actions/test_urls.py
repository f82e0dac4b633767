"""Where a Globus-hosted provider's URL is served on the platform."""

from __future__ import annotations

from globus_local.services.actions.providers import PROVIDERS
from globus_local.services.actions.urls import HOSTED_PROVIDERS, platform_action_url

ROOT = "http://127.0.0.1:8700/"


def test_hosted_providers_map_under_actions() -> None:
    assert (
        platform_action_url(ROOT, "https://actions.globus.org/hello_world")
        == "http://127.0.0.1:8700/actions/actions.globus.org/hello_world"
    )
    assert (
        platform_action_url(ROOT.rstrip("/"), "https://transfer.actions.globus.org/transfer/")
        == "http://127.0.0.1:8700/actions/transfer.actions.globus.org/transfer/"
    )
    assert (
        platform_action_url(ROOT, "https://actions.globus.org/hello_world/run")
        == "http://127.0.0.1:8700/actions/actions.globus.org/hello_world/run"
    )


def test_other_urls_are_unchanged() -> None:
    for url in (
        "https://example.org/my_provider",
        "https://actions.globus.org/hello_worldly",
        "http://actions.globus.org/hello_world",
        "https://compute.actions.globus.org",
    ):
        assert platform_action_url(ROOT, url) == url


def test_every_hosted_provider_is_served() -> None:
    assert len(PROVIDERS) == len(HOSTED_PROVIDERS)
    for key, provider in PROVIDERS.items():
        assert f"https://{key}" in HOSTED_PROVIDERS
        assert provider.scope == HOSTED_PROVIDERS[f"https://{key}"]
