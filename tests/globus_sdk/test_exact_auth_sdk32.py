"""Auth details as globus-sdk 3.2 has them, checked against the platform's Auth service:
``decode_id_token(jwt_params=...)``, ``IdentityMap``'s pending sets, how ``provision`` is
sent, the renewing authorizers' ``ensure_valid_token`` and their one-token errors."""

from __future__ import annotations

import json
import time
import typing as t
import uuid
import warnings

import jwt
import pytest

import globus_sdk
from globus_sdk.authorizers import renewing
from tests.globus_sdk.services.auth.live import code_from_redirect

TRANSFER_SCOPE = "urn:globus:auth:scope:transfer.api.globus.org:all"
SCOPES = f"openid profile email {TRANSFER_SCOPE}"
# a leeway this far below zero makes a fresh token look expired (and issued in the future)
PAST = -(10**6)


@pytest.fixture
def native_app(globus_local_server) -> dict[str, t.Any]:
    return globus_local_server.create_client(
        "native", "Exactness App", [f"{globus_local_server.service_url('auth')}v2/web/auth-code"]
    )


@pytest.fixture
def confidential_client(globus_local_server) -> globus_sdk.ConfidentialAppAuthClient:
    app = globus_local_server.create_client(
        "confidential", "Exactness Service", ["http://localhost:5000/login"]
    )
    return globus_sdk.ConfidentialAppAuthClient(app["client_id"], app["client_secret"])


def native_login(
    server, app: dict, user: dict, **flow_kwargs: t.Any
) -> tuple[globus_sdk.NativeAppAuthClient, globus_sdk.OAuthTokenResponse]:
    client = globus_sdk.NativeAppAuthClient(app["client_id"])
    client.oauth2_start_flow(requested_scopes=SCOPES, **flow_kwargs)
    redirect = server.login(client.oauth2_get_authorize_url(), user["username"], user["password"])
    return client, client.oauth2_exchange_code_for_tokens(code_from_redirect(redirect))


# -- decode_id_token(jwt_params=...) ----------------------------------------------------


def test_jwt_params_reach_pyjwt(globus_local_server, native_app, globus_local_user) -> None:
    _client, tokens = native_login(globus_local_server, native_app, globus_local_user)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # PyJWT warns about keyword arguments it ignores
        # leeway is a keyword argument: pushed into the past, the token has expired
        with pytest.raises(jwt.ExpiredSignatureError):
            tokens.decode_id_token(jwt_params={"leeway": PAST, "verify_iat": False})
        # verify_exp is one of PyJWT's options, as 3.2 passes jwt_params
        claims = tokens.decode_id_token(
            jwt_params={"leeway": PAST, "verify_iat": False, "verify_exp": False}
        )
        assert claims["sub"] == globus_local_user["id"]
        # and an explicit options dict works the same way
        claims = tokens.decode_id_token(
            jwt_params={"leeway": PAST, "options": {"verify_iat": False, "verify_exp": False}}
        )
        assert claims["sub"] == globus_local_user["id"]
        # a keyword argument PyJWT checks (issuer) is passed on, not dropped
        with pytest.raises(jwt.InvalidIssuerError):
            tokens.decode_id_token(jwt_params={"issuer": "https://elsewhere.example.org"})
        assert tokens.decode_id_token(jwt_params={"verify_exp": False})["sub"] == claims["sub"]


# -- IdentityMap ------------------------------------------------------------------------


def test_identity_map_pending_keys_are_sets(
    globus_local_server, globus_local_user, confidential_client
) -> None:
    other = globus_local_server.create_user(f"exact-{uuid.uuid4().hex[:8]}@example.org")
    idmap = globus_sdk.IdentityMap(
        confidential_client,
        [globus_local_user["id"], globus_local_user["id"], other["username"]],
    )
    assert idmap.unresolved_ids == {globus_local_user["id"]}
    assert idmap.unresolved_usernames == {other["username"]}
    assert isinstance(idmap.unresolved_ids, set)
    assert isinstance(idmap.unresolved_usernames, set)
    assert idmap.add(other["id"]) is True
    assert idmap.unresolved_ids == {globus_local_user["id"], other["id"]}

    assert idmap[globus_local_user["id"]]["username"] == globus_local_user["username"]
    assert idmap.unresolved_ids == set()  # both ids went in the one batch
    third = globus_local_server.create_user(f"exact-{uuid.uuid4().hex[:8]}@example.org")
    assert idmap.add(third["username"]) is True
    assert idmap.unresolved_usernames == {other["username"], third["username"]}
    assert idmap[third["username"]]["id"] == third["id"]
    assert idmap.unresolved_usernames == set()


# -- get_identities(provision=...) ------------------------------------------------------


