"""Auth's account routes: the caller's clients and secrets, and an identity's consents."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import requests

import globus_sdk
from globus_local.testing import LocalServer, unique_username


def _bearer(server: LocalServer, username: str) -> dict[str, str]:
    token = server.token(username, "openid")["access_token"]
    return {"Authorization": f"Bearer {token}"}


def _consented_bearer(server: LocalServer, username: str, password: str) -> dict[str, str]:
    """A token from a real login, which records the user's consent to the app."""
    app = server.create_client("native", "Consent check")
    native = globus_sdk.NativeAppAuthClient(app["client_id"])
    native.oauth2_start_flow(requested_scopes="openid")
    redirect = server.login(native.oauth2_get_authorize_url(), username, password)
    code = parse_qs(urlsplit(redirect).query)["code"][0]
    tokens = native.oauth2_exchange_code_for_tokens(code).by_resource_server
    return {"Authorization": f"Bearer {tokens['auth.globus.org']['access_token']}"}


def test_clients_credentials_and_consents(globus_local_server: LocalServer) -> None:
    server = globus_local_server
    base = server.url + "auth/v2/api"
    owner = server.create_user(unique_username("owner"), "pw-owner-123")
    other = server.create_user(unique_username("other"), "pw-other-123")
    mine, theirs = _bearer(server, owner["username"]), _bearer(server, other["username"])

    made = requests.post(
        base + "/clients", json={"client": {"name": "Mine"}}, headers=mine, timeout=30
    ).json()
    client_id = made["client"]["id"]
    listed = requests.get(base + "/clients", headers=mine, timeout=30).json()["clients"]
    assert [c["id"] for c in listed] == [client_id]
    assert requests.get(base + "/clients", headers=theirs, timeout=30).json() == {"clients": []}

    creds = requests.get(f"{base}/clients/{client_id}/credentials", headers=mine, timeout=30)
    (cred,) = creds.json()["credentials"]
    assert "secret" not in cred
    denied = requests.delete(
        f"{base}/clients/{client_id}/credentials/{cred['id']}", headers=theirs, timeout=30
    )
    assert denied.status_code == 403
    gone = requests.delete(
        f"{base}/clients/{client_id}/credentials/{cred['id']}", headers=mine, timeout=30
    )
    assert gone.status_code == 200
    again = requests.delete(
        f"{base}/clients/{client_id}/credentials/{cred['id']}", headers=mine, timeout=30
    )
    assert again.status_code == 404

    mine = _consented_bearer(server, owner["username"], "pw-owner-123")
    consents = requests.get(
        f"{base}/identities/{owner['id']}/consents", headers=mine, timeout=30
    ).json()["consents"]
    assert consents and all(c["effective_identity"] == owner["id"] for c in consents)
    peek = requests.get(f"{base}/identities/{owner['id']}/consents", headers=theirs, timeout=30)
    assert peek.status_code == 403
    missing = requests.delete(f"{base}/identities/{owner['id']}/consents", headers=mine, timeout=30)
    assert missing.status_code == 400
    client = consents[0]["client"]
    withdrawn = requests.delete(
        f"{base}/identities/{owner['id']}/consents",
        params={"client_id": client},
        headers=mine,
        timeout=30,
    )
    assert withdrawn.status_code == 200
    # the token used was one the withdrawn consent led to: it no longer works
    assert requests.get(base + "/clients", headers=mine, timeout=30).status_code == 401
