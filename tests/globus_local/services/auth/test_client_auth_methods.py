"""One client authentication method per request (RFC 6749 §2.3), wherever clients authenticate."""

from __future__ import annotations

import typing as t

import pytest

from globus_local.services.auth import admin
from globus_local.services.auth.scopes import register_scope
from tests.support.platform import basic

from .support import TRANSFER_ALL, AuthApp

DEPENDENT = "urn:globus:auth:grant_type:dependent_token"
PATHS = {
    "token": "/auth/v2/oauth2/token",
    "introspect": "/auth/v2/oauth2/token/introspect",
    "validate": "/auth/v2/oauth2/token/validate",
    "revoke": "/auth/v2/oauth2/token/revoke",
    "dependent": "/auth/v2/oauth2/token",
}


def _request(auth_app: AuthApp, endpoint: str) -> tuple[dict[str, str], dict[str, str]]:
    """A confidential client's credentials and a body that endpoint answers 200 to."""
    client = auth_app.confidential_client()
    creds = {"client_id": client["client_id"], "client_secret": client["client_secret"]}
    if endpoint == "token":
        return creds, {"grant_type": "client_credentials", "scope": TRANSFER_ALL}
    if endpoint == "dependent":
        with auth_app.db.session() as s:
            scope = register_scope(s, client["client_id"], "all", dependencies=[TRANSFER_ALL])
        user = auth_app.user()
        upstream = admin.issue_token(auth_app.db, user["username"], [scope])
        return creds, {"grant_type": DEPENDENT, "token": upstream["access_token"]}
    return creds, {"token": "not-a-token"}


def _post(
    auth_app: AuthApp, endpoint: str, data: dict[str, str], headers: dict[str, str] | None = None
) -> t.Any:
    return auth_app.client.post(PATHS[endpoint], data=data, headers=headers or {})


def _invalid_request(r: t.Any) -> None:
    assert r.status_code == 400, r.text
    body = r.json()
    assert body["error"] == "invalid_request"
    assert "one client authentication method" in body["error_description"]
    assert body["errors"][0]["code"] == "INVALID_REQUEST"


@pytest.mark.parametrize("endpoint", list(PATHS))
def test_basic_and_body_credentials_together_are_refused(auth_app: AuthApp, endpoint: str) -> None:
    creds, data = _request(auth_app, endpoint)
    headers = basic(creds["client_id"], creds["client_secret"])
    # Either method alone is accepted...
    assert _post(auth_app, endpoint, data, headers).status_code == 200
    assert _post(auth_app, endpoint, {**data, **creds}).status_code == 200
    # ...both at once are not, even when they agree.
    _invalid_request(_post(auth_app, endpoint, {**data, **creds}, headers))


@pytest.mark.parametrize("endpoint", ["token", "introspect"])
def test_a_second_secret_in_the_body_is_not_ignored(auth_app: AuthApp, endpoint: str) -> None:
    creds, data = _request(auth_app, endpoint)
    headers = basic(creds["client_id"], creds["client_secret"])
    _invalid_request(_post(auth_app, endpoint, {**data, "client_secret": "wrong"}, headers))
    # A wrong Basic secret is not rescued by a right one in the body either.
    wrong = basic(creds["client_id"], "wrong")
    _invalid_request(_post(auth_app, endpoint, {**data, **creds}, wrong))


def test_basic_with_another_clients_id_in_the_body_is_refused(auth_app: AuthApp) -> None:
    creds, data = _request(auth_app, "token")
    other = auth_app.confidential_client()
    headers = basic(creds["client_id"], creds["client_secret"])
    _invalid_request(_post(auth_app, "token", {**data, "client_id": other["client_id"]}, headers))
    # Naming the Basic client itself in the body is identification, not a second method.
    r = _post(auth_app, "token", {**data, "client_id": creds["client_id"]}, headers)
    assert r.status_code == 200, r.text
