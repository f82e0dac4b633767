"""AuthClient family: what goes over the wire (against the scripted HTTP stub)."""

from __future__ import annotations

import base64
import hashlib
import urllib.parse
import uuid

import pytest

import globus_sdk
from globus_sdk.services.auth import GlobusAuthorizationCodeFlowManager, GlobusNativeAppFlowManager
from tests.support.http_stub import HTTPStub

TOKEN_BODY = {
    "access_token": "auth-at",
    "scope": "openid profile email",
    "expires_in": 172800,
    "token_type": "Bearer",
    "resource_server": "auth.globus.org",
    "state": "_default",
    "refresh_token": "auth-rt",
    "other_tokens": [
        {
            "access_token": "transfer-at",
            "scope": "urn:globus:auth:scope:transfer.api.globus.org:all",
            "expires_in": 172800,
            "token_type": "Bearer",
            "resource_server": "transfer.api.globus.org",
            "state": "_default",
            "refresh_token": "transfer-rt",
        }
    ],
}


def form_of(req) -> dict[str, str]:
    return {k: v[0] for k, v in req.form.items()}


def test_get_identities_encodes_ids_and_usernames(http_stub: HTTPStub) -> None:
    http_stub.add("GET", "/v2/api/identities", body={"identities": []})
    ac = globus_sdk.AuthClient(base_url=http_stub.url)
    u1, u2 = uuid.uuid4(), uuid.uuid4()
    ac.get_identities(ids=[u1, str(u2)])
    ac.get_identities(usernames="a@example.org,b@example.org", provision=True)
    ac.get_identities(usernames=["a@example.org"], query_params={"extra": "1"})
    first, second, third = http_stub.requests
    assert first.query == {"ids": [f"{u1},{u2}"]}
    assert second.query == {"usernames": ["a@example.org,b@example.org"], "provision": ["true"]}
    assert third.query == {"usernames": ["a@example.org"], "provision": ["false"], "extra": ["1"]}


def test_confidential_client_uses_basic_auth_and_form_grants(http_stub: HTTPStub) -> None:
    http_stub.add("POST", "/v2/oauth2/token", body=TOKEN_BODY)
    cc = globus_sdk.ConfidentialAppAuthClient("cid", "secret", base_url=http_stub.url)
    tokens = cc.oauth2_client_credentials_tokens()
    req = http_stub.requests[-1]
    assert req.headers["Authorization"] == "Basic " + base64.b64encode(b"cid:secret").decode()
    assert req.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert form_of(req) == {
        "grant_type": "client_credentials",
        "scope": "openid profile email urn:globus:auth:scope:transfer.api.globus.org:all",
    }
    assert isinstance(tokens, globus_sdk.OAuthTokenResponse)
    assert tokens.client is cc

    cc.oauth2_client_credentials_tokens(["scope:a", "scope:b"])
    assert form_of(http_stub.requests[-1])["scope"] == "scope:a scope:b"

    cc.oauth2_refresh_token("rt-1", body_params={"x": "y"})
    assert form_of(http_stub.requests[-1]) == {
        "refresh_token": "rt-1",
        "grant_type": "refresh_token",
        "x": "y",
    }


def test_confidential_client_rejects_authorizer() -> None:
    with pytest.raises(globus_sdk.GlobusSDKUsageError):
        globus_sdk.ConfidentialAppAuthClient(
            "cid", "s", authorizer=globus_sdk.AccessTokenAuthorizer("x")
        )
    with pytest.raises(globus_sdk.GlobusSDKUsageError):
        globus_sdk.NativeAppAuthClient("cid", authorizer=globus_sdk.AccessTokenAuthorizer("x"))


def test_native_client_refresh_validate_revoke_send_client_id(http_stub: HTTPStub) -> None:
    http_stub.add("POST", "/v2/oauth2/token", body=TOKEN_BODY)
    http_stub.add("POST", "/v2/oauth2/token/validate", body={"active": True})
    http_stub.add("POST", "/v2/oauth2/token/revoke", body={"active": False})
    nc = globus_sdk.NativeAppAuthClient("native-id", base_url=http_stub.url)
    nc.oauth2_refresh_token("rt")
    assert nc.oauth2_validate_token("tok")["active"] is True
    assert nc.oauth2_revoke_token("tok", body_params={"token_type_hint": "access_token"})
    refresh, validate, revoke = http_stub.requests
    assert "Authorization" not in refresh.headers
    assert form_of(refresh) == {
        "refresh_token": "rt",
        "grant_type": "refresh_token",
        "client_id": "native-id",
    }
    assert form_of(validate) == {"token": "tok", "client_id": "native-id"}
    assert form_of(revoke) == {
        "token": "tok",
        "client_id": "native-id",
        "token_type_hint": "access_token",
    }


