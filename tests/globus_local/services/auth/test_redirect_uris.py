"""Redirect URIs: what registration and update accept, and what the authorize page matches."""

from __future__ import annotations

import typing as t

import pytest
from sqlalchemy import update

from globus_local.services.auth import admin, redirect_uris
from globus_local.services.auth.clients import TEMPLATE_CLIENT_ID
from globus_local.services.auth.models import Client
from tests.support.platform import pkce_pair

from .support import AuthApp

ALWAYS_OK = [
    "https://app.example.org/callback",
    "https://app.example.org:8443/cb?x=1",
    "http://127.0.0.1/callback",
    "http://127.0.0.1:8000/callback",
    "http://[::1]:8000/callback",
    "http://localhost:5000/login",
]
NEVER_OK = [
    "javascript:alert(document.cookie)",
    "JavaScript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "file:///etc/passwd",
    "http://app.example.org/callback",
    "http://127.0.0.1.evil.example/cb",
    "https://app.example.org/cb#frag",
    "https://app.example.org/cb#",
    "http://localhost:5000/cb#x",
    "https:///no-host",
    "https://app.example.org:99999/cb",
    "https://app.example.org/c b",
    "/relative/callback",
    "",
    "https://app.example.org/" + "x" * redirect_uris.MAX_LENGTH,
]
NATIVE_ONLY = ["com.example.app:/oauth2redirect", "org.example.tool://callback"]
NOT_PRIVATE_USE = ["myapp:/callback", "com.:/cb", ".com.example:/cb", "com..example:/cb"]


@pytest.mark.parametrize("uri", ALWAYS_OK)
def test_policy_accepts_https_and_loopback_http(uri: str) -> None:
    assert redirect_uris.problem(uri, native=False) is None
    assert redirect_uris.problem(uri, native=True) is None


@pytest.mark.parametrize("uri", NEVER_OK + NOT_PRIVATE_USE)
def test_policy_refuses_everything_else(uri: str) -> None:
    assert redirect_uris.problem(uri, native=True) is not None
    assert redirect_uris.problem(uri, native=False) is not None


@pytest.mark.parametrize("uri", NATIVE_ONLY)
def test_private_use_schemes_are_for_native_apps(uri: str) -> None:
    assert redirect_uris.problem(uri, native=True) is None
    assert redirect_uris.problem(uri, native=False) is not None


def test_loopback_port_may_vary_for_native_apps_only() -> None:
    registered = ["http://127.0.0.1/callback", "https://app.example.org/cb"]
    assert redirect_uris.matches_registered(
        "http://127.0.0.1:51234/callback", registered, native=True
    )
    assert not redirect_uris.matches_registered(
        "http://127.0.0.1:51234/callback", registered, native=False
    )
    # Only the port: the host, path and query still have to match.
    for uri in (
        "http://127.0.0.1:51234/other",
        "http://localhost:51234/callback",
        "http://127.0.0.1:51234/callback?x=1",
        "https://app.example.org:444/cb",
    ):
        assert not redirect_uris.matches_registered(uri, registered, native=True), uri


def _bearer(auth_app: AuthApp) -> dict[str, str]:
    user = auth_app.user()
    tokens = admin.issue_token(auth_app.db, user["username"], ["openid"])
    return {"Authorization": f"Bearer {tokens['access_token']}"}


def _register(auth_app: AuthApp, headers: dict[str, str], **spec: t.Any) -> t.Any:
    return auth_app.client.post(
        "/auth/v2/api/clients", json={"client": {"name": "app", **spec}}, headers=headers
    )


def _refused(r: t.Any, uri: str) -> None:
    assert r.status_code == 400, r.text
    body = r.json()
    assert body["errors"][0]["code"] == "BAD_REQUEST"
    assert body["error"] == "invalid_redirect_uri"
    assert repr(uri) in body["errors"][0]["detail"]


@pytest.mark.parametrize(
    "uri", ["javascript:alert(1)", "http://evil.example/cb", "https://x.example/cb#f"]
)
def test_registration_refuses_unsafe_redirect_uris(auth_app: AuthApp, uri: str) -> None:
    headers = _bearer(auth_app)
    for public in (True, False):
        r = _register(auth_app, headers, public_client=public, redirect_uris=["https://ok/cb", uri])
        _refused(r, uri)
    # Nothing was stored by the refused requests.
    with auth_app.db.session() as s:
        assert s.query(Client).filter(Client.name == "app").count() == 0
    # globus-cli's template registration is checked too.
    r = auth_app.client.post(
        "/auth/v2/api/clients",
        json={"client": {"template_id": TEMPLATE_CLIENT_ID, "name": "cli", "redirect_uris": [uri]}},
    )
    _refused(r, uri)


