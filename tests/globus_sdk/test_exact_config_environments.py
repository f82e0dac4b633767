"""Environments as ``EnvConfig`` classes: the built-in ones, and ones a caller registers."""

from __future__ import annotations

import typing as t

import pytest

import globus_sdk
from globus_sdk import config
from globus_sdk.config import EnvConfig
from globus_sdk.config import environments as environments_module

pytestmark = pytest.mark.usefixtures("clean_sdk_env")


@pytest.fixture
def registry() -> t.Iterator[dict[str, type[EnvConfig]]]:
    """The shared registry, put back as it was after the test defines its environments."""
    saved = dict(EnvConfig._registry)
    yield EnvConfig._registry
    EnvConfig._registry.clear()
    EnvConfig._registry.update(saved)


def test_builtin_environments_are_registered() -> None:
    for name in ("production", "preview", "sandbox", "integration", "test", "staging", "local"):
        conf = EnvConfig.get_by_name(name)
        assert conf is not None and issubclass(conf, EnvConfig)
        assert conf.envname == name
    assert EnvConfig.get_by_name("atlantis") is None
    assert config.EnvConfig is environments_module.EnvConfig


def test_production_lists_only_nexus() -> None:
    production = EnvConfig.get_by_name("production")
    assert production is not None
    assert production.domain == "globus.org"
    assert production.get_service_url("nexus") == "https://nexus.api.globusonline.org/"
    # no flows/timer/actions attributes: those services follow the domain rule
    for service in ("flows", "timer", "actions"):
        assert not hasattr(production, f"{service}_url")
        assert config.get_service_url("production", service) == (
            f"https://{service}.api.globus.org/"
        )


def test_subclass_registers_itself(registry: dict[str, type[EnvConfig]]) -> None:
    class BetaEnv(EnvConfig):
        envname = "beta"
        domain = "beta.example.org"
        search_url = "https://find.example.org/"

    assert registry["beta"] is BetaEnv
    assert EnvConfig.get_by_name("beta") is BetaEnv
    # a <service>_url attribute pins that service; the others follow the domain rule
    assert config.get_service_url("beta", "search") == "https://find.example.org/"
    assert config.get_service_url("beta", "transfer") == "https://transfer.api.beta.example.org/"
    assert config.get_service_url("beta", "auth") == "https://auth.beta.example.org/"
    assert config.get_webapp_url("beta") == "https://app.beta.example.org/"


def test_subclass_no_dotapi(registry: dict[str, type[EnvConfig]]) -> None:
    class FlatEnv(EnvConfig):
        envname = "flat"
        domain = "flat.example.org"
        no_dotapi = ["auth", "groups"]

    assert config.get_service_url("flat", "groups") == "https://groups.flat.example.org/"
    assert config.get_service_url("flat", "search") == "https://search.api.flat.example.org/"


def test_subclass_may_replace_a_builtin(registry: dict[str, type[EnvConfig]]) -> None:
    class MyPreview(EnvConfig):
        envname = "preview"
        domain = "preview.example.org"

    assert config.get_service_url("preview", "groups") == "https://groups.api.preview.example.org/"


def test_environment_variable_names_a_registered_environment(
    registry: dict[str, type[EnvConfig]], monkeypatch: pytest.MonkeyPatch
) -> None:
    class GammaEnv(EnvConfig):
        envname = "gamma"
        domain = "gamma.example.org"

    monkeypatch.setenv("GLOBUS_SDK_ENVIRONMENT", "gamma")
    client = globus_sdk.GroupsClient()
    assert client.environment == "gamma"
    assert client.base_url.startswith("https://groups.api.gamma.example.org/")


@pytest.mark.parametrize(
    ("service", "path"),
    [
        ("auth", "auth/"),
        ("transfer", "transfer/"),
        ("groups", "groups/"),
        ("search", "search/"),
        ("flows", "flows/"),
        ("actions", "actions/"),
        ("timer", "timer/"),
        ("nexus", "nexus/"),
    ],
)
def test_local_puts_every_service_under_the_root(
    monkeypatch: pytest.MonkeyPatch, service: str, path: str
) -> None:
    assert config.get_service_url("local", service) == f"http://127.0.0.1:8700/{path}"
    monkeypatch.setenv("GLOBUS_LOCAL_URL", "https://globus.example.org/prefix")
    assert config.get_service_url("local", service) == f"https://globus.example.org/prefix/{path}"


def test_local_subclass_may_pin_a_service(registry: dict[str, type[EnvConfig]]) -> None:
    local = EnvConfig.get_by_name("local")
    assert local is not None

    class SplitLocal(local):  # type: ignore[valid-type,misc]
        envname = "split-local"
        flows_url = "http://flows.internal:9000/"

    assert config.get_service_url("split-local", "flows") == "http://flows.internal:9000/"
    assert config.get_service_url("split-local", "groups") == "http://127.0.0.1:8700/groups/"
    assert config.get_webapp_url("split-local") == "http://127.0.0.1:8700/app/"


def test_client_reaches_the_server_of_a_registered_environment(
    registry: dict[str, type[EnvConfig]], globus_local_server: t.Any
) -> None:
    """Over HTTP: a client built for a caller's environment talks to that environment's URL."""
    server_auth = globus_local_server.service_url("auth")

    class SelfHostedEnv(EnvConfig):
        envname = "self-hosted"
        domain = "unused.example.org"
        auth_url = server_auth

    client = globus_sdk.AuthClient(environment="self-hosted")
    assert client.base_url == globus_local_server.service_url("auth")
    doc = client.get_openid_configuration()
    assert doc.http_status == 200
    assert doc["issuer"]