def test_confidential_validate_does_not_send_client_id(http_stub: HTTPStub) -> None:
    http_stub.add("POST", "/v2/oauth2/token/validate", body={"active": False})
    cc = globus_sdk.ConfidentialAppAuthClient("cid", "secret", base_url=http_stub.url)
    assert cc.oauth2_validate_token("tok")["active"] is False
    assert form_of(http_stub.requests[-1]) == {"token": "tok"}


def test_introspect_and_dependent_tokens(http_stub: HTTPStub) -> None:
    http_stub.add("POST", "/v2/oauth2/token/introspect", body={"active": True, "sub": "x"})
    http_stub.add(
        "POST",
        "/v2/oauth2/token",
        body=[
            {
                "scope": "urn:globus:auth:scope:groups.api.globus.org:view_my_groups_and_memberships",
                "access_token": "groups-at",
                "token_type": "bearer",
                "expires_in": 120,
                "resource_server": "groups.api.globus.org",
            }
        ],
    )
    cc = globus_sdk.ConfidentialAppAuthClient("cid", "secret", base_url=http_stub.url)
    assert cc.oauth2_token_introspect("tok")["sub"] == "x"
    assert form_of(http_stub.requests[-1]) == {"token": "tok"}
    cc.oauth2_token_introspect("tok", include="identity_set")
    assert form_of(http_stub.requests[-1]) == {"token": "tok", "include": "identity_set"}

    dep = cc.oauth2_get_dependent_tokens("svc-token", additional_params={"access_type": "offline"})
    assert form_of(http_stub.requests[-1]) == {
        "grant_type": "urn:globus:auth:grant_type:dependent_token",
        "token": "svc-token",
        "access_type": "offline",
    }
    assert isinstance(dep, globus_sdk.OAuthDependentTokenResponse)
    groups = dep.by_resource_server["groups.api.globus.org"]
    assert groups["access_token"] == "groups-at"
    assert groups["refresh_token"] is None
    assert (
        dep.by_scopes["urn:globus:auth:scope:groups.api.globus.org:view_my_groups_and_memberships"]
        is groups
    )
    with pytest.raises(NotImplementedError):
        dep.decode_id_token()


def test_userinfo_and_openid_configuration_paths(http_stub: HTTPStub) -> None:
    http_stub.add("GET", "/v2/oauth2/userinfo", body={"sub": "abc"})
    http_stub.add("GET", "/.well-known/openid-configuration", body={"issuer": "x"})
    ac = globus_sdk.AuthClient(
        base_url=http_stub.url, authorizer=globus_sdk.AccessTokenAuthorizer("tok")
    )
    assert ac.oauth2_userinfo()["sub"] == "abc"
    assert http_stub.requests[-1].headers["Authorization"] == "Bearer tok"
    assert ac.get_openid_configuration()["issuer"] == "x"


def test_flow_methods_need_a_started_flow() -> None:
    nc = globus_sdk.NativeAppAuthClient("native-id", base_url="http://127.0.0.1:9/")
    with pytest.raises(globus_sdk.GlobusSDKUsageError):
        nc.oauth2_get_authorize_url()
    with pytest.raises(globus_sdk.GlobusSDKUsageError):
        nc.oauth2_exchange_code_for_tokens("code")


def parse_authorize_url(url: str) -> tuple[str, dict[str, str]]:
    parts = urllib.parse.urlsplit(url)
    query = {k: v[0] for k, v in urllib.parse.parse_qs(parts.query).items()}
    return urllib.parse.urlunsplit(parts._replace(query="")), query


def test_native_flow_authorize_url_and_pkce_exchange(http_stub: HTTPStub) -> None:
    http_stub.add("POST", "/v2/oauth2/token", body=TOKEN_BODY)
    nc = globus_sdk.NativeAppAuthClient("native-id", base_url=http_stub.url)
    flow = nc.oauth2_start_flow(refresh_tokens=True, prefill_named_grant="my laptop")
    assert isinstance(flow, GlobusNativeAppFlowManager)
    assert nc.current_oauth2_flow_manager is flow
    assert 43 <= len(flow.verifier) <= 128
    base, query = parse_authorize_url(nc.oauth2_get_authorize_url(query_params={"prompt": "login"}))
    assert base == f"{http_stub.url}v2/oauth2/authorize"
    expected_challenge = (
        base64.urlsafe_b64encode(hashlib.sha256(flow.verifier.encode()).digest())
        .decode()
        .rstrip("=")
    )
    assert query == {
        "client_id": "native-id",
        "redirect_uri": f"{http_stub.url}v2/web/auth-code",
        "scope": "openid profile email urn:globus:auth:scope:transfer.api.globus.org:all",
        "state": "_default",
        "response_type": "code",
        "code_challenge": expected_challenge,
        "code_challenge_method": "S256",
        "access_type": "offline",
        "prefill_named_grant": "my laptop",
        "prompt": "login",
    }
    tokens = nc.oauth2_exchange_code_for_tokens("the-code")
    assert form_of(http_stub.requests[-1]) == {
        "client_id": "native-id",
        "grant_type": "authorization_code",
        "code": "the-code",
        "code_verifier": flow.verifier,
        "redirect_uri": f"{http_stub.url}v2/web/auth-code",
    }
    assert tokens.by_resource_server["transfer.api.globus.org"]["refresh_token"] == "transfer-rt"


