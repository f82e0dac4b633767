from __future__ import annotations

import base64
import hashlib
import logging
import time
import typing as t

import pytest

import globus_sdk
from globus_sdk.authorizers import (
    AccessTokenAuthorizer,
    BasicAuthorizer,
    ClientCredentialsAuthorizer,
    GlobusAuthorizer,
    NullAuthorizer,
    RefreshTokenAuthorizer,
    RenewingAuthorizer,
    StaticGlobusAuthorizer,
    renewing,
)
from globus_sdk.transport import RequestsTransport
from tests.support.http_stub import StubResponse


class FakeTokenResponse:
    """Duck-typed stand-in for OAuthTokenResponse (only by_resource_server is used)."""

    def __init__(self, by_resource_server: dict[str, dict[str, t.Any]]) -> None:
        self.by_resource_server = by_resource_server


def token_data(
    access_token: str, expires_at: int, refresh_token: str | None = None, rs: str = "rs.example"
) -> dict[str, t.Any]:
    return {
        "access_token": access_token,
        "expires_at_seconds": expires_at,
        "refresh_token": refresh_token,
        "resource_server": rs,
        "scope": "all",
        "token_type": "Bearer",
    }


class FakeAuthClient:
    """Records calls and hands out pre-scripted token responses."""

    def __init__(self, *responses: FakeTokenResponse) -> None:
        self.responses = list(responses)
        self.refresh_calls: list[str] = []
        self.cc_calls: list[t.Any] = []

    def oauth2_refresh_token(self, refresh_token: str) -> FakeTokenResponse:
        self.refresh_calls.append(refresh_token)
        return self.responses.pop(0)

    def oauth2_client_credentials_tokens(self, requested_scopes: t.Any = None) -> FakeTokenResponse:
        self.cc_calls.append(requested_scopes)
        return self.responses.pop(0)


def future(seconds: int) -> int:
    return int(time.time()) + seconds


# --- simple authorizers -------------------------------------------------------------


def test_top_level_names_are_the_authorizer_classes():
    assert globus_sdk.AccessTokenAuthorizer is AccessTokenAuthorizer
    assert globus_sdk.RefreshTokenAuthorizer is RefreshTokenAuthorizer
    assert globus_sdk.NullAuthorizer is NullAuthorizer


def test_globus_authorizer_is_abstract_and_defaults_to_no_401_handling():
    with pytest.raises(TypeError):
        GlobusAuthorizer()  # type: ignore[abstract]

    class Custom(GlobusAuthorizer):
        def get_authorization_header(self) -> str:
            return "Custom x"

    assert Custom().handle_missing_authorization() is False


def test_null_authorizer_sends_no_header():
    authz = NullAuthorizer()
    assert authz.get_authorization_header() is None
    assert authz.handle_missing_authorization() is False


def test_access_token_authorizer_bearer_header():
    authz = AccessTokenAuthorizer("tok123")
    assert isinstance(authz, StaticGlobusAuthorizer)
    assert authz.access_token == "tok123"
    assert authz.access_token_hash == hashlib.sha256(b"tok123").hexdigest()
    assert authz.get_authorization_header() == "Bearer tok123"
    assert authz.handle_missing_authorization() is False


def test_basic_authorizer_encodes_user_and_password():
    authz = BasicAuthorizer("client-id", "s3cr:et")
    header = authz.get_authorization_header()
    scheme, encoded = header.split(" ")
    assert scheme == "Basic"
    assert base64.b64decode(encoded).decode() == "client-id:s3cr:et"
    assert authz.handle_missing_authorization() is False


def test_basic_authorizer_non_ascii():
    header = BasicAuthorizer("usér", "pässword").get_authorization_header()
    assert base64.b64decode(header.split(" ")[1]).decode("utf-8") == "usér:pässword"


# --- renewing authorizers -----------------------------------------------------------


def test_renewing_authorizer_is_abstract():
    with pytest.raises(TypeError):
        RenewingAuthorizer()  # type: ignore[abstract]


def test_refresh_authorizer_uses_valid_initial_token_without_fetching():
    client = FakeAuthClient()
    authz = RefreshTokenAuthorizer("RT", client, access_token="AT0", expires_at=future(3600))
    assert authz.get_authorization_header() == "Bearer AT0"
    assert client.refresh_calls == []