def test_registration_accepts_native_private_use_schemes(auth_app: AuthApp) -> None:
    headers = _bearer(auth_app)
    r = _register(auth_app, headers, public_client=True, redirect_uris=NATIVE_ONLY)
    assert r.status_code == 201, r.text
    assert r.json()["client"]["redirect_uris"] == NATIVE_ONLY
    _refused(_register(auth_app, headers, redirect_uris=NATIVE_ONLY[:1]), NATIVE_ONLY[0])
    _refused(
        _register(auth_app, headers, public_client=True, redirect_uris=["myapp:/cb"]), "myapp:/cb"
    )


def test_update_checks_redirect_uris(auth_app: AuthApp) -> None:
    headers = _bearer(auth_app)
    r = _register(auth_app, headers, public_client=True, redirect_uris=["https://ok/cb"])
    cid = r.json()["client"]["id"]
    path = f"/auth/v2/api/clients/{cid}"
    r = auth_app.client.put(
        path, json={"client": {"redirect_uris": ["javascript:alert(1)"]}}, headers=headers
    )
    _refused(r, "javascript:alert(1)")
    assert auth_app.client.get(path, headers=headers).json()["client"]["redirect_uris"] == [
        "https://ok/cb"
    ]
    new = ["http://127.0.0.1/cb", "com.example.app:/cb"]
    r = auth_app.client.put(
        path, json={"client": {"name": "renamed", "redirect_uris": new}}, headers=headers
    )
    assert r.status_code == 200, r.text
    assert r.json()["client"]["redirect_uris"] == new and r.json()["client"]["name"] == "renamed"
    # Only the owner (or the client itself) may update it.
    r = auth_app.client.put(path, json={"client": {"name": "x"}}, headers=_bearer(auth_app))
    assert r.status_code == 403


def test_admin_registration_is_checked(auth_app: AuthApp) -> None:
    with pytest.raises(ValueError, match="javascript"):
        admin.create_client(auth_app.db, "native", "bad", ["javascript:alert(1)"])


def _authorize(auth_app: AuthApp, client_id: str, redirect_uri: str) -> t.Any:
    _, challenge = pkce_pair()
    return auth_app.authorize(
        client_id=client_id,
        redirect_uri=redirect_uri,
        scope="openid",
        response_type="code",
        code_challenge=challenge,
        code_challenge_method="S256",
    )


def _login_page(r: t.Any) -> bool:
    return bool(r.status_code == 200 and "login-form" in r.text)


def test_authorize_lets_a_native_loopback_port_vary(auth_app: AuthApp) -> None:
    client = auth_app.native_client(["http://127.0.0.1/callback", "com.example.app:/cb"])
    cid = client["client_id"]
    assert _login_page(_authorize(auth_app, cid, "http://127.0.0.1:49152/callback"))
    assert _login_page(_authorize(auth_app, cid, "http://127.0.0.1/callback"))
    assert _login_page(_authorize(auth_app, cid, "com.example.app:/cb"))
    # Having registered a loopback URI, the app is held to its path.
    for uri in ("http://127.0.0.1:49152/elsewhere", "com.example.app:/other"):
        r = _authorize(auth_app, cid, uri)
        assert r.status_code == 400 and "location" not in r.headers, uri


def test_authorize_holds_confidential_clients_to_their_exact_uri(auth_app: AuthApp) -> None:
    client = auth_app.confidential_client(["http://127.0.0.1:5000/cb"])
    assert _login_page(_authorize(auth_app, client["client_id"], "http://127.0.0.1:5000/cb"))
    r = _authorize(auth_app, client["client_id"], "http://127.0.0.1:5001/cb")
    assert r.status_code == 400 and "location" not in r.headers


def test_authorize_refuses_unsafe_uris_registered_before_the_policy(auth_app: AuthApp) -> None:
    native = auth_app.native_client()
    confidential = auth_app.confidential_client()
    legacy = ["javascript:alert(1)", "http://evil.example/cb", "http://localhost:9/cb#x"]
    with auth_app.db.session() as s:
        s.execute(
            update(Client)
            .where(Client.id.in_([native["client_id"], confidential["client_id"]]))
            .values(redirect_uris=legacy)
        )
    for client in (native, confidential):
        for uri in legacy:
            r = _authorize(auth_app, client["client_id"], uri)
            assert r.status_code == 400 and "location" not in r.headers, uri