def test_native_flow_options_and_verifier_validation() -> None:
    nc = globus_sdk.NativeAppAuthClient("native-id", base_url="http://127.0.0.1:9/auth/")
    flow = nc.oauth2_start_flow(
        ["openid", "email"], redirect_uri="http://localhost:1234/cb", state="xyz", verifier="v" * 43
    )
    _, query = parse_authorize_url(flow.get_authorize_url())
    assert query["scope"] == "openid email"
    assert query["redirect_uri"] == "http://localhost:1234/cb"
    assert query["state"] == "xyz"
    assert query["access_type"] == "online"
    assert "prefill_named_grant" not in query
    assert flow.verifier == "v" * 43
    # a fresh verifier per flow
    assert nc.oauth2_start_flow().verifier != nc.oauth2_start_flow().verifier
    for bad in ("short", "v" * 129, "v" * 42 + "!"):
        with pytest.raises(globus_sdk.GlobusSDKUsageError):
            nc.oauth2_start_flow(verifier=bad)


def test_authorization_code_flow(http_stub: HTTPStub) -> None:
    http_stub.add("POST", "/v2/oauth2/token", body=TOKEN_BODY)
    cc = globus_sdk.ConfidentialAppAuthClient("cid", "secret", base_url=http_stub.url)
    flow = cc.oauth2_start_flow("https://app.example.org/login", "openid", state="s1")
    assert isinstance(flow, GlobusAuthorizationCodeFlowManager)
    base, query = parse_authorize_url(cc.oauth2_get_authorize_url())
    assert base == f"{http_stub.url}v2/oauth2/authorize"
    assert query == {
        "client_id": "cid",
        "redirect_uri": "https://app.example.org/login",
        "scope": "openid",
        "state": "s1",
        "response_type": "code",
        "access_type": "online",
    }
    cc.oauth2_exchange_code_for_tokens("c0de")
    req = http_stub.requests[-1]
    assert req.headers["Authorization"].startswith("Basic ")
    assert form_of(req) == {
        "grant_type": "authorization_code",
        "code": "c0de",
        "redirect_uri": "https://app.example.org/login",
    }
    refresh_flow = cc.oauth2_start_flow("https://app.example.org/login", refresh_tokens=True)
    assert parse_authorize_url(refresh_flow.get_authorize_url())[1]["access_type"] == "offline"


def test_oauth_error_is_auth_api_error(http_stub: HTTPStub) -> None:
    http_stub.add(
        "POST",
        "/v2/oauth2/token",
        status=401,
        body={"error": "invalid_grant", "error_description": "Invalid grant"},
    )
    cc = globus_sdk.ConfidentialAppAuthClient("cid", "secret", base_url=http_stub.url)
    with pytest.raises(globus_sdk.AuthAPIError) as excinfo:
        cc.oauth2_refresh_token("bogus")
    err = excinfo.value
    assert isinstance(err, globus_sdk.GlobusAPIError)
    assert err.http_status == 401
    assert err.message == "invalid_grant"
    assert err.error_description == "Invalid grant"


def test_errors_document_is_parsed(http_stub: HTTPStub) -> None:
    http_stub.add(
        "GET",
        "/v2/oauth2/userinfo",
        status=401,
        body={
            "errors": [
                {
                    "status": "401",
                    "code": "UNAUTHORIZED",
                    "detail": "Call must be authenticated",
                    "title": "Unauthorized",
                }
            ],
            "error_description": "Unauthorized",
            "error": "unauthorized",
        },
    )
    ac = globus_sdk.AuthClient(base_url=http_stub.url)
    with pytest.raises(globus_sdk.AuthAPIError) as excinfo:
        ac.oauth2_userinfo()
    assert excinfo.value.code == "UNAUTHORIZED"
    assert excinfo.value.message == "Call must be authenticated"
