"""The Auth clients end to end against the platform's Auth service."""

from __future__ import annotations

import json
import time
import typing as t
import uuid

import jwt
import pytest

import globus_sdk
from tests.globus_sdk.services.auth.live import code_from_redirect

SCOPES = "openid profile email urn:globus:auth:scope:transfer.api.globus.org:all"


def native_login(
    server, app: dict, user: dict, **flow_kwargs: t.Any
) -> tuple[globus_sdk.NativeAppAuthClient, globus_sdk.OAuthTokenResponse]:
    client = globus_sdk.NativeAppAuthClient(app["client_id"])
    client.oauth2_start_flow(**flow_kwargs)
    redirect = server.login(client.oauth2_get_authorize_url(), user["username"], user["password"])
    return client, client.oauth2_exchange_code_for_tokens(code_from_redirect(redirect))


def test_native_flow_id_token_verifies(globus_local_server, native_app, globus_local_user) -> None:
    client, tokens = native_login(globus_local_server, native_app, globus_local_user)
    claims = tokens.decode_id_token()
    assert claims["sub"] == globus_local_user["id"]
    assert claims["aud"] == native_app["client_id"]
    assert claims["preferred_username"] == globus_local_user["username"]

    # with the configuration and key fetched up front
    config = client.get_openid_configuration()
    assert config["jwks_uri"].startswith("http")
    key = client.get_jwk(config, as_pem=True)
    assert tokens.decode_id_token(config, key)["sub"] == globus_local_user["id"]

    # a token whose payload was changed (here: another subject) fails verification
    header, payload, signature = tokens["id_token"].split(".")
    claims_b = json.loads(jwt.utils.base64url_decode(payload))
    claims_b["sub"] = str(uuid.uuid4())
    forged = jwt.utils.base64url_encode(json.dumps(claims_b).encode()).decode()
    tokens._parsed_json["id_token"] = f"{header}.{forged}.{signature}"
    with pytest.raises(jwt.InvalidSignatureError):
        tokens.decode_id_token(config, key)

    # and an audience other than this client is refused
    rewrapped = globus_sdk.OAuthTokenResponse(tokens)
    rewrapped.client = globus_sdk.NativeAppAuthClient(str(uuid.uuid4()))
    rewrapped._parsed_json = {**tokens.data, "id_token": f"{header}.{payload}.{signature}"}
    with pytest.raises(jwt.InvalidAudienceError):
        rewrapped.decode_id_token(config, key)


def test_refresh_token_authorizer_after_forced_expiry(
    globus_local_server, native_app, globus_local_user
) -> None:
    client, tokens = native_login(
        globus_local_server, native_app, globus_local_user, refresh_tokens=True
    )
    auth_data = tokens.by_resource_server["auth.globus.org"]
    refreshed: list[globus_sdk.OAuthTokenResponse] = []
    authorizer = globus_sdk.RefreshTokenAuthorizer(
        auth_data["refresh_token"],
        client,
        access_token=auth_data["access_token"],
        expires_at=int(time.time()) - 5,  # already expired
        on_refresh=refreshed.append,
    )
    ac = globus_sdk.AuthClient(authorizer=authorizer)
    assert ac.oauth2_userinfo()["sub"] == globus_local_user["id"]
    assert len(refreshed) == 1
    assert authorizer.access_token != auth_data["access_token"]
    assert authorizer.expires_at > time.time()

    # a revoked access token that is not yet "expired": the 401 triggers one refresh
    assert client.oauth2_revoke_token(authorizer.access_token)
    assert client.oauth2_validate_token(authorizer.access_token)["active"] is False
    assert ac.oauth2_userinfo()["sub"] == globus_local_user["id"]
    assert len(refreshed) == 2


def test_client_credentials_authorizer(globus_local_server, confidential_app) -> None:
    cc = globus_sdk.ConfidentialAppAuthClient(
        confidential_app["client_id"], confidential_app["client_secret"]
    )
    authorizer = globus_sdk.ClientCredentialsAuthorizer(cc, ["openid", "profile", "email"])
    ac = globus_sdk.AuthClient(authorizer=authorizer)
    assert ac.oauth2_userinfo()["sub"] == confidential_app["client_id"]
    first = authorizer.access_token
    introspected = cc.oauth2_token_introspect(first, include="identity_set")
    assert introspected["active"] is True
    assert introspected["client_id"] == confidential_app["client_id"]
    assert confidential_app["client_id"] in introspected["identity_set"]
    # forced expiry: a new client credentials grant
    authorizer.expires_at = int(time.time()) - 5
    assert ac.oauth2_userinfo()["sub"] == confidential_app["client_id"]
    assert authorizer.access_token != first


