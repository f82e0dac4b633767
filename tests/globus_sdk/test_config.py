from __future__ import annotations

import pytest

import globus_sdk
from globus_sdk import config
from globus_sdk.exc import GlobusSDKUsageError

pytestmark = pytest.mark.usefixtures("clean_sdk_env")


def test_environment_name(monkeypatch: pytest.MonkeyPatch) -> None:
    assert config.get_environment_name() == "production"
    monkeypatch.setenv("GLOBUS_SDK_ENVIRONMENT", "preview")
    assert config.get_environment_name() == "preview"
    assert config.get_environment_name("sandbox") == "sandbox"


@pytest.mark.parametrize(
    ("env", "service", "url"),
    [
        ("production", "transfer", "https://transfer.api.globus.org/"),
        ("production", "auth", "https://auth.globus.org/"),
        ("preview", "groups", "https://groups.api.preview.globus.org/"),
        ("preview", "auth", "https://auth.preview.globus.org/"),
        ("sandbox", "search", "https://search.api.sandbox.globuscs.info/"),
        ("integration", "auth", "https://auth.integration.globuscs.info/"),
        ("test", "transfer", "https://transfer.api.test.globuscs.info/"),
        ("staging", "flows", "https://flows.api.staging.globuscs.info/"),
        ("local", "transfer", "http://127.0.0.1:8700/transfer/"),
        ("local", "auth", "http://127.0.0.1:8700/auth/"),
    ],
)
def test_service_urls(env: str, service: str, url: str) -> None:
    assert config.get_service_url(env, service) == url
    assert config.get_service_url(environment=env, service=service) == url


def test_service_url_takes_the_environment_first() -> None:
    with pytest.raises(TypeError):
        config.get_service_url("production")  # type: ignore[call-arg]
    # the other order names an environment that does not exist
    with pytest.raises(ValueError, match='Unrecognized environment "transfer"'):
        config.get_service_url("transfer", "production")


@pytest.mark.parametrize("root", ["http://10.0.0.5:9000/gl", "http://10.0.0.5:9000/gl/"])
def test_local_root_override(monkeypatch: pytest.MonkeyPatch, root: str) -> None:
    monkeypatch.setenv("GLOBUS_LOCAL_URL", root)
    assert config.get_service_url("local", "groups") == "http://10.0.0.5:9000/gl/groups/"
    assert config.get_webapp_url("local") == "http://10.0.0.5:9000/gl/app/"


def test_service_url_override_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GLOBUS_SDK_SERVICE_URL_TRANSFER", "https://proxy.example.org/xfer")
    # returned exactly as given, whatever the environment (even an unknown one)
    assert config.get_service_url("preview", "transfer") == "https://proxy.example.org/xfer"
    assert config.get_service_url("local", "transfer") == "https://proxy.example.org/xfer"
    assert config.get_service_url("nowhere", "transfer") == "https://proxy.example.org/xfer"
    # other services are unaffected
    assert config.get_service_url("preview", "auth") == "https://auth.preview.globus.org/"
    # an empty value is no override
    monkeypatch.setenv("GLOBUS_SDK_SERVICE_URL_TRANSFER", "")
    assert (
        config.get_service_url("preview", "transfer") == "https://transfer.api.preview.globus.org/"
    )


def test_unknown_environment() -> None:
    with pytest.raises(ValueError, match='^Unrecognized environment "nowhere"$'):
        config.get_service_url("nowhere", "transfer")
    with pytest.raises(GlobusSDKUsageError):
        config.get_service_url("nowhere", "transfer")
    with pytest.raises(ValueError):
        config.get_webapp_url("nowhere")


def test_webapp_url() -> None:
    assert config.get_webapp_url() == "https://app.globus.org/"
    assert config.get_webapp_url("sandbox") == "https://app.sandbox.globuscs.info/"


def test_http_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    assert config.get_http_timeout() == 60
    monkeypatch.setenv("GLOBUS_SDK_HTTP_TIMEOUT", "120")
    assert config.get_http_timeout() == 120
    assert config.get_http_timeout(5) == 5  # explicit wins
    monkeypatch.setenv("GLOBUS_SDK_HTTP_TIMEOUT", "-1")
    assert config.get_http_timeout() is None
    assert config.get_http_timeout(-1) is None
    monkeypatch.setenv("GLOBUS_SDK_HTTP_TIMEOUT", "soon")
    with pytest.raises(ValueError):
        config.get_http_timeout()


@pytest.mark.parametrize(
    "raw", ["f", "F", "false", "False", "FALSE", "n", "N", "no", "No", "off", "OFF", "0"]
)
def test_ssl_verify_false_spellings(monkeypatch: pytest.MonkeyPatch, raw: str) -> None:
    monkeypatch.setenv("GLOBUS_SDK_VERIFY_SSL", raw)
    assert config.get_ssl_verify() is False
    assert config.get_ssl_verify(True) is True  # explicit wins


@pytest.mark.parametrize(
    "raw", ["t", "T", "true", "True", "TRUE", "y", "Y", "yes", "YES", "on", "On", "1"]
)
def test_ssl_verify_true_spellings(monkeypatch: pytest.MonkeyPatch, raw: str) -> None:
    monkeypatch.setenv("GLOBUS_SDK_VERIFY_SSL", raw)
    assert config.get_ssl_verify() is True
    assert config.get_ssl_verify(False) is False


def test_ssl_verify_ca_bundle_path(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    assert config.get_ssl_verify() is True
    bundle = tmp_path / "ca.pem"
    bundle.write_text("x")
    monkeypatch.setenv("GLOBUS_SDK_VERIFY_SSL", str(bundle))
    assert config.get_ssl_verify() == str(bundle)
    monkeypatch.setenv("GLOBUS_SDK_VERIFY_SSL", str(tmp_path / "missing.pem"))
    with pytest.raises(ValueError):
        config.get_ssl_verify()


@pytest.mark.parametrize(("raw", "expected"), [("False", False), ("t", True), ("OFF", False)])
def test_ssl_verify_explicit_string_is_parsed_too(
    monkeypatch: pytest.MonkeyPatch, raw: str, expected: bool
) -> None:
    monkeypatch.setenv("GLOBUS_SDK_VERIFY_SSL", "true")
    assert config.get_ssl_verify(raw) is expected


@pytest.mark.parametrize("raw", ["maybe", "tru", "2", "nope"])
def test_ssl_verify_other_words_are_refused(monkeypatch: pytest.MonkeyPatch, raw: str) -> None:
    monkeypatch.setenv("GLOBUS_SDK_VERIFY_SSL", raw)
    with pytest.raises(ValueError, match="GLOBUS_SDK_VERIFY_SSL"):
        config.get_ssl_verify()


def test_ssl_verify_reaches_the_transport(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GLOBUS_SDK_VERIFY_SSL", "F")
    assert globus_sdk.TransferClient().transport.verify_ssl is False
    assert globus_sdk.TransferClient(transport_params={"verify_ssl": True}).transport.verify_ssl
