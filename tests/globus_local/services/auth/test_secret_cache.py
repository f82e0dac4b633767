"""The verified-secret cache: it speeds up repeat authentication and never outlives a delete."""

from __future__ import annotations

from sqlalchemy import delete

from globus_local.db import Database
from globus_local.services.auth import clients
from globus_local.services.auth.models import Client, ClientCredential
from tests.support.platform import basic

from .support import TRANSFER_ALL, AuthApp


def _introspect_status(auth_app: AuthApp, cid: str, secret: str, token: str = "x") -> int:
    r = auth_app.client.post(
        "/auth/v2/oauth2/token/introspect", data={"token": token}, headers=basic(cid, secret)
    )
    return r.status_code


def _cached(db: Database, cid: str, secret: str) -> bool:
    with db.session() as session:
        return clients._secret_cached(session, cid, secret)


def test_cached_secret_still_rejects_wrong_secrets(auth_app: AuthApp) -> None:
    rs = auth_app.confidential_client()
    cid, secret = rs["client_id"], rs["client_secret"]
    assert not _cached(auth_app.db, cid, secret)
    assert _introspect_status(auth_app, cid, secret) == 200
    assert _cached(auth_app.db, cid, secret)
    assert _introspect_status(auth_app, cid, secret) == 200
    assert _introspect_status(auth_app, cid, secret + "x") == 401
    assert not _cached(auth_app.db, cid, secret + "x")  # failures are never cached


def test_deleting_a_client_forgets_its_secrets(auth_app: AuthApp) -> None:
    rs = auth_app.confidential_client()
    cid, secret = rs["client_id"], rs["client_secret"]
    r = auth_app.token(
        {"grant_type": "client_credentials", "scope": TRANSFER_ALL}, basic(cid, secret)
    )
    assert r.status_code == 200
    token = r.json()["access_token"]
    assert _introspect_status(auth_app, cid, secret, token) == 200
    r = auth_app.client.delete(f"/auth/v2/api/clients/{cid}", headers=basic(cid, secret))
    assert r.status_code == 200, r.text
    assert not _cached(auth_app.db, cid, secret)
    assert _introspect_status(auth_app, cid, secret, token) == 401


def test_a_verification_racing_the_delete_is_forgotten_at_commit(auth_app: AuthApp) -> None:
    rs = auth_app.confidential_client()
    cid, secret = rs["client_id"], rs["client_secret"]
    with auth_app.db.session() as session:
        clients.forget_client_secrets(session, cid)
        session.execute(delete(ClientCredential).where(ClientCredential.client_id == cid))
        # Another request, still seeing the old credential, verifies and caches it.
        with auth_app.db.session() as other:
            clients._remember_secret(other, cid, secret)
        assert _cached(auth_app.db, cid, secret)
    assert not _cached(auth_app.db, cid, secret)
    assert _introspect_status(auth_app, cid, secret) == 401
    with auth_app.db.session() as session:
        assert session.get(Client, cid) is not None  # the client stays, its secret is gone


def test_the_cache_is_per_database(auth_app: AuthApp, tmp_path: object) -> None:
    rs = auth_app.confidential_client()
    cid, secret = rs["client_id"], rs["client_secret"]
    assert _introspect_status(auth_app, cid, secret) == 200
    other = Database(f"sqlite:///{tmp_path}/other.sqlite3")
    try:
        assert _cached(auth_app.db, cid, secret) and not _cached(other, cid, secret)
    finally:
        other.dispose()
