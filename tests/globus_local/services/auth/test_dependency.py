"""require_token / authenticate_token, as every other service uses them."""

from __future__ import annotations

from fastapi import Depends

from globus_local.kit.tokens import AuthContext, require_token
from globus_local.services.auth import admin
from globus_local.services.auth.dependency import authenticate_token
from globus_local.services.auth.scopes import GROUPS_ALL, GROUPS_RS, GROUPS_VIEW, TRANSFER_ALL

from .support import AuthApp


def _probe_app(auth_app: AuthApp) -> None:
    def probe(
        ctx: AuthContext = Depends(require_token(GROUPS_RS, GROUPS_ALL, GROUPS_VIEW)),
    ) -> dict:  # type: ignore[type-arg]
        return {
            "identity_id": ctx.identity_id,
            "username": ctx.username,
            "client_id": ctx.client_id,
            "scopes": sorted(ctx.scopes),
            "resource_server": ctx.resource_server,
            "identity_set": list(ctx.identity_set),
        }

    auth_app.app.add_api_route("/probe", probe)


def test_require_token_accepts_matching_tokens(auth_app: AuthApp) -> None:
    _probe_app(auth_app)
    user = auth_app.user()
    tokens = admin.issue_token(auth_app.db, user["username"], [GROUPS_VIEW])
    r = auth_app.client.get("/probe", headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert r.status_code == 200, r.text
    assert r.json() == {
        "identity_id": user["id"],
        "username": user["username"],
        "client_id": admin.ADMIN_CLIENT_ID,
        "scopes": [GROUPS_VIEW],
        "resource_server": GROUPS_RS,
        "identity_set": [user["id"]],
    }


def test_require_token_rejections(auth_app: AuthApp) -> None:
    _probe_app(auth_app)
    r = auth_app.client.get("/probe")
    assert r.status_code == 401 and r.json()["code"] == "AuthenticationFailed"
    assert r.headers["www-authenticate"].startswith("Bearer")
    r = auth_app.client.get("/probe", headers={"Authorization": "Bearer not-a-token"})
    assert r.status_code == 401
    r = auth_app.client.get("/probe", headers={"Authorization": "Basic abc"})
    assert r.status_code == 401
    user = auth_app.user()
    transfer = admin.issue_token(auth_app.db, user["username"], [TRANSFER_ALL])
    r = auth_app.client.get(
        "/probe", headers={"Authorization": f"Bearer {transfer['access_token']}"}
    )
    assert r.status_code == 403
    body = r.json()
    assert body["code"] == "ConsentRequired" and body["required_scopes"] == [GROUPS_ALL]
    # Revoked tokens stop working immediately.
    tokens = admin.issue_token(auth_app.db, user["username"], [GROUPS_ALL])
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    assert auth_app.client.get("/probe", headers=headers).status_code == 200
    assert admin.revoke_token(auth_app.db, tokens["access_token"]) is True
    assert auth_app.client.get("/probe", headers=headers).status_code == 401


def test_authenticate_token(auth_app: AuthApp) -> None:
    user = auth_app.user()
    tokens = admin.issue_token(
        auth_app.db,
        user["username"],
        [GROUPS_ALL],
    )
    with auth_app.db.session() as s:
        ctx = authenticate_token(s, tokens["access_token"])
        assert ctx is not None and ctx.identity_id == user["id"]
        assert ctx.scopes == frozenset({GROUPS_ALL}) and len(ctx.token_hash) == 64
        assert authenticate_token(s, "nope") is None
        assert authenticate_token(s, "") is None
        # Refresh tokens are not bearer credentials.
        assert authenticate_token(s, tokens["refresh_token"]) is None
