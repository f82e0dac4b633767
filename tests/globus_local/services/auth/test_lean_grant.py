"""The client_credentials grant answered from the brief client and scope caches: the same
tokens as the ORM grant, and deletes and scope changes seen at once here, within the
cache bound when another process makes them."""

from __future__ import annotations

import time
import typing as t

import pytest
from sqlalchemy import delete, update

from globus_local.services.auth import scopes, tokens
from globus_local.services.auth.models import Client, ClientCredential, Identity, Scope
from tests.support.platform import basic

from .support import TRANSFER_ALL, AuthApp

CUSTOM_SCOPE = "https://auth.globus.org/scopes/lean.example.org/read"


def _grant(auth_app: AuthApp, client: dict[str, str], **form: str) -> t.Any:
    return auth_app.token(
        {"grant_type": "client_credentials", **form},
        basic(client["client_id"], client["client_secret"]),
    )


def _lean_ready(auth_app: AuthApp, client_id: str) -> bool:
    return tokens.client_principals.get(auth_app.db.engine, client_id) is not None


def _introspect(auth_app: AuthApp, client: dict[str, str], token: str) -> dict[str, t.Any]:
    r = auth_app.client.post(
        "/auth/v2/oauth2/token/introspect",
        data={"token": token},
        headers=basic(client["client_id"], client["client_secret"]),
    )
    assert r.status_code == 200, r.text
    return dict(r.json())


def _register(auth_app: AuthApp, resource_server: str) -> None:
    with auth_app.db.session() as session:
        scopes.register_scope(session, resource_server, "read", scope_string=CUSTOM_SCOPE)


def _without_values(doc: dict[str, t.Any]) -> dict[str, t.Any]:
    """A token response with its token values left out."""
    shown = {k: v for k, v in doc.items() if k not in ("access_token", "other_tokens")}
    shown["other_tokens"] = [_without_values(d) for d in doc.get("other_tokens", [])]
    return shown


@pytest.mark.parametrize("form", [{"scope": TRANSFER_ALL}, {}, {"state": "s1"}])
def test_repeat_grants_answer_as_the_first(auth_app: AuthApp, form: dict[str, str]) -> None:
    rs = auth_app.confidential_client()
    first = _grant(auth_app, rs, **form)  # the ORM grant; it verifies the secret
    assert first.status_code == 200, first.text
    assert _grant(auth_app, rs, **form).status_code == 200  # this one reads the client
    assert _lean_ready(auth_app, rs["client_id"])
    second = _grant(auth_app, rs, **form)
    assert second.status_code == 200, second.text
    assert second.headers["cache-control"] == "no-store"
    assert _without_values(second.json()) == _without_values(first.json())
    assert second.json()["access_token"] != first.json()["access_token"]
    seen = [_introspect(auth_app, rs, r.json()["access_token"]) for r in (first, second)]
    assert all(s["active"] for s in seen)
    assert {s["sub"] for s in seen} == {s["client_id"] for s in seen} == {rs["client_id"]}
    assert seen[0]["username"] == seen[1]["username"]
    assert seen[0]["scope"] == seen[1]["scope"]


def test_bad_requests_are_refused_on_the_lean_path(auth_app: AuthApp) -> None:
    rs = auth_app.confidential_client()
    for _ in range(2):
        assert _grant(auth_app, rs, scope=TRANSFER_ALL).status_code == 200
    assert _lean_ready(auth_app, rs["client_id"])
    r = _grant(auth_app, rs, scope="urn:globus:auth:scope:nowhere:all")
    assert r.status_code == 400 and r.json()["error"] == "invalid_scope"
    r = _grant(auth_app, {**rs, "client_secret": rs["client_secret"] + "x"}, scope=TRANSFER_ALL)
    assert r.status_code == 401 and r.json()["error"] == "invalid_client"
    r = auth_app.token(
        {"grant_type": "client_credentials", "client_secret": rs["client_secret"]},
        basic(rs["client_id"], rs["client_secret"]),
    )
    assert r.status_code == 400 and r.json()["error"] == "invalid_request"


def test_deleting_the_client_here_refuses_its_grants_at_once(auth_app: AuthApp) -> None:
    rs = auth_app.confidential_client()
    cid = rs["client_id"]
    for _ in range(2):
        assert _grant(auth_app, rs).status_code == 200
    assert _lean_ready(auth_app, cid)
    r = auth_app.client.delete(
        f"/auth/v2/api/clients/{cid}", headers=basic(cid, rs["client_secret"])
    )
    assert r.status_code == 200, r.text
    assert not _lean_ready(auth_app, cid)
    r = _grant(auth_app, rs)
    assert r.status_code == 401 and r.json()["error"] == "invalid_client"


def test_a_delete_elsewhere_is_seen_within_the_cache_bound(
    auth_app: AuthApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tokens.client_principals, "seconds", 0.3)
    rs = auth_app.confidential_client()
    cid = rs["client_id"]
    for _ in range(2):
        assert _grant(auth_app, rs).status_code == 200
    assert _lean_ready(auth_app, cid)
    # As another process would: the rows go, and this process is not told.
    with auth_app.db.session() as session:
        session.execute(delete(ClientCredential).where(ClientCredential.client_id == cid))
        session.execute(delete(Identity).where(Identity.id == cid))
        session.execute(delete(Client).where(Client.id == cid))
    time.sleep(0.4)
    r = _grant(auth_app, rs)
    assert r.status_code == 401 and r.json()["error"] == "invalid_client"


def test_a_scope_registered_here_is_seen_at_once(auth_app: AuthApp) -> None:
    rs = auth_app.confidential_client()
    _register(auth_app, "a.lean.example.org")
    for _ in range(2):
        r = _grant(auth_app, rs, scope=CUSTOM_SCOPE)
        assert r.status_code == 200 and r.json()["resource_server"] == "a.lean.example.org"
    _register(auth_app, "b.lean.example.org")
    r = _grant(auth_app, rs, scope=CUSTOM_SCOPE)
    assert r.status_code == 200 and r.json()["resource_server"] == "b.lean.example.org"


def test_a_scope_changed_elsewhere_is_seen_within_the_cache_bound(
    auth_app: AuthApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(scopes._requested, "seconds", 0.3)
    rs = auth_app.confidential_client()
    _register(auth_app, "a.lean.example.org")
    for _ in range(2):  # the second grant keeps the scope
        r = _grant(auth_app, rs, scope=CUSTOM_SCOPE)
        assert r.status_code == 200 and r.json()["resource_server"] == "a.lean.example.org"
    with auth_app.db.session() as session:
        session.execute(
            update(Scope)
            .where(Scope.scope_string == CUSTOM_SCOPE)
            .values(resource_server="b.lean.example.org")
        )
    time.sleep(0.4)
    r = _grant(auth_app, rs, scope=CUSTOM_SCOPE)
    assert r.status_code == 200 and r.json()["resource_server"] == "b.lean.example.org"
