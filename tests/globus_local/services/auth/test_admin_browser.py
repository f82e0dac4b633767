"""admin.py and browser.py against the platform served over real HTTP."""

from __future__ import annotations

import secrets
import typing as t
from pathlib import Path
from urllib.parse import urlencode

import pytest
import requests

from globus_local.services.auth import admin
from globus_local.services.auth.browser import BrowserLoginError, login_with_password
from globus_local.testing import LocalServer
from tests.support.platform import pkce_pair, query_of

from .support import TRANSFER_ALL


def _authorize_url(
    server: LocalServer, client_id: str, redirect_uri: str, **extra: str
) -> tuple[str, str]:
    verifier, challenge = pkce_pair()
    params = {
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "scope": f"openid profile {TRANSFER_ALL}",
        "response_type": "code",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        "access_type": "offline",
        **extra,
    }
    return server.service_url("auth") + "v2/oauth2/authorize?" + urlencode(params), verifier


@pytest.fixture
def user(platform_server: LocalServer) -> dict[str, t.Any]:
    username = f"browser-{secrets.token_hex(4)}@example.org"
    return admin.create_user(platform_server.db, username, "pw-browser", name="B")


def test_login_with_password_returns_redirect_with_code(
    platform_server: LocalServer, user: dict[str, t.Any]
) -> None:
    client = admin.create_client(platform_server.db, "native", "browser test app")
    # A loopback redirect with nothing listening: the URL is returned, not followed.
    url, verifier = _authorize_url(
        platform_server, client["client_id"], "http://localhost:1", state="st"
    )
    final = login_with_password(url, user["username"], "pw-browser")
    assert final.startswith("http://localhost:1?")
    q = query_of(final)
    assert q["state"] == "st"
    r = requests.post(
        platform_server.service_url("auth") + "v2/oauth2/token",
        data={
            "grant_type": "authorization_code",
            "code": q["code"],
            "redirect_uri": "http://localhost:1",
            "client_id": client["client_id"],
            "code_verifier": verifier,
        },
        timeout=30,
    )
    assert r.status_code == 200, r.text
    assert r.json()["refresh_token"] and r.json()["id_token"]


def test_login_with_password_reuses_a_browser_session(
    platform_server: LocalServer, user: dict[str, t.Any]
) -> None:
    client = admin.create_client(platform_server.db, "native", "browser test app")
    auth_code_page = platform_server.service_url("auth") + "v2/web/auth-code"
    http = requests.Session()
    url, _ = _authorize_url(platform_server, client["client_id"], auth_code_page)
    first = login_with_password(url, user["username"], "pw-browser", http=http)
    assert first.startswith(auth_code_page + "?code=")
    # Already logged in and consented: straight to the redirect.
    url, _ = _authorize_url(platform_server, client["client_id"], auth_code_page)
    r = http.get(url, allow_redirects=False, timeout=30)
    assert r.status_code == 302 and r.headers["Location"].startswith(auth_code_page)
    second = login_with_password(url, user["username"], "ignored", http=http)
    assert "code=" in second and second != first


def test_login_with_password_failures(platform_server: LocalServer, user: dict[str, t.Any]) -> None:
    client = admin.create_client(platform_server.db, "native", "browser test app")
    url, _ = _authorize_url(platform_server, client["client_id"], "http://localhost:1")
    with pytest.raises(BrowserLoginError, match="Invalid username or password"):
        login_with_password(url, user["username"], "wrong")
    bad, _ = _authorize_url(platform_server, "00000000-0000-0000-0000-000000000000", "http://x/")
    with pytest.raises(BrowserLoginError):
        login_with_password(bad, user["username"], "pw-browser")


def test_admin_functions(platform_server: LocalServer) -> None:
    db = platform_server.db
    username = f"admin-{secrets.token_hex(4)}"
    doc = admin.create_user(db, username, "pw", email="a@example.org")
    assert doc["username"] == username and doc["email"] == "a@example.org"
    with pytest.raises(ValueError):
        admin.create_user(db, username, "pw")
    assert username in {u["username"] for u in admin.list_users(db)}
    conf = admin.create_client(db, "confidential", "svc", ["https://svc/cb"])
    assert conf["client_secret"] and conf["public_client"] is False
    listed = {c["client_id"]: c for c in admin.list_clients(db)}
    assert listed[conf["client_id"]]["redirect_uris"] == ["https://svc/cb"]
    assert "client_secret" not in listed[conf["client_id"]]
    with pytest.raises(ValueError):
        admin.create_client(db, "weird", "x")

    tokens = admin.issue_token(
        db,
        username,
        ["openid", TRANSFER_ALL],
        client_id=conf["client_id"],
        settings=platform_server.settings,
    )
    assert tokens["resource_server"] == "auth.globus.org" and tokens["id_token"]
    assert tokens["other_tokens"][0]["resource_server"] == "transfer.api.globus.org"
    assert tokens["refresh_token"]
    r = requests.post(
        platform_server.service_url("auth") + "v2/oauth2/token/introspect",
        data={"token": tokens["other_tokens"][0]["access_token"]},
        auth=(conf["client_id"], conf["client_secret"]),
        timeout=30,
    )
    assert r.json()["active"] is True and r.json()["client_id"] == conf["client_id"]
    with pytest.raises(LookupError):
        admin.issue_token(db, "nobody-at-all", ["openid"])
    admin.set_password(db, username, "new-pw")


@pytest.mark.live
def test_ensure_demo_only_once(tmp_path: t.Any) -> None:
    with LocalServer(data_dir=tmp_path) as server:
        first = admin.ensure_demo(server.db, server.settings)
        assert first is not None
        assert first["user"]["username"] == "demo" and "password" not in first["user"]
        password = Path(first["user"]["password_file"]).read_text().strip()
        assert first["client"]["public_client"] is True
        assert admin.ensure_demo(server.db, server.settings) is None
        # The stored password really logs in through the pages.
        url, _ = _authorize_url(
            server,
            first["client"]["client_id"],
            server.service_url("auth") + "v2/web/auth-code",
        )
        final = login_with_password(url, "demo", password)
        assert "code=" in final
