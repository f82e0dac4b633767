"""Answers kept in memory for live tokens (the token check, userinfo, introspection):
a revocation committed here reaches them at once, one made elsewhere within the bound."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import update

from globus_local.kit import tokens as token_check
from globus_local.services.auth.models import Token
from tests.support.platform import basic, token_document

from .support import AuthApp


def _introspect(auth_app: AuthApp, client: dict[str, str], token: str) -> bool:
    r = auth_app.client.post(
        "/auth/v2/oauth2/token/introspect",
        data={"token": token},
        headers=basic(client["client_id"], client["client_secret"]),
    )
    assert r.status_code == 200, r.text
    return bool(r.json()["active"])


def _userinfo(auth_app: AuthApp, token: str) -> int:
    r = auth_app.client.get(
        "/auth/v2/oauth2/userinfo", headers={"Authorization": f"Bearer {token}"}
    )
    return int(r.status_code)


def _grant(auth_app: AuthApp) -> tuple[dict[str, str], str, str]:
    user = auth_app.user()
    native = auth_app.native_client()
    tokens = auth_app.native_tokens(user["username"], native["client_id"])
    return native, token_document(tokens, "auth.globus.org")["access_token"], tokens["access_token"]


def test_a_revocation_here_reaches_cached_answers_at_once(auth_app: AuthApp) -> None:
    native, auth_token, _ = _grant(auth_app)
    rs = auth_app.confidential_client()
    assert _introspect(auth_app, rs, auth_token) and _userinfo(auth_app, auth_token) == 200
    assert _introspect(auth_app, rs, auth_token) and _userinfo(auth_app, auth_token) == 200
    r = auth_app.client.post(
        "/auth/v2/oauth2/token/revoke",
        data={"token": auth_token, "client_id": native["client_id"]},
    )
    assert r.status_code == 200
    assert not _introspect(auth_app, rs, auth_token)
    assert _userinfo(auth_app, auth_token) == 401


def test_a_revocation_elsewhere_is_seen_within_the_cache_bound(
    auth_app: AuthApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(token_check, "CACHE_SECONDS", 0.5)
    _, auth_token, _ = _grant(auth_app)
    rs = auth_app.confidential_client()
    assert _introspect(auth_app, rs, auth_token) and _userinfo(auth_app, auth_token) == 200
    # As another process would: the rows change, and this process is not told.
    with auth_app.db.session() as session:
        session.execute(
            update(Token).where(Token.resource_server == "auth.globus.org").values(revoked=True)
        )
    assert _introspect(auth_app, rs, auth_token)  # still the kept answer
    time.sleep(0.6)
    assert not _introspect(auth_app, rs, auth_token)
    assert _userinfo(auth_app, auth_token) == 401


def test_a_cached_answer_is_for_the_client_that_authenticated(auth_app: AuthApp) -> None:
    _, auth_token, _ = _grant(auth_app)
    rs = auth_app.confidential_client()
    assert _introspect(auth_app, rs, auth_token)
    r = auth_app.client.post(
        "/auth/v2/oauth2/token/introspect",
        data={"token": auth_token},
        headers=basic(rs["client_id"], "not-the-secret"),
    )
    assert r.status_code == 401 and r.json()["error"] == "invalid_client"
