"""Introspect, validate, revoke, userinfo."""

from __future__ import annotations

from sqlalchemy import update

from globus_local.services.auth.models import Token
from tests.support.platform import basic, token_document

from .support import TRANSFER_ALL, AuthApp

VIEW_IDENTITY_SET = "urn:globus:auth:scope:auth.globus.org:view_identity_set"


def _introspect(auth_app: AuthApp, client: dict, token: str, **kw: str) -> dict:  # type: ignore[type-arg]
    r = auth_app.client.post(
        "/auth/v2/oauth2/token/introspect",
        data={"token": token, **kw},
        headers=basic(client["client_id"], client["client_secret"]),
    )
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


def test_introspect_active_token_with_includes(auth_app: AuthApp) -> None:
    user = auth_app.user(name="Ada", email="ada@example.org")
    native = auth_app.native_client()
    tokens = auth_app.native_tokens(user["username"], native["client_id"])
    rs = auth_app.confidential_client()
    transfer = token_document(tokens, "transfer.api.globus.org")["access_token"]
    doc = _introspect(auth_app, rs, transfer)
    assert doc["active"] is True and doc["scope"] == TRANSFER_ALL
    assert doc["sub"] == user["id"] and doc["username"] == user["username"]
    assert doc["client_id"] == native["client_id"]
    assert doc["aud"] == ["transfer.api.globus.org", native["client_id"]]
    assert doc["name"] == "Ada" and doc["email"] == "ada@example.org"
    assert doc["exp"] - doc["iat"] == 172800 and doc["nbf"] == doc["iat"]
    assert doc["iss"] == "http://127.0.0.1:8700/auth"
    assert "identity_set" not in doc and "session_info" not in doc
    doc = _introspect(auth_app, rs, transfer, include="identity_set,session_info")
    assert doc["identity_set"] == [user["id"]]
    info = doc["session_info"]
    assert info["session_id"]
    auth = info["authentications"][user["id"]]
    assert auth["auth_time"] <= doc["iat"] and auth["idp"] == user["identity_provider"]
    doc = _introspect(auth_app, rs, transfer, include="identity_set_detail")
    assert doc["identity_set_detail"][0]["username"] == user["username"]


def test_introspect_unknown_and_revoked(auth_app: AuthApp) -> None:
    rs = auth_app.confidential_client()
    assert _introspect(auth_app, rs, "nonsense") == {"active": False}
    assert _introspect(auth_app, rs, "") == {"active": False}
    user = auth_app.user()
    native = auth_app.native_client()
    tokens = auth_app.native_tokens(user["username"], native["client_id"])
    r = auth_app.client.post(
        "/auth/v2/oauth2/token/revoke",
        data={"token": tokens["access_token"], "client_id": native["client_id"]},
    )
    assert r.status_code == 200 and r.json() == {"active": False}
    assert _introspect(auth_app, rs, tokens["access_token"]) == {"active": False}
    # The other tokens of the grant are untouched.
    other = tokens["other_tokens"][0]["access_token"]
    assert _introspect(auth_app, rs, other)["active"] is True


def test_introspect_requires_confidential_client(auth_app: AuthApp) -> None:
    native = auth_app.native_client()
    r = auth_app.client.post(
        "/auth/v2/oauth2/token/introspect", data={"token": "x", "client_id": native["client_id"]}
    )
    assert r.status_code == 400 and r.json()["error"] == "unauthorized_client"
    r = auth_app.client.post("/auth/v2/oauth2/token/introspect", data={"token": "x"})
    assert r.status_code == 401 and r.json()["error"] == "invalid_client"
    rs = auth_app.confidential_client()
    r = auth_app.client.post(
        "/auth/v2/oauth2/token/introspect",
        data={"include": "identity_set"},
        headers=basic(rs["client_id"], rs["client_secret"]),
    )
    assert r.status_code == 400 and r.json()["error"] == "invalid_request"


def test_expired_token_is_inactive(auth_app: AuthApp) -> None:
    user = auth_app.user()
    native = auth_app.native_client()
    tokens = auth_app.native_tokens(user["username"], native["client_id"])
    with auth_app.db.session() as s:
        s.execute(update(Token).values(expires_at=Token.issued_at - 1))
    rs = auth_app.confidential_client()
    assert _introspect(auth_app, rs, tokens["access_token"]) == {"active": False}
    r = auth_app.client.get(
        "/auth/v2/oauth2/userinfo", headers={"Authorization": f"Bearer {tokens['access_token']}"}
    )
    assert r.status_code == 401


