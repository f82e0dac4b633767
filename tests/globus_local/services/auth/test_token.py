"""The token endpoint: every grant, and every way a request can be wrong."""

from __future__ import annotations

from sqlalchemy import select, update

from globus_local.services.auth import admin
from globus_local.services.auth.models import AuthorizationCode, Token
from globus_local.services.auth.scopes import register_scope
from tests.support.platform import basic, query_of, token_document

from .support import AUTH_CODE_PAGE, TRANSFER_ALL, AuthApp

GROUPS_ALL = "urn:globus:auth:scope:groups.api.globus.org:all"
CALLBACK = "https://app.example.org/callback"


def _oauth_error(r: object, status: int, error: str) -> None:
    assert r.status_code == status, r.text  # type: ignore[attr-defined]
    body = r.json()  # type: ignore[attr-defined]
    assert body["error"] == error
    assert body["error_description"]
    assert body["errors"][0]["status"] == str(status)
    assert body["errors"][0]["id"] == body["request_id"]
    assert body["errors"][0]["detail"] == body["error_description"]


def _exchange(auth_app: AuthApp, client_id: str, code: str, verifier: str, **kw: str) -> object:
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": AUTH_CODE_PAGE,
        "client_id": client_id,
        "code_verifier": verifier,
        **kw,
    }
    return auth_app.token(data)


def test_native_code_grant_groups_tokens_by_resource_server(auth_app: AuthApp) -> None:
    user = auth_app.user()
    client = auth_app.native_client()
    tokens = auth_app.native_tokens(
        user["username"], client["client_id"], f"openid profile email {TRANSFER_ALL} {GROUPS_ALL}"
    )
    assert tokens["resource_server"] == "auth.globus.org"
    assert set(tokens["scope"].split()) == {"openid", "profile", "email"}
    assert tokens["token_type"] == "Bearer" and tokens["expires_in"] == 172800
    assert tokens["state"] == "_default"
    assert "refresh_token" not in tokens  # access_type=online
    assert "id_token" in tokens
    others = {t["resource_server"]: t for t in tokens["other_tokens"]}
    assert set(others) == {"transfer.api.globus.org", "groups.api.globus.org"}
    assert others["transfer.api.globus.org"]["scope"] == TRANSFER_ALL
    assert len({tokens["access_token"], *(t["access_token"] for t in others.values())}) == 3
    assert len(tokens["access_token"]) >= 43  # 256 bits, base64url


def test_offline_access_returns_refresh_tokens(auth_app: AuthApp) -> None:
    user = auth_app.user()
    client = auth_app.native_client()
    tokens = auth_app.native_tokens(user["username"], client["client_id"], access_type="offline")
    assert tokens["refresh_token"]
    assert all(t["refresh_token"] for t in tokens["other_tokens"])


def test_tokens_are_stored_hashed(auth_app: AuthApp) -> None:
    user = auth_app.user()
    client = auth_app.native_client()
    tokens = auth_app.native_tokens(user["username"], client["client_id"], access_type="offline")
    with auth_app.db.session() as s:
        stored = {r.token_hash for r in s.scalars(select(Token))}
    assert tokens["access_token"] not in stored and tokens["refresh_token"] not in stored
    assert all(len(h) == 64 for h in stored)


