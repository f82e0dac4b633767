"""OAuthTokenResponse views and ID token verification (keys served by the HTTP stub)."""

from __future__ import annotations

import json
import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

import globus_sdk
from tests.globus_sdk.services.auth.test_clients_http import TOKEN_BODY
from tests.support.http_stub import HTTPStub

CLIENT_ID = "0b2c9a8e-5b1d-4d6e-9f3a-1234567890ab"


def fetch_tokens(http_stub: HTTPStub, body: dict) -> globus_sdk.OAuthTokenResponse:
    http_stub.add("POST", "/v2/oauth2/token", body=body)
    cc = globus_sdk.ConfidentialAppAuthClient(CLIENT_ID, "secret", base_url=http_stub.url)
    return cc.oauth2_client_credentials_tokens()


def test_by_resource_server(http_stub: HTTPStub) -> None:
    before = int(time.time())
    tokens = fetch_tokens(http_stub, TOKEN_BODY)
    after = int(time.time()) + 1
    by_rs = tokens.by_resource_server
    assert sorted(by_rs) == ["auth.globus.org", "transfer.api.globus.org"]
    auth = by_rs["auth.globus.org"]
    assert auth["access_token"] == "auth-at"
    assert auth["refresh_token"] == "auth-rt"
    assert auth["scope"] == "openid profile email"
    assert auth["token_type"] == "Bearer"
    assert auth["resource_server"] == "auth.globus.org"
    assert before + 172800 <= auth["expires_at_seconds"] <= after + 172800
    assert by_rs["transfer.api.globus.org"]["access_token"] == "transfer-at"
    # raw data is still there
    assert tokens["other_tokens"][0]["access_token"] == "transfer-at"


def test_by_scopes(http_stub: HTTPStub) -> None:
    tokens = fetch_tokens(http_stub, TOKEN_BODY)
    auth = tokens.by_resource_server["auth.globus.org"]
    transfer = tokens.by_resource_server["transfer.api.globus.org"]
    assert tokens.by_scopes["openid"] == auth
    assert tokens.by_scopes["email openid"] == auth
    assert tokens.by_scopes["  profile   email openid "] == auth
    assert tokens.by_scopes["urn:globus:auth:scope:transfer.api.globus.org:all"] == transfer
    assert "openid profile" in tokens.by_scopes
    assert "nope" not in tokens.by_scopes
    for bad in (
        "nope",
        "openid nope",
        "openid urn:globus:auth:scope:transfer.api.globus.org:all",
        "",
    ):
        with pytest.raises(KeyError):
            tokens.by_scopes[bad]
    assert set(tokens.by_scopes) == {
        "openid",
        "profile",
        "email",
        "urn:globus:auth:scope:transfer.api.globus.org:all",
    }


def test_no_other_tokens_is_single_token(http_stub: HTTPStub) -> None:
    body = {k: v for k, v in TOKEN_BODY.items() if k != "other_tokens"}
    tokens = fetch_tokens(http_stub, body)
    assert list(tokens.by_resource_server) == ["auth.globus.org"]


@pytest.fixture
def signing_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def serve_oidc(http_stub: HTTPStub, key: rsa.RSAPrivateKey, *, extra_keys=()) -> None:
    jwk = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
    jwk.update({"alg": "RS512", "use": "sig", "kid": "k1"})
    http_stub.add(
        "GET",
        "/.well-known/openid-configuration",
        body={
            "issuer": http_stub.url,
            # absolute URL elsewhere than under the client's base path
            "jwks_uri": f"{http_stub.url}keys/jwk.json",
            "id_token_signing_alg_values_supported": ["RS512"],
        },
    )
    http_stub.add("GET", "/keys/jwk.json", body={"keys": [*extra_keys, jwk]})