@pytest.mark.parametrize(
    ("provision", "provisioned"),
    [
        (True, True),
        (False, False),
        ("TRUE", True),
        ("False", False),
        ("fAlSe", False),
        # 3.2 compares the text with "false" alone, so these ask for provisioning
        (0, True),
        (None, True),
        ("no", True),
    ],
)
def test_provision_is_sent_as_3_2_reads_it(
    confidential_client, provision: t.Any, provisioned: bool
) -> None:
    username = f"prov-{uuid.uuid4().hex[:10]}@example.org"
    found = confidential_client.get_identities(usernames=[username], provision=provision)
    if provisioned:
        assert [(i["username"], i["status"]) for i in found["identities"]] == [(username, "unused")]
    else:
        assert found["identities"] == []
    # what was provisioned stays, and an ordinary lookup does not create anything
    again = confidential_client.get_identities(usernames=username)
    assert len(again["identities"]) == int(provisioned)


def test_provision_is_only_sent_with_usernames(http_stub) -> None:
    http_stub.add("GET", "/v2/api/identities", body={"identities": []})
    ac = globus_sdk.AuthClient(base_url=http_stub.url)
    ac.get_identities(ids=str(uuid.uuid4()), provision=True)
    ac.get_identities(usernames=[], ids=[], provision=True)
    ac.get_identities(usernames="a@example.org", provision="FALSE")
    by_ids, empty, named = http_stub.requests
    assert set(by_ids.query) == {"ids"}
    assert empty.query == {}
    assert named.query == {"usernames": ["a@example.org"], "provision": ["false"]}


# -- by_scopes --------------------------------------------------------------------------


def test_by_scopes_errors_carry_3_2_words(
    globus_local_server, native_app, globus_local_user
) -> None:
    _client, tokens = native_login(globus_local_server, native_app, globus_local_user)
    assert tokens.by_scopes["openid profile"]["resource_server"] == "auth.globus.org"
    assert "profile email" in tokens.by_scopes
    assert f"openid {TRANSFER_SCOPE}" not in tokens.by_scopes
    with pytest.raises(KeyError, match="did not match exactly one token"):
        tokens.by_scopes[f"openid {TRANSFER_SCOPE}"]
    with pytest.raises(KeyError, match='contains scope "nope" which was not found'):
        tokens.by_scopes["openid nope"]


def test_printed_token_responses_show_tokens_by_resource_server(
    globus_local_server, native_app, globus_local_user
) -> None:
    _client, tokens = native_login(globus_local_server, native_app, globus_local_user)
    assert str(tokens) == json.dumps(tokens.by_resource_server, indent=2)
    assert "id_token" not in str(tokens)
    by_scope = json.loads(str(tokens.by_scopes))
    assert set(by_scope) == set(SCOPES.split())
    assert by_scope["openid"] == tokens.by_resource_server["auth.globus.org"]


# -- renewing authorizers ---------------------------------------------------------------


def test_ensure_valid_token_renews_only_when_due(
    globus_local_server, native_app, globus_local_user, monkeypatch: pytest.MonkeyPatch
) -> None:
    client, tokens = native_login(
        globus_local_server, native_app, globus_local_user, refresh_tokens=True
    )
    data = tokens.by_resource_server["auth.globus.org"]
    refreshed: list[globus_sdk.OAuthTokenResponse] = []
    authorizer = globus_sdk.RefreshTokenAuthorizer(
        data["refresh_token"],
        client,
        access_token=data["access_token"],
        expires_at=data["expires_at_seconds"],
        on_refresh=refreshed.append,
    )
    assert renewing.EXPIRES_ADJUST_SECONDS == 60
    authorizer.ensure_valid_token()  # fresh: nothing to do
    assert refreshed == [] and authorizer.access_token == data["access_token"]

    # a renewal margin wider than the token's lifetime makes it due now
    monkeypatch.setattr(renewing, "EXPIRES_ADJUST_SECONDS", 10**9)
    authorizer.ensure_valid_token()
    assert len(refreshed) == 1
    new_token = authorizer.access_token
    assert new_token != data["access_token"]
    assert client.oauth2_validate_token(new_token)["active"] is True
    monkeypatch.setattr(renewing, "EXPIRES_ADJUST_SECONDS", 60)
    authorizer.ensure_valid_token()
    assert len(refreshed) == 1

    authorizer.expires_at = int(time.time()) - 1
    authorizer.ensure_valid_token()
    assert len(refreshed) == 2 and authorizer.access_token != new_token


def test_client_credentials_for_two_resource_servers_is_refused(confidential_client) -> None:
    authorizer = globus_sdk.ClientCredentialsAuthorizer(
        confidential_client, ["openid", TRANSFER_SCOPE]
    )
    with pytest.raises(ValueError, match="didn't return exactly one token") as err:
        authorizer.ensure_valid_token()
    assert "are for only one resource server" in str(err.value)
    assert "did not return exactly one token but 2" in str(err.value)
    assert authorizer.access_token is None

    single = globus_sdk.ClientCredentialsAuthorizer(confidential_client, "openid email")
    single.ensure_valid_token()
    assert single.access_token and single.expires_at and single.expires_at > time.time()