def test_confidential_code_grant_with_basic_auth(auth_app: AuthApp) -> None:
    user = auth_app.user()
    client = auth_app.confidential_client()
    location = auth_app.login_and_consent(
        user["username"],
        client_id=client["client_id"],
        redirect_uri=CALLBACK,
        scope=TRANSFER_ALL,
        response_type="code",
        access_type="offline",
        state="abc",
    )
    code = query_of(location)["code"]
    r = auth_app.token(
        {"grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK},
        basic(client["client_id"], client["client_secret"]),
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["resource_server"] == "transfer.api.globus.org"
    assert body["other_tokens"] == [] and body["refresh_token"] and body["state"] == "abc"
    assert "id_token" not in body


def test_replayed_code_is_rejected_and_revokes_its_tokens(auth_app: AuthApp) -> None:
    user = auth_app.user()
    client = auth_app.native_client()
    code, verifier = auth_app.native_code(user["username"], client["client_id"])
    first = _exchange(auth_app, client["client_id"], code, verifier)
    assert first.status_code == 200  # type: ignore[attr-defined]
    again = _exchange(auth_app, client["client_id"], code, verifier)
    _oauth_error(again, 401, "invalid_grant")
    access = first.json()["access_token"]  # type: ignore[attr-defined]
    r = auth_app.client.get(
        "/auth/v2/oauth2/userinfo", headers={"Authorization": f"Bearer {access}"}
    )
    assert r.status_code == 401


def test_expired_code_is_rejected(auth_app: AuthApp) -> None:
    user = auth_app.user()
    client = auth_app.native_client()
    code, verifier = auth_app.native_code(user["username"], client["client_id"])
    with auth_app.db.session() as s:
        s.execute(update(AuthorizationCode).values(expires_at=AuthorizationCode.expires_at - 601))
    _oauth_error(_exchange(auth_app, client["client_id"], code, verifier), 401, "invalid_grant")


def test_codes_expire_after_ten_minutes(auth_app: AuthApp) -> None:
    import time

    user = auth_app.user()
    client = auth_app.native_client()
    before = int(time.time())
    auth_app.native_code(user["username"], client["client_id"])
    with auth_app.db.session() as s:
        row = s.scalars(select(AuthorizationCode)).one()
        assert before + 600 <= row.expires_at <= int(time.time()) + 600


def test_wrong_or_missing_code_verifier(auth_app: AuthApp) -> None:
    user = auth_app.user()
    client = auth_app.native_client()
    code, verifier = auth_app.native_code(user["username"], client["client_id"])
    wrong = verifier[:-1] + ("A" if verifier[-1] != "A" else "B")
    _oauth_error(_exchange(auth_app, client["client_id"], code, wrong), 401, "invalid_grant")
    code, verifier = auth_app.native_code(user["username"], client["client_id"])
    _oauth_error(
        _exchange(auth_app, client["client_id"], code, verifier, code_verifier=""),
        401,
        "invalid_grant",
    )


def test_redirect_uri_must_match_exactly(auth_app: AuthApp) -> None:
    user = auth_app.user()
    client = auth_app.native_client()
    code, verifier = auth_app.native_code(user["username"], client["client_id"])
    r = _exchange(auth_app, client["client_id"], code, verifier, redirect_uri=AUTH_CODE_PAGE + "/")
    _oauth_error(r, 401, "invalid_grant")


def test_code_of_another_client_is_rejected(auth_app: AuthApp) -> None:
    user = auth_app.user()
    client, other = auth_app.native_client(), auth_app.native_client()
    code, verifier = auth_app.native_code(user["username"], client["client_id"])
    _oauth_error(_exchange(auth_app, other["client_id"], code, verifier), 401, "invalid_grant")


def test_unknown_code(auth_app: AuthApp) -> None:
    client = auth_app.native_client()
    _oauth_error(_exchange(auth_app, client["client_id"], "nope", "x" * 43), 401, "invalid_grant")


def test_unknown_client_and_wrong_secret(auth_app: AuthApp) -> None:
    data = {"grant_type": "client_credentials", "scope": TRANSFER_ALL}
    _oauth_error(
        auth_app.token(data, basic("00000000-0000-0000-0000-000000000001", "s")),
        401,
        "invalid_client",
    )
    client = auth_app.confidential_client()
    _oauth_error(auth_app.token(data, basic(client["client_id"], "wrong")), 401, "invalid_client")
    _oauth_error(auth_app.token(data), 401, "invalid_client")
    _oauth_error(
        auth_app.token(data, {"Authorization": "Basic !!!not-base64"}), 401, "invalid_client"
    )
    native = auth_app.native_client()
    # A native client has no secret to present.
    _oauth_error(auth_app.token(data, basic(native["client_id"], "x")), 401, "invalid_client")
    # A confidential client cannot skip its secret.
    _oauth_error(auth_app.token({**data, "client_id": client["client_id"]}), 401, "invalid_client")


def test_malformed_requests(auth_app: AuthApp) -> None:
    client = auth_app.confidential_client()
    headers = basic(client["client_id"], client["client_secret"])
    _oauth_error(auth_app.token({}, headers), 400, "invalid_request")
    _oauth_error(auth_app.token({"grant_type": "password"}, headers), 400, "unsupported_grant_type")
    r = auth_app.client.post(
        "/auth/v2/oauth2/token", json={"grant_type": "client_credentials"}, headers=headers
    )
    _oauth_error(r, 400, "invalid_request")
    r = auth_app.client.post(
        "/auth/v2/oauth2/token",
        content=b"\xff\xfe\x00garbage=%%%",
        headers={**headers, "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert r.status_code in (400, 401) and "error" in r.json()
    r = auth_app.client.post(
        "/auth/v2/oauth2/token",
        content=b"--x\r\nbroken",
        headers={**headers, "Content-Type": "multipart/form-data; boundary=x"},
    )
    assert r.status_code == 400
    _oauth_error(
        auth_app.token({"grant_type": "authorization_code"}, headers), 400, "invalid_request"
    )
    _oauth_error(auth_app.token({"grant_type": "refresh_token"}, headers), 400, "invalid_request")


def test_refresh_grant_returns_exactly_one_token(auth_app: AuthApp) -> None:
    user = auth_app.user()
    client = auth_app.native_client()
    tokens = auth_app.native_tokens(user["username"], client["client_id"], access_type="offline")
    transfer = token_document(tokens, "transfer.api.globus.org")
    r = auth_app.token(
        {
            "grant_type": "refresh_token",
            "refresh_token": transfer["refresh_token"],
            "client_id": client["client_id"],
        }
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["resource_server"] == "transfer.api.globus.org" and body["other_tokens"] == []
    assert body["scope"] == TRANSFER_ALL and body["refresh_token"] == transfer["refresh_token"]
    assert body["access_token"] != transfer["access_token"]


def test_refresh_errors(auth_app: AuthApp) -> None:
    user = auth_app.user()
    client, other = auth_app.native_client(), auth_app.native_client()
    tokens = auth_app.native_tokens(user["username"], client["client_id"], access_type="offline")
    refresh = tokens["refresh_token"]
    data = {"grant_type": "refresh_token", "refresh_token": refresh}
    _oauth_error(auth_app.token({**data, "client_id": other["client_id"]}), 401, "invalid_grant")
    # An access token is not a refresh token.
    _oauth_error(
        auth_app.token(
            {**data, "refresh_token": tokens["access_token"], "client_id": client["client_id"]}
        ),
        401,
        "invalid_grant",
    )
    r = auth_app.client.post(
        "/auth/v2/oauth2/token/revoke", data={"token": refresh, "client_id": client["client_id"]}
    )
    assert r.json() == {"active": False}
    _oauth_error(auth_app.token({**data, "client_id": client["client_id"]}), 401, "invalid_grant")


def test_client_credentials(auth_app: AuthApp) -> None:
    client = auth_app.confidential_client()
    headers = basic(client["client_id"], client["client_secret"])
    r = auth_app.token({"grant_type": "client_credentials", "scope": TRANSFER_ALL}, headers)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["resource_server"] == "transfer.api.globus.org" and body["other_tokens"] == []
    assert "refresh_token" not in body
    # The token stands for the client's own identity.
    r = auth_app.client.post(
        "/auth/v2/oauth2/token/introspect", data={"token": body["access_token"]}, headers=headers
    )
    assert r.json()["sub"] == client["client_id"]
    assert r.json()["username"] == f"{client['client_id']}@clients.auth.globus.org"
    # Several resource servers (the SDK's default scopes): grouped.
    r = auth_app.token({"grant_type": "client_credentials"}, headers)
    assert r.json()["resource_server"] == "auth.globus.org"
    assert [t["resource_server"] for t in r.json()["other_tokens"]] == ["transfer.api.globus.org"]


def test_client_credentials_errors(auth_app: AuthApp) -> None:
    client = auth_app.confidential_client()
    headers = basic(client["client_id"], client["client_secret"])
    r = auth_app.token({"grant_type": "client_credentials", "scope": "urn:x:unknown"}, headers)
    _oauth_error(r, 400, "invalid_scope")
    native = auth_app.native_client()
    r = auth_app.token(
        {
            "grant_type": "client_credentials",
            "scope": TRANSFER_ALL,
            "client_id": native["client_id"],
        }
    )
    _oauth_error(r, 400, "unauthorized_client")


def _service_setup(auth_app: AuthApp) -> tuple[dict, dict, str]:  # type: ignore[type-arg]
    """A confidential client acting as a resource server whose scope depends on Transfer."""
    service = auth_app.confidential_client()
    with auth_app.db.session() as s:
        scope = register_scope(
            s, service["client_id"], "all", dependencies=[TRANSFER_ALL, GROUPS_ALL]
        )
    user = auth_app.user()
    tokens = admin.issue_token(auth_app.db, user["username"], [scope])
    return service, tokens, scope


def test_dependent_token_grant(auth_app: AuthApp) -> None:
    service, tokens, scope = _service_setup(auth_app)
    assert tokens["resource_server"] == service["client_id"] and tokens["scope"] == scope
    headers = basic(service["client_id"], service["client_secret"])
    data = {
        "grant_type": "urn:globus:auth:grant_type:dependent_token",
        "token": tokens["access_token"],
    }
    r = auth_app.token(data, headers)
    assert r.status_code == 200, r.text
    body = r.json()
    assert isinstance(body, list)
    assert {d["resource_server"]: d["scope"] for d in body} == {
        "transfer.api.globus.org": TRANSFER_ALL,
        "groups.api.globus.org": GROUPS_ALL,
    }
    assert all("refresh_token" not in d and "other_tokens" not in d for d in body)
    # The dependent token acts for the same user.
    transfer = next(d for d in body if d["resource_server"] == "transfer.api.globus.org")
    r = auth_app.client.post(
        "/auth/v2/oauth2/token/introspect",
        data={"token": transfer["access_token"]},
        headers=headers,
    )
    assert r.json()["username"] == tokens_user(auth_app, tokens)
    # Offline access and a narrowed scope.
    r = auth_app.token({**data, "access_type": "offline", "scope": TRANSFER_ALL}, headers)
    assert [d["resource_server"] for d in r.json()] == ["transfer.api.globus.org"]
    assert r.json()[0]["refresh_token"]


def tokens_user(auth_app: AuthApp, tokens: dict) -> str:  # type: ignore[type-arg]
    from globus_local.services.auth.tokens import lookup_token

    with auth_app.db.session() as s:
        row = lookup_token(s, tokens["access_token"])
        assert row is not None
        return row.username


def test_dependent_token_errors(auth_app: AuthApp) -> None:
    service, tokens, _ = _service_setup(auth_app)
    data = {
        "grant_type": "urn:globus:auth:grant_type:dependent_token",
        "token": tokens["access_token"],
    }
    stranger = auth_app.confidential_client()
    r = auth_app.token(data, basic(stranger["client_id"], stranger["client_secret"]))
    _oauth_error(r, 401, "invalid_grant")
    headers = basic(service["client_id"], service["client_secret"])
    r = auth_app.token(
        {**data, "scope": "urn:globus:auth:scope:search.api.globus.org:all"}, headers
    )
    _oauth_error(r, 400, "invalid_scope")
    _oauth_error(auth_app.token({**data, "token": "bogus"}, headers), 401, "invalid_grant")
    _oauth_error(
        auth_app.token({"grant_type": data["grant_type"]}, headers), 400, "invalid_request"
    )


def test_builtin_flows_scope_depends_on_transfer(auth_app: AuthApp) -> None:
    from globus_local.services.auth.scopes import FLOWS_ALL, FLOWS_RS

    flows_service = auth_app.confidential_client()
    with auth_app.db.session() as s:
        # The Flows service's client declares itself the owner of flows.globus.org.
        register_scope(
            s, FLOWS_RS, "all", scope_string=FLOWS_ALL, owner_client_id=flows_service["client_id"]
        )
    user = auth_app.user()
    tokens = admin.issue_token(auth_app.db, user["username"], [FLOWS_ALL])
    r = auth_app.token(
        {
            "grant_type": "urn:globus:auth:grant_type:dependent_token",
            "token": tokens["access_token"],
        },
        basic(flows_service["client_id"], flows_service["client_secret"]),
    )
    assert r.status_code == 200, r.text
    assert TRANSFER_ALL in {d["scope"] for d in r.json()}
