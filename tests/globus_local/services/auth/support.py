"""The Auth app under test, driven in-process through its real endpoints and pages.

``AuthApp`` wraps ``create_app(Settings(...))`` on a fresh database with shortcuts that
walk the authorize, login, consent and token steps as a browser and a client would.
"""

from __future__ import annotations

import secrets
import typing as t
from dataclasses import dataclass, field

from fastapi import FastAPI
from fastapi.testclient import TestClient

from globus_local.config import Settings
from globus_local.db import Database
from globus_local.services.auth import admin
from globus_local.services.auth.browser import parse_forms
from globus_local.services.auth.scopes import TRANSFER_ALL
from tests.support.platform import pkce_pair, query_of

ROOT = "http://127.0.0.1:8700"
AUTH = ROOT + "/auth"
AUTH_CODE_PAGE = AUTH + "/v2/web/auth-code"
PASSWORD = "correct horse battery"
DEFAULT_SCOPES = f"openid profile email {TRANSFER_ALL}"


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
