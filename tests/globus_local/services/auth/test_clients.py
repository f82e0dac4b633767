"""Client registration as globus-cli 3.2 does it, and deletion with the client's own secret."""

from __future__ import annotations

from globus_local.services.auth import admin
from globus_local.services.auth.clients import AUTOMATE_CLI_CLIENT_ID, TEMPLATE_CLIENT_ID
from tests.support.platform import basic

from .support import TRANSFER_ALL, AuthApp


def _register(auth_app: AuthApp, name: str = "Globus CLI") -> dict:  # type: ignore[type-arg]
    r = auth_app.client.post(
        "/auth/v2/api/clients", json={"client": {"template_id": TEMPLATE_CLIENT_ID, "name": name}}
    )
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


def test_register_instance_client_from_template(auth_app: AuthApp) -> None:
    doc = _register(auth_app)
    client = doc["client"]
    assert client["name"] == "Globus CLI" and client["public_client"] is False
    assert client["parent_client"] == TEMPLATE_CLIENT_ID
    assert client["client_type"] == "confidential_client"
    assert client["redirect_uris"] == [] and "client_credentials" in client["grant_types"]
    cred = doc["included"]["client_credential"]
    assert cred["client"] == client["id"] and len(cred["secret"]) >= 40 and cred["id"]
    # The secret works at the token endpoint.
    r = auth_app.token(
        {"grant_type": "client_credentials", "scope": TRANSFER_ALL},
        basic(client["id"], cred["secret"]),
    )
    assert r.status_code == 200
    # And, like globus-cli, it can run an auth-code flow to a loopback redirect.
    user = auth_app.user()
    location = auth_app.login_and_consent(
        user["username"],
        client_id=client["id"],
        redirect_uri="http://localhost:50123",
        scope="openid profile",
        response_type="code",
        prompt="login",
    )
    assert location.startswith("http://localhost:50123?code=")


def test_the_automate_cli_client_is_known_without_registration(auth_app: AuthApp) -> None:
    """globus-automate logs in with its own native client id, as against Globus."""
    user = auth_app.user()
    tokens = auth_app.native_tokens(user["username"], AUTOMATE_CLI_CLIENT_ID, TRANSFER_ALL)
    assert tokens["resource_server"] == "transfer.api.globus.org" and tokens["access_token"]


def test_delete_client_with_its_own_credentials(auth_app: AuthApp) -> None:
    doc = _register(auth_app)
    cid, secret = doc["client"]["id"], doc["included"]["client_credential"]["secret"]
    tokens = auth_app.token(
        {"grant_type": "client_credentials", "scope": TRANSFER_ALL}, basic(cid, secret)
    ).json()
    r = auth_app.client.delete(f"/auth/v2/api/clients/{cid}", headers=basic(cid, "wrong"))
    assert r.status_code == 401
    other = _register(auth_app)
    r = auth_app.client.delete(
        f"/auth/v2/api/clients/{cid}",
        headers=basic(other["client"]["id"], other["included"]["client_credential"]["secret"]),
    )
    assert r.status_code == 403
    r = auth_app.client.delete(f"/auth/v2/api/clients/{cid}", headers=basic(cid, secret))
    assert r.status_code == 200 and r.json()["client"]["id"] == cid
    # Gone: its secret no longer authenticates and its tokens are dead.
    r = auth_app.token(
        {"grant_type": "client_credentials", "scope": TRANSFER_ALL}, basic(cid, secret)
    )
    assert r.status_code == 401
    r = auth_app.client.post(
        "/auth/v2/oauth2/token/introspect",
        data={"token": tokens["access_token"]},
        headers=basic(other["client"]["id"], other["included"]["client_credential"]["secret"]),
    )
    assert r.json() == {"active": False}


def test_registration_errors(auth_app: AuthApp) -> None:
    r = auth_app.client.post("/auth/v2/api/clients", content=b"{not json")
    assert r.status_code == 400 and r.json()["errors"][0]["code"] == "BAD_REQUEST"
    r = auth_app.client.post("/auth/v2/api/clients", json=["x"])
    assert r.status_code == 400
    r = auth_app.client.post(
        "/auth/v2/api/clients", json={"client": {"template_id": TEMPLATE_CLIENT_ID}}
    )
    assert r.status_code == 400
    r = auth_app.client.post(
        "/auth/v2/api/clients",
        json={"client": {"template_id": "11111111-1111-1111-1111-111111111111", "name": "x"}},
    )
    assert r.status_code == 400
    # Without a template, registration needs an authenticated caller.
    r = auth_app.client.post("/auth/v2/api/clients", json={"client": {"name": "mine"}})
    assert r.status_code == 401


def test_authenticated_user_registers_native_client(auth_app: AuthApp) -> None:
    user = auth_app.user()
    tokens = admin.issue_token(auth_app.db, user["username"], ["openid"])
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    r = auth_app.client.post(
        "/auth/v2/api/clients",
        json={
            "client": {"name": "my app", "public_client": True, "redirect_uris": ["https://x/cb"]}
        },
        headers=headers,
    )
    assert r.status_code == 201
    doc = r.json()
    assert doc["client"]["public_client"] is True and "included" not in doc
    cid = doc["client"]["id"]
    r = auth_app.client.get(f"/auth/v2/api/clients/{cid}", headers=headers)
    assert r.status_code == 200 and r.json()["client"]["redirect_uris"] == ["https://x/cb"]
    r = auth_app.client.delete(f"/auth/v2/api/clients/{cid}", headers=headers)
    assert r.status_code == 200
    r = auth_app.client.get(f"/auth/v2/api/clients/{cid}", headers=headers)
    assert r.status_code == 404


def test_unknown_routes_use_auth_error_shape(auth_app: AuthApp) -> None:
    r = auth_app.client.get("/auth/v2/api/nothing-here")
    assert r.status_code == 404
    body = r.json()
    assert (
        body["errors"][0]["code"] == "NOT_FOUND" and body["errors"][0]["id"] == body["request_id"]
    )


def test_client_name_that_cannot_be_stored_is_400(auth_app: AuthApp) -> None:
    """A client name holding a NUL, or longer than its column, was a 500 on PostgreSQL at
    registration and update; now Auth's 400 on every database (found by schemathesis)."""
    doc = _register(auth_app)
    cid, secret = doc["client"]["id"], doc["included"]["client_credential"]["secret"]
    for name in ("a\x00b", "n" * 256):
        spec = {"template_id": TEMPLATE_CLIENT_ID, "name": name}
        r = auth_app.client.post("/auth/v2/api/clients", json={"client": spec})
        assert r.status_code == 400 and r.json()["error"] == "invalid_request", r.text
        r = auth_app.client.put(
            f"/auth/v2/api/clients/{cid}",
            json={"client": {"name": name}},
            headers=basic(cid, secret),
        )
        assert r.status_code == 400 and r.json()["error"] == "invalid_request", r.text
    assert _register(auth_app, " " + "n" * 255 + " ")["client"]["name"] == "n" * 255
