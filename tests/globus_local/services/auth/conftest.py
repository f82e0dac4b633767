"""Auth test fixtures: the real platform app on SQLite and on PostgreSQL, driven in-process.

``auth_app`` builds ``create_app(Settings(...))`` on a fresh database per test (a SQLite file
in tmp_path, or a freshly created PostgreSQL database) and offers helpers that go through the
real endpoints and pages.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import typing as t
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from globus_local.app import create_app
from globus_local.config import Settings
from globus_local.db import Database
from globus_local.services.auth import admin
from globus_local.services.auth.browser import parse_forms

ROOT = "http://127.0.0.1:8700"
AUTH = ROOT + "/auth"
AUTH_CODE_PAGE = AUTH + "/v2/web/auth-code"
PASSWORD = "correct horse battery"
TRANSFER_ALL = "urn:globus:auth:scope:transfer.api.globus.org:all"
DEFAULT_SCOPES = f"openid profile email {TRANSFER_ALL}"


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).decode().rstrip("=")


def basic(client_id: str, secret: str) -> dict[str, str]:
    raw = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    return {"Authorization": f"Basic {raw}"}


def query_of(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def token_for(response: dict[str, t.Any], resource_server: str) -> dict[str, t.Any]:
    for doc in [response, *response.get("other_tokens", [])]:
        if doc["resource_server"] == resource_server:
            return doc
    raise AssertionError(f"no {resource_server} token in {response}")


@dataclass
class AuthApp:
    """The app under test plus shortcuts that use its real endpoints."""

    app: FastAPI
    settings: Settings
    db: Database
    client: TestClient
    _users: int = field(default=0)

    def user(self, prefix: str = "user", **kw: t.Any) -> dict[str, t.Any]:
        self._users += 1
        username = f"{prefix}{self._users}-{secrets.token_hex(3)}@example.org"
        doc = admin.create_user(self.db, username, PASSWORD, **kw)
        return {**doc, "password": PASSWORD}

    def native_client(self, redirect_uris: t.Sequence[str] = ()) -> dict[str, t.Any]:
        return admin.create_client(self.db, "native", "Test native app", tuple(redirect_uris))

    def confidential_client(
        self, redirect_uris: t.Sequence[str] = ("https://app.example.org/callback",)
    ) -> dict[str, t.Any]:
        return admin.create_client(self.db, "confidential", "Test portal", tuple(redirect_uris))

    def authorize(self, **params: str) -> t.Any:
        return self.client.get("/auth/v2/oauth2/authorize", params=params, follow_redirects=False)

    def submit(self, response: t.Any, form_id: str, **fields: str) -> t.Any:
        """Post the form ``form_id`` of an HTML response (hidden fields included)."""
        forms = {f["id"]: f for f in parse_forms(response.text)}
        assert form_id in forms, response.text
        form = forms[form_id]
        return self.client.post(
            form["action"], data={**form["fields"], **fields}, follow_redirects=False
        )

    def login_and_consent(self, username: str, password: str = PASSWORD, **params: str) -> str:
        """Walk authorize → login → consent; return the redirect Location."""
        page = self.authorize(**params)
        if page.status_code == 200 and "login-form" in page.text:
            page = self.submit(page, "login-form", username=username, password=password)
        if page.status_code == 200 and "consent-form" in page.text:
            page = self.submit(page, "consent-form", decision="allow")
        assert page.status_code == 302, page.text
        return str(page.headers["location"])

    def native_code(
        self,
        username: str,
        client_id: str,
        scope: str = DEFAULT_SCOPES,
        *,
        access_type: str = "online",
        **extra: str,
    ) -> tuple[str, str]:
        """A fresh authorization code for a native client; returns (code, verifier)."""
        verifier, challenge = pkce_pair()
        location = self.login_and_consent(
            username,
            client_id=client_id,
            redirect_uri=AUTH_CODE_PAGE,
            scope=scope,
            response_type="code",
            code_challenge=challenge,
            code_challenge_method="S256",
            access_type=access_type,
            **extra,
        )
        return query_of(location)["code"], verifier

    def token(self, data: dict[str, str], headers: dict[str, str] | None = None) -> t.Any:
        return self.client.post("/auth/v2/oauth2/token", data=data, headers=headers or {})

    def native_tokens(
        self, username: str, client_id: str, scope: str = DEFAULT_SCOPES, **kw: str
    ) -> dict[str, t.Any]:
        code, verifier = self.native_code(username, client_id, scope, **kw)
        r = self.token(
            {
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": AUTH_CODE_PAGE,
                "client_id": client_id,
                "code_verifier": verifier,
            }
        )
        assert r.status_code == 200, r.text
        return t.cast(dict[str, t.Any], r.json())


@pytest.fixture(scope="session")
def key_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One data dir for the session, so the RSA signing key is generated once."""
    return tmp_path_factory.mktemp("auth-data")


@pytest.fixture(params=["sqlite", "postgresql"])
def auth_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "postgresql":
        # A fresh database per test (tests/globus_local/conftest.py drops them at the end).
        return t.cast(str, request.getfixturevalue("postgresql_databases").create())
    return f"sqlite:///{tmp_path / 'auth.sqlite3'}"


@pytest.fixture
def auth_app(auth_url: str, key_dir: Path) -> t.Iterator[AuthApp]:
    settings = Settings(data_dir=key_dir, database_url=auth_url)
    app = create_app(settings)
    client = TestClient(app, base_url=ROOT)
    try:
        yield AuthApp(app, settings, app.state.db, client)
    finally:
        client.close()
        app.state.db.dispose()