def test_revoking_refresh_token_revokes_its_access_tokens(auth_app: AuthApp) -> None:
    user = auth_app.user()
    native = auth_app.native_client()
    tokens = auth_app.native_tokens(user["username"], native["client_id"], access_type="offline")
    refreshed = auth_app.token(
        {
            "grant_type": "refresh_token",
            "refresh_token": tokens["refresh_token"],
            "client_id": native["client_id"],
        }
    ).json()
    auth_app.client.post(
        "/auth/v2/oauth2/token/revoke",
        data={"token": tokens["refresh_token"], "client_id": native["client_id"]},
    )
    rs = auth_app.confidential_client()
    for token in (tokens["access_token"], refreshed["access_token"], tokens["refresh_token"]):
        assert _introspect(auth_app, rs, token) == {"active": False}


def test_revoke_ignores_tokens_of_other_clients(auth_app: AuthApp) -> None:
    user = auth_app.user()
    native, other = auth_app.native_client(), auth_app.native_client()
    tokens = auth_app.native_tokens(user["username"], native["client_id"])
    r = auth_app.client.post(
        "/auth/v2/oauth2/token/revoke",
        data={"token": tokens["access_token"], "client_id": other["client_id"]},
    )
    assert r.json() == {"active": False}
    rs = auth_app.confidential_client()
    assert _introspect(auth_app, rs, tokens["access_token"])["active"] is True
    r = auth_app.client.post("/auth/v2/oauth2/token/revoke", data={"token": "x"})
    assert r.status_code == 401 and r.json()["error"] == "invalid_client"


def test_validate(auth_app: AuthApp) -> None:
    user = auth_app.user()
    native, other = auth_app.native_client(), auth_app.native_client()
    tokens = auth_app.native_tokens(user["username"], native["client_id"])

    def validate(client_id: str, token: str) -> object:
        r = auth_app.client.post(
            "/auth/v2/oauth2/token/validate", data={"token": token, "client_id": client_id}
        )
        assert r.status_code == 200
        return r.json()

    assert validate(native["client_id"], tokens["access_token"]) == {"active": True}
    assert validate(other["client_id"], tokens["access_token"]) == {"active": False}
    assert validate(native["client_id"], "bogus") == {"active": False}
    auth_app.client.post(
        "/auth/v2/oauth2/token/revoke",
        data={"token": tokens["access_token"], "client_id": native["client_id"]},
    )
    assert validate(native["client_id"], tokens["access_token"]) == {"active": False}


def test_userinfo(auth_app: AuthApp) -> None:
    user = auth_app.user(name="Grace", email="grace@example.org")
    native = auth_app.native_client()
    tokens = auth_app.native_tokens(
        user["username"], native["client_id"], f"openid profile email {VIEW_IDENTITY_SET}"
    )
    for method in ("GET", "POST"):
        r = auth_app.client.request(
            method,
            "/auth/v2/oauth2/userinfo",
            headers={"Authorization": f"Bearer {tokens['access_token']}"},
        )
        assert r.status_code == 200, r.text
        doc = r.json()
        assert doc["sub"] == user["id"] and doc["preferred_username"] == user["username"]
        assert doc["name"] == "Grace" and doc["email"] == "grace@example.org"
        assert doc["identity_provider_display_name"] == "globus-local"
        assert doc["last_authentication"]
        assert [i["sub"] for i in doc["identity_set"]] == [user["id"]]
        assert doc["identity_set"][0]["username"] == user["username"]


def test_userinfo_fields_follow_scopes(auth_app: AuthApp) -> None:
    user = auth_app.user(name="Grace", email="grace@example.org")
    native = auth_app.native_client()
    tokens = auth_app.native_tokens(user["username"], native["client_id"], "openid")
    doc = auth_app.client.get(
        "/auth/v2/oauth2/userinfo", headers={"Authorization": f"Bearer {tokens['access_token']}"}
    ).json()
    assert doc["sub"] == user["id"]
    assert "email" not in doc and "name" not in doc and "identity_set" not in doc


def test_userinfo_errors(auth_app: AuthApp) -> None:
    r = auth_app.client.get("/auth/v2/oauth2/userinfo")
    assert r.status_code == 401
    body = r.json()
    assert body["error"] == "unauthorized" and body["error_description"]
    err = body["errors"][0]
    assert err["status"] == "401" and err["code"] == "UNAUTHORIZED"
    assert err["detail"] == "Call must be authenticated" and err["title"] == "Unauthorized"
    assert err["id"]
    user = auth_app.user()
    native = auth_app.native_client()
    tokens = auth_app.native_tokens(user["username"], native["client_id"])
    transfer = token_document(tokens, "transfer.api.globus.org")["access_token"]
    r = auth_app.client.get(
        "/auth/v2/oauth2/userinfo", headers={"Authorization": f"Bearer {transfer}"}
    )
    assert r.status_code == 403
    assert r.json()["errors"][0]["code"] == "FORBIDDEN" and r.json()["error"] == "forbidden"