def test_refresh_authorizer_fetches_lazily_when_no_initial_token():
    client = FakeAuthClient(FakeTokenResponse({"rs.example": token_data("AT1", future(3600))}))
    authz = RefreshTokenAuthorizer("RT", client)
    assert client.refresh_calls == []  # nothing fetched at construction
    assert authz.get_authorization_header() == "Bearer AT1"
    assert client.refresh_calls == ["RT"]
    # cached afterwards
    assert authz.get_authorization_header() == "Bearer AT1"
    assert client.refresh_calls == ["RT"]
    assert authz.access_token == "AT1"


@pytest.mark.parametrize("expires_in", [-100, 0, 10, 59])
def test_refresh_authorizer_renews_expired_or_nearly_expired_token(expires_in):
    client = FakeAuthClient(FakeTokenResponse({"rs.example": token_data("AT1", future(3600))}))
    authz = RefreshTokenAuthorizer("RT", client, access_token="AT0", expires_at=future(expires_in))
    assert authz.get_authorization_header() == "Bearer AT1"
    assert client.refresh_calls == ["RT"]


def test_renewal_window_boundary(monkeypatch):
    now = 1_000_000.0
    monkeypatch.setattr(time, "time", lambda: now)
    window = renewing.EXPIRES_ADJUST_SECONDS
    client = FakeAuthClient(FakeTokenResponse({"rs.example": token_data("AT1", 2_000_000)}))
    authz = RefreshTokenAuthorizer("RT", client, access_token="AT0", expires_at=int(now) + window)
    assert authz.get_authorization_header() == "Bearer AT0"
    authz.expires_at = int(now) + window - 1
    assert authz.get_authorization_header() == "Bearer AT1"
    assert authz.expires_at == 2_000_000


def test_access_token_without_expires_at_is_ignored(caplog):
    client = FakeAuthClient(FakeTokenResponse({"rs.example": token_data("AT1", future(3600))}))
    with caplog.at_level(logging.WARNING, logger="globus_sdk.authorizers.renewing"):
        authz = RefreshTokenAuthorizer("RT", client, access_token="AT0")
    assert "expires_at" in caplog.text
    assert authz.access_token is None
    assert authz.get_authorization_header() == "Bearer AT1"


def test_expires_at_without_access_token_is_ignored():
    client = FakeAuthClient(FakeTokenResponse({"rs.example": token_data("AT1", future(3600))}))
    authz = RefreshTokenAuthorizer("RT", client, expires_at=future(3600))
    assert authz.expires_at is None
    assert authz.get_authorization_header() == "Bearer AT1"


def test_handle_missing_authorization_invalidates_and_forces_renewal():
    client = FakeAuthClient(
        FakeTokenResponse({"rs.example": token_data("AT1", future(3600))}),
        FakeTokenResponse({"rs.example": token_data("AT2", future(3600))}),
    )
    authz = RefreshTokenAuthorizer("RT", client, access_token="AT0", expires_at=future(3600))
    assert authz.handle_missing_authorization() is True
    assert (authz.access_token, authz.expires_at) == ("AT0", None)
    assert authz.get_authorization_header() == "Bearer AT1"
    assert authz.handle_missing_authorization() is True
    assert authz.get_authorization_header() == "Bearer AT2"
    assert client.refresh_calls == ["RT", "RT"]


def test_on_refresh_receives_token_response():
    seen: list[t.Any] = []
    response = FakeTokenResponse({"rs.example": token_data("AT1", future(3600))})
    authz = RefreshTokenAuthorizer("RT", FakeAuthClient(response), on_refresh=seen.append)
    authz.get_authorization_header()
    assert seen == [response]


def test_on_refresh_not_called_when_no_renewal():
    seen: list[t.Any] = []
    authz = RefreshTokenAuthorizer(
        "RT", FakeAuthClient(), access_token="AT", expires_at=future(3600), on_refresh=seen.append
    )
    authz.get_authorization_header()
    assert seen == []