def id_token(key: rsa.RSAPrivateKey, **overrides) -> str:
    now = int(time.time())
    claims = {
        "sub": "identity-1",
        "aud": CLIENT_ID,
        "iss": "https://auth.example",
        "iat": now,
        "exp": now + 600,
        "preferred_username": "u@example.org",
    }
    claims.update(overrides)
    return jwt.encode(claims, key, algorithm="RS512", headers={"kid": "k1"})


def test_decode_id_token_verifies(http_stub: HTTPStub, signing_key) -> None:
    # the key set has a second, unrelated key first: the token's kid picks the right one
    other = json.loads(
        RSAAlgorithm.to_jwk(
            rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()
        )
    )
    other["kid"] = "other"
    serve_oidc(http_stub, signing_key, extra_keys=[other])
    tokens = fetch_tokens(http_stub, {**TOKEN_BODY, "id_token": id_token(signing_key)})
    claims = tokens.decode_id_token()
    assert claims["sub"] == "identity-1"
    assert claims["preferred_username"] == "u@example.org"
    assert [r.path for r in http_stub.requests[-2:]] == [
        "/.well-known/openid-configuration",
        "/keys/jwk.json",
    ]


def test_decode_id_token_with_given_config_and_key(http_stub: HTTPStub, signing_key) -> None:
    tokens = fetch_tokens(http_stub, {**TOKEN_BODY, "id_token": id_token(signing_key)})
    n_requests = len(http_stub.requests)
    config = {"id_token_signing_alg_values_supported": ["RS512"]}
    claims = tokens.decode_id_token(config, signing_key.public_key())
    assert claims["aud"] == CLIENT_ID
    assert len(http_stub.requests) == n_requests  # nothing fetched
    with pytest.raises(globus_sdk.GlobusSDKUsageError):
        tokens.decode_id_token(jwk=signing_key.public_key())


def test_get_jwk_as_pem(http_stub: HTTPStub, signing_key) -> None:
    serve_oidc(http_stub, signing_key)
    ac = globus_sdk.AuthClient(base_url=http_stub.url)
    assert ac.get_jwk()["keys"][0]["kid"] == "k1"
    pem = ac.get_jwk(ac.get_openid_configuration(), as_pem=True)
    assert pem.public_numbers() == signing_key.public_key().public_numbers()


@pytest.mark.parametrize(
    "make_token, error",
    [
        (lambda key: id_token(key)[:-6] + "AAAAAA", jwt.InvalidSignatureError),
        (
            lambda key: id_token(rsa.generate_private_key(public_exponent=65537, key_size=2048)),
            jwt.InvalidSignatureError,
        ),
        (lambda key: id_token(key, aud="someone-else"), jwt.InvalidAudienceError),
        (lambda key: id_token(key, exp=int(time.time()) - 60), jwt.ExpiredSignatureError),
    ],
    ids=["tampered", "wrong-key", "wrong-audience", "expired"],
)
def test_decode_id_token_rejects(http_stub: HTTPStub, signing_key, make_token, error) -> None:
    serve_oidc(http_stub, signing_key)
    tokens = fetch_tokens(http_stub, {**TOKEN_BODY, "id_token": make_token(signing_key)})
    with pytest.raises(error):
        tokens.decode_id_token()


def test_decode_id_token_rejects_unadvertised_algorithm(http_stub: HTTPStub, signing_key) -> None:
    serve_oidc(http_stub, signing_key)
    token = jwt.encode(
        {"aud": CLIENT_ID, "exp": int(time.time()) + 60}, signing_key, algorithm="RS256"
    )
    tokens = fetch_tokens(http_stub, {**TOKEN_BODY, "id_token": token})
    with pytest.raises(jwt.InvalidAlgorithmError):
        tokens.decode_id_token()


def test_decode_without_id_token(http_stub: HTTPStub) -> None:
    tokens = fetch_tokens(http_stub, TOKEN_BODY)
    with pytest.raises(globus_sdk.GlobusSDKUsageError):
        tokens.decode_id_token()