def test_revoke_and_validate(globus_local_server, confidential_app) -> None:
    cc = globus_sdk.ConfidentialAppAuthClient(
        confidential_app["client_id"], confidential_app["client_secret"]
    )
    token = cc.oauth2_client_credentials_tokens("openid").by_scopes["openid"]["access_token"]
    assert cc.oauth2_validate_token(token)["active"] is True
    cc.oauth2_revoke_token(token)
    assert cc.oauth2_validate_token(token)["active"] is False
    assert cc.oauth2_token_introspect(token)["active"] is False


def test_bad_grants_raise_auth_api_error(
    globus_local_server, native_app, confidential_app, globus_local_user
) -> None:
    cc = globus_sdk.ConfidentialAppAuthClient(
        confidential_app["client_id"], confidential_app["client_secret"]
    )
    with pytest.raises(globus_sdk.AuthAPIError) as excinfo:
        cc.oauth2_refresh_token("not-a-refresh-token")
    assert excinfo.value.http_status in (400, 401)
    assert excinfo.value.code == "INVALID_GRANT"
    assert excinfo.value.message

    bad_secret = globus_sdk.ConfidentialAppAuthClient(confidential_app["client_id"], "wrong")
    with pytest.raises(globus_sdk.AuthAPIError) as excinfo:
        bad_secret.oauth2_client_credentials_tokens()
    assert excinfo.value.http_status == 401
    assert excinfo.value.code == "INVALID_CLIENT"

    # an authorization code works once, and only with the PKCE verifier of its flow
    client = globus_sdk.NativeAppAuthClient(native_app["client_id"])
    flow = client.oauth2_start_flow()
    redirect = globus_local_server.login(
        client.oauth2_get_authorize_url(),
        globus_local_user["username"],
        globus_local_user["password"],
    )
    code = code_from_redirect(redirect)
    client.oauth2_start_flow()  # a new flow: new verifier
    with pytest.raises(globus_sdk.AuthAPIError) as excinfo:
        client.oauth2_exchange_code_for_tokens(code)
    assert excinfo.value.code == "INVALID_GRANT"
    assert excinfo.value.error_description
    client.current_oauth2_flow_manager = flow
    client.oauth2_exchange_code_for_tokens(code)
    with pytest.raises(globus_sdk.AuthAPIError) as excinfo:
        client.oauth2_exchange_code_for_tokens(code)
    assert excinfo.value.code == "INVALID_GRANT"


def test_get_identities(globus_local_server, globus_local_user, confidential_app) -> None:
    cc = globus_sdk.ConfidentialAppAuthClient(
        confidential_app["client_id"], confidential_app["client_secret"]
    )
    by_id = cc.get_identities(ids=[globus_local_user["id"], str(uuid.uuid4())])
    assert [i["username"] for i in by_id["identities"]] == [globus_local_user["username"]]
    by_name = cc.get_identities(usernames=globus_local_user["username"])
    assert [i["id"] for i in by_name["identities"]] == [globus_local_user["id"]]


def test_identity_map_batches_against_the_server(globus_local_server, confidential_app) -> None:
    users = [
        globus_local_server.create_user(f"idmap-{uuid.uuid4().hex[:8]}@example.org")
        for _ in range(3)
    ]
    cc = globus_sdk.ConfidentialAppAuthClient(
        confidential_app["client_id"], confidential_app["client_secret"]
    )
    calls: list[dict[str, t.Any]] = []
    real_get_identities = cc.get_identities

    def counting_get_identities(**kwargs: t.Any) -> t.Any:
        calls.append(kwargs)
        return real_get_identities(**kwargs)

    cc.get_identities = counting_get_identities  # type: ignore[method-assign]
    unknown = [str(uuid.uuid4()) for _ in range(247)]
    ids = [u["id"] for u in users] + unknown  # 250 ids
    idmap = globus_sdk.IdentityMap(cc, ids)
    idmap.add(users[0]["username"])
    for user in users:
        assert idmap[user["id"]]["username"] == user["username"]
    for ident in unknown:
        assert idmap.get(ident) is None
    assert [len(c["ids"]) for c in calls] == [100, 100, 50]
    # resolved records are cached under usernames too: no request for that one
    assert idmap[users[1]["username"]]["id"] == users[1]["id"]
    assert len(calls) == 3
    # the queued username was resolved along with its id: it is not asked for again
    assert idmap[users[0]["username"]]["id"] == users[0]["id"]
    with pytest.raises(KeyError):
        idmap["no-such-valid-id@example.org"]
    assert calls[-1] == {"usernames": ["no-such-valid-id@example.org"]}