def test_refresh_authorizer_adopts_rotated_refresh_token():
    client = FakeAuthClient(
        FakeTokenResponse({"rs.example": token_data("AT1", future(-10), refresh_token="RT2")}),
        FakeTokenResponse({"rs.example": token_data("AT2", future(3600), refresh_token=None)}),
    )
    authz = RefreshTokenAuthorizer("RT1", client)
    assert authz.get_authorization_header() == "Bearer AT1"
    assert authz.refresh_token == "RT2"
    # AT1 already expired, so the next header renews with the new refresh token
    assert authz.get_authorization_header() == "Bearer AT2"
    assert client.refresh_calls == ["RT1", "RT2"]
    assert authz.refresh_token == "RT2"  # a response without a refresh token keeps it


@pytest.mark.parametrize("n_servers", [0, 2])
def test_refresh_authorizer_requires_exactly_one_token(n_servers):
    by_rs = {f"rs{i}": token_data(f"AT{i}", future(3600), rs=f"rs{i}") for i in range(n_servers)}
    authz = RefreshTokenAuthorizer("RT", FakeAuthClient(FakeTokenResponse(by_rs)))
    with pytest.raises(ValueError, match="didn't return exactly one token") as err:
        authz.get_authorization_header()
    assert "refresh token authorizer" in str(err.value)
    assert "did not return exactly one token" in str(err.value)


def test_client_credentials_authorizer_requests_scopes():
    client = FakeAuthClient(
        FakeTokenResponse({"transfer.api.globus.org": token_data("CC1", future(3600))}),
        FakeTokenResponse({"transfer.api.globus.org": token_data("CC2", future(3600))}),
    )
    seen: list[t.Any] = []
    authz = ClientCredentialsAuthorizer(
        client, "urn:globus:auth:scope:transfer.api.globus.org:all", on_refresh=seen.append
    )
    assert authz.get_authorization_header() == "Bearer CC1"
    assert client.cc_calls == ["urn:globus:auth:scope:transfer.api.globus.org:all"]
    assert len(seen) == 1
    assert authz.handle_missing_authorization() is True
    assert authz.get_authorization_header() == "Bearer CC2"
    assert len(client.cc_calls) == 2


def test_client_credentials_authorizer_iterable_scopes_are_space_joined():
    client = FakeAuthClient(FakeTokenResponse({"rs": token_data("CC1", future(3600))}))
    authz = ClientCredentialsAuthorizer(client, ["scope:a", "scope:b"])
    assert authz.scopes == "scope:a scope:b"
    authz.get_authorization_header()
    assert client.cc_calls == ["scope:a scope:b"]


def test_client_credentials_authorizer_initial_token():
    client = FakeAuthClient()
    authz = ClientCredentialsAuthorizer(client, "s", access_token="CC0", expires_at=future(3600))
    assert authz.get_authorization_header() == "Bearer CC0"
    assert client.cc_calls == []


def test_client_credentials_authorizer_rejects_multiple_tokens():
    by_rs = {"a": token_data("A", future(3600)), "b": token_data("B", future(3600))}
    authz = ClientCredentialsAuthorizer(FakeAuthClient(FakeTokenResponse(by_rs)), "s1 s2")
    with pytest.raises(ValueError, match="didn't return exactly one token") as err:
        authz.get_authorization_header()
    assert "Ensure scopes s1 s2 are for only one resource server" in str(err.value)


# --- over real HTTP, through the transport -------------------------------------------


def test_transport_retries_401_once_with_renewed_token(http_stub, no_sleep):
    http_stub.add(
        "GET",
        "/v0.10/task_list",
        StubResponse(status=401, body={"code": "AuthenticationFailed"}),
        StubResponse(status=200, body={"DATA": []}),
    )
    client = FakeAuthClient(FakeTokenResponse({"rs.example": token_data("AT1", future(3600))}))
    seen: list[t.Any] = []
    authz = RefreshTokenAuthorizer(
        "RT", client, access_token="AT0", expires_at=future(3600), on_refresh=seen.append
    )
    response = RequestsTransport().request(
        "GET", http_stub.url + "/v0.10/task_list", authorizer=authz
    )
    assert response.status_code == 200
    headers = [r.headers.get("Authorization") for r in http_stub.requests]
    assert headers == ["Bearer AT0", "Bearer AT1"]
    assert client.refresh_calls == ["RT"]
    assert len(seen) == 1


def test_transport_sends_no_header_with_null_authorizer(http_stub):
    http_stub.add("GET", "/x", body={"ok": True})
    RequestsTransport().request("GET", http_stub.url + "/x", authorizer=NullAuthorizer())
    assert "Authorization" not in http_stub.requests[0].headers
