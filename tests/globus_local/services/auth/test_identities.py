"""Identity lookups: by ids, by usernames (with provisioning), one by id, linking."""

from __future__ import annotations

import uuid

from globus_local.services.auth import admin
from globus_local.services.auth.identities import (
    get_identity,
    get_identity_by_username,
    link_identities,
)
from tests.support.platform import basic

from .support import AuthApp

AUTH_SCOPES = ["openid", "urn:globus:auth:scope:auth.globus.org:view_identities"]


def _bearer(auth_app: AuthApp, username: str) -> dict[str, str]:
    tokens = admin.issue_token(auth_app.db, username, AUTH_SCOPES)
    return {"Authorization": f"Bearer {tokens['access_token']}"}


def test_identities_by_ids_and_usernames(auth_app: AuthApp) -> None:
    a, b = auth_app.user(name="A"), auth_app.user(email="b@example.org")
    headers = _bearer(auth_app, a["username"])
    r = auth_app.client.get(
        "/auth/v2/api/identities",
        params={"ids": f"{b['id']},{a['id']},{uuid.uuid4()},junk"},
        headers=headers,
    )
    assert r.status_code == 200, r.text
    docs = r.json()["identities"]
    assert [d["id"] for d in docs] == [b["id"], a["id"]]
    assert set(docs[0]) == {
        "id",
        "username",
        "status",
        "identity_provider",
        "identity_type",
        "name",
        "email",
        "organization",
    }
    assert docs[0]["email"] == "b@example.org" and docs[0]["status"] == "used"
    r = auth_app.client.get(
        "/auth/v2/api/identities",
        params={"usernames": f"{a['username'].upper()},nobody@example.org"},
        headers=headers,
    )
    assert [d["id"] for d in r.json()["identities"]] == [a["id"]]
    # Repeated keys work too.
    r = auth_app.client.get(f"/auth/v2/api/identities?ids={a['id']}&ids={b['id']}", headers=headers)
    assert len(r.json()["identities"]) == 2


def test_provision_creates_unused_identities(auth_app: AuthApp) -> None:
    a = auth_app.user()
    headers = _bearer(auth_app, a["username"])
    params = {"usernames": "newcomer@example.org", "provision": "false"}
    r = auth_app.client.get("/auth/v2/api/identities", params=params, headers=headers)
    assert r.json()["identities"] == []
    r = auth_app.client.get(
        "/auth/v2/api/identities", params={**params, "provision": "True"}, headers=headers
    )
    (doc,) = r.json()["identities"]
    assert doc["username"] == "newcomer@example.org" and doc["status"] == "unused"
    # Provisioning is stable; the same id comes back.
    r = auth_app.client.get(
        "/auth/v2/api/identities", params={**params, "provision": "true"}, headers=headers
    )
    assert r.json()["identities"][0]["id"] == doc["id"]
    # An unused identity can later be claimed by creating the user.
    created = admin.create_user(auth_app.db, "newcomer@example.org", "pw")
    assert created["id"] == doc["id"] and created["status"] == "used"


def test_identities_errors(auth_app: AuthApp) -> None:
    a = auth_app.user()
    r = auth_app.client.get("/auth/v2/api/identities", params={"ids": a["id"]})
    assert r.status_code == 401
    assert r.json()["errors"][0]["code"] == "UNAUTHORIZED"
    headers = _bearer(auth_app, a["username"])
    r = auth_app.client.get(
        "/auth/v2/api/identities",
        params={"ids": a["id"], "usernames": a["username"]},
        headers=headers,
    )
    assert r.status_code == 400 and r.json()["errors"][0]["code"] == "BAD_REQUEST"
    r = auth_app.client.get(
        "/auth/v2/api/identities",
        params={"usernames": "x@y", "provision": "maybe"},
        headers=headers,
    )
    assert r.status_code == 400
    r = auth_app.client.get(
        "/auth/v2/api/identities", params={"ids": a["id"]}, headers={"Authorization": "Bearer nope"}
    )
    assert r.status_code == 401
    transfer = admin.issue_token(
        auth_app.db, a["username"], ["urn:globus:auth:scope:transfer.api.globus.org:all"]
    )
    r = auth_app.client.get(
        "/auth/v2/api/identities",
        params={"ids": a["id"]},
        headers={"Authorization": f"Bearer {transfer['access_token']}"},
    )
    assert r.status_code == 403 and r.json()["errors"][0]["code"] == "FORBIDDEN"


def test_identities_with_client_basic_auth(auth_app: AuthApp) -> None:
    a = auth_app.user()
    client = auth_app.confidential_client()
    r = auth_app.client.get(
        "/auth/v2/api/identities",
        params={"usernames": a["username"]},
        headers=basic(client["client_id"], client["client_secret"]),
    )
    assert r.status_code == 200 and r.json()["identities"][0]["id"] == a["id"]
    r = auth_app.client.get(
        "/auth/v2/api/identities",
        params={"usernames": a["username"]},
        headers=basic(client["client_id"], "wrong"),
    )
    assert r.status_code == 401


def test_get_one_identity(auth_app: AuthApp) -> None:
    a = auth_app.user(name="Solo")
    headers = _bearer(auth_app, a["username"])
    r = auth_app.client.get(f"/auth/v2/api/identities/{a['id']}", headers=headers)
    assert r.status_code == 200 and r.json()["identity"]["name"] == "Solo"
    r = auth_app.client.get(f"/auth/v2/api/identities/{uuid.uuid4()}", headers=headers)
    assert r.status_code == 404 and r.json()["errors"][0]["code"] == "NOT_FOUND"
    r = auth_app.client.get("/auth/v2/api/identities/not-a-uuid", headers=headers)
    assert r.status_code == 404


def test_linked_identities_form_one_identity_set(auth_app: AuthApp) -> None:
    a, b = auth_app.user(), auth_app.user()
    with auth_app.db.session() as s:
        ia, ib = get_identity(s, a["id"]), get_identity_by_username(s, b["username"])
        assert ia is not None and ib is not None
        link_identities(s, ia, ib)
    headers = _bearer(auth_app, a["username"])
    r = auth_app.client.get("/auth/v2/api/identities", headers=headers)
    assert [d["id"] for d in r.json()["identities"]] == [a["id"], b["id"]]
    client = auth_app.confidential_client()
    tokens = admin.issue_token(auth_app.db, b["username"], AUTH_SCOPES)
    r = auth_app.client.post(
        "/auth/v2/oauth2/token/introspect",
        data={"token": tokens["access_token"], "include": "identity_set"},
        headers=basic(client["client_id"], client["client_secret"]),
    )
    assert set(r.json()["identity_set"]) == {a["id"], b["id"]}
    assert r.json()["identity_set"][0] == b["id"]
