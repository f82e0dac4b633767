"""The browser flow: login page, CSRF, consent (remembered), redirects and error pages."""

from __future__ import annotations

from sqlalchemy import select

from globus_local.services.auth.hashing import sha256_hex
from globus_local.services.auth.models import LoginSession
from globus_local.services.auth.web_session import SESSION_COOKIE
from tests.support.platform import pkce_pair, query_of

from .support import AUTH_CODE_PAGE, DEFAULT_SCOPES, PASSWORD, AuthApp

CALLBACK = "https://app.example.org/callback"


def _params(client_id: str, **extra: str) -> dict[str, str]:
    return {
        "client_id": client_id,
        "redirect_uri": CALLBACK,
        "scope": DEFAULT_SCOPES,
        "response_type": "code",
        **extra,
    }


def test_login_consent_redirect_with_code_and_default_state(auth_app: AuthApp) -> None:
    user = auth_app.user()
    client = auth_app.confidential_client()
    page = auth_app.authorize(**_params(client["client_id"]))
    assert page.status_code == 200
    assert "login-form" in page.text and "Test portal" in page.text
    consent = auth_app.submit(page, "login-form", username=user["username"], password=PASSWORD)
    assert consent.status_code == 200 and "consent-form" in consent.text
    assert "urn:globus:auth:scope:transfer.api.globus.org:all" in consent.text
    done = auth_app.submit(consent, "consent-form", decision="allow")
    assert done.status_code == 302
    location = done.headers["location"]
    assert location.startswith(CALLBACK + "?")
    q = query_of(location)
    assert q["state"] == "_default" and len(q["code"]) >= 40


def test_state_is_echoed(auth_app: AuthApp) -> None:
    user = auth_app.user()
    client = auth_app.confidential_client()
    location = auth_app.login_and_consent(
        user["username"], **_params(client["client_id"], state="xyz 123")
    )
    assert query_of(location)["state"] == "xyz 123"


def test_wrong_password_shows_login_again(auth_app: AuthApp) -> None:
    user = auth_app.user()
    client = auth_app.confidential_client()
    page = auth_app.authorize(**_params(client["client_id"]))
    again = auth_app.submit(page, "login-form", username=user["username"], password="nope")
    assert again.status_code == 401
    assert "login-form" in again.text and "Invalid username or password" in again.text
    assert SESSION_COOKIE not in again.cookies
    unknown = auth_app.submit(page, "login-form", username="nobody@example.org", password="x")
    assert unknown.status_code == 401


def test_login_without_csrf_token_is_rejected(auth_app: AuthApp) -> None:
    user = auth_app.user()
    client = auth_app.confidential_client()
    page = auth_app.authorize(**_params(client["client_id"]))
    r = auth_app.submit(
        page, "login-form", username=user["username"], password=PASSWORD, csrf_token=""
    )
    assert r.status_code == 400 and "CSRF" in r.text
    forged = auth_app.submit(
        page, "login-form", username=user["username"], password=PASSWORD, csrf_token="ab" * 32
    )
    assert forged.status_code == 400
    # The token is bound to the browser's cookie: another browser cannot replay it.
    auth_app.client.cookies.clear()
    r = auth_app.submit(page, "login-form", username=user["username"], password=PASSWORD)
    assert r.status_code == 400


def test_consent_without_csrf_token_is_rejected(auth_app: AuthApp) -> None:
    user = auth_app.user()
    client = auth_app.confidential_client()
    page = auth_app.authorize(**_params(client["client_id"]))
    consent = auth_app.submit(page, "login-form", username=user["username"], password=PASSWORD)
    r = auth_app.submit(consent, "consent-form", decision="allow", csrf_token="")
    assert r.status_code == 400 and "location" not in r.headers


def test_decline_redirects_access_denied(auth_app: AuthApp) -> None:
    user = auth_app.user()
    client = auth_app.confidential_client()
    page = auth_app.authorize(**_params(client["client_id"], state="s1"))
    consent = auth_app.submit(page, "login-form", username=user["username"], password=PASSWORD)
    r = auth_app.submit(consent, "consent-form", decision="deny")
    assert r.status_code == 302
    q = query_of(r.headers["location"])
    assert q["error"] == "access_denied" and q["state"] == "s1" and "code" not in q


def test_unknown_client_is_an_error_page_not_a_redirect(auth_app: AuthApp) -> None:
    r = auth_app.authorize(**_params("00000000-0000-0000-0000-000000000000"))
    assert r.status_code == 400 and "location" not in r.headers
    assert "Unknown client" in r.text
    r = auth_app.authorize(**_params("not-a-uuid"))
    assert r.status_code == 400 and "location" not in r.headers


def test_unregistered_redirect_uri_is_an_error_page(auth_app: AuthApp) -> None:
    client = auth_app.confidential_client()
    r = auth_app.authorize(**_params(client["client_id"], redirect_uri="https://evil.example/cb"))
    assert r.status_code == 400 and "location" not in r.headers
    # Confidential clients may not use loopback URIs they did not register.
    r = auth_app.authorize(**_params(client["client_id"], redirect_uri="http://localhost:9999"))
    assert r.status_code == 400
    r = auth_app.authorize(**_params(client["client_id"], redirect_uri=""))
    assert r.status_code == 400


def test_native_client_needs_pkce(auth_app: AuthApp) -> None:
    client = auth_app.native_client()
    r = auth_app.authorize(**_params(client["client_id"], redirect_uri=AUTH_CODE_PAGE))
    assert r.status_code == 302
    q = query_of(r.headers["location"])
    assert q["error"] == "invalid_request"
    _, challenge = pkce_pair()
    r = auth_app.authorize(
        **_params(
            client["client_id"],
            redirect_uri=AUTH_CODE_PAGE,
            code_challenge=challenge,
            code_challenge_method="plain",
        )
    )
    assert query_of(r.headers["location"])["error"] == "invalid_request"


def test_native_client_may_use_loopback_redirect(auth_app: AuthApp) -> None:
    user = auth_app.user()
    client = auth_app.native_client()
    _, challenge = pkce_pair()
    location = auth_app.login_and_consent(
        user["username"],
        **_params(
            client["client_id"],
            redirect_uri="http://localhost:43123",
            code_challenge=challenge,
            code_challenge_method="S256",
        ),
    )
    assert location.startswith("http://localhost:43123?code=")


def test_unknown_scope_redirects_invalid_scope(auth_app: AuthApp) -> None:
    client = auth_app.confidential_client()
    r = auth_app.authorize(**_params(client["client_id"], scope="openid urn:nope:nothing"))
    assert r.status_code == 302
    assert query_of(r.headers["location"])["error"] == "invalid_scope"
    r = auth_app.authorize(**_params(client["client_id"], response_type="token"))
    assert query_of(r.headers["location"])["error"] == "unsupported_response_type"


def test_consent_is_remembered_for_same_or_fewer_scopes(auth_app: AuthApp) -> None:
    user = auth_app.user()
    client = auth_app.confidential_client()
    auth_app.login_and_consent(user["username"], **_params(client["client_id"]))
    # Logged in and consented: straight back to the client.
    r = auth_app.authorize(**_params(client["client_id"]))
    assert r.status_code == 302 and "code" in query_of(r.headers["location"])
    r = auth_app.authorize(**_params(client["client_id"], scope="openid"))
    assert r.status_code == 302 and "code" in query_of(r.headers["location"])
    # More scopes: ask again.
    r = auth_app.authorize(
        **_params(
            client["client_id"],
            scope=DEFAULT_SCOPES + " urn:globus:auth:scope:groups.api.globus.org:all",
        )
    )
    assert r.status_code == 200 and "consent-form" in r.text
    assert "groups.api.globus.org" in r.text


def test_consent_is_per_client(auth_app: AuthApp) -> None:
    user = auth_app.user()
    first, second = auth_app.confidential_client(), auth_app.confidential_client()
    auth_app.login_and_consent(user["username"], **_params(first["client_id"]))
    r = auth_app.authorize(**_params(second["client_id"]))
    assert r.status_code == 200 and "consent-form" in r.text


def test_prompt_login_asks_again(auth_app: AuthApp) -> None:
    user = auth_app.user()
    client = auth_app.confidential_client()
    auth_app.login_and_consent(user["username"], **_params(client["client_id"]))
    r = auth_app.authorize(**_params(client["client_id"], prompt="login"))
    assert r.status_code == 200 and "login-form" in r.text
    # After logging in again the remembered consent applies.
    done = auth_app.submit(r, "login-form", username=user["username"], password=PASSWORD)
    assert done.status_code == 302 and "code" in query_of(done.headers["location"])


def test_session_cookie_is_stored_hashed(auth_app: AuthApp) -> None:
    user = auth_app.user()
    client = auth_app.confidential_client()
    auth_app.login_and_consent(user["username"], **_params(client["client_id"]))
    cookie = auth_app.client.cookies.get(SESSION_COOKIE)
    assert cookie
    with auth_app.db.session() as s:
        rows = s.scalars(select(LoginSession)).all()
        assert [r.cookie_hash for r in rows] == [sha256_hex(cookie)]
        assert all(cookie not in (r.cookie_hash, r.id) for r in rows)


def test_logout_ends_the_session(auth_app: AuthApp) -> None:
    user = auth_app.user()
    client = auth_app.confidential_client()
    auth_app.login_and_consent(user["username"], **_params(client["client_id"]))
    r = auth_app.client.post("/auth/v2/web/logout")
    assert r.status_code == 200
    r = auth_app.authorize(**_params(client["client_id"]))
    assert r.status_code == 200 and "login-form" in r.text


def test_auth_code_page_shows_the_code(auth_app: AuthApp) -> None:
    r = auth_app.client.get(
        "/auth/v2/web/auth-code", params={"code": "abc<def>", "state": "_default"}
    )
    assert r.status_code == 200
    assert "abc&lt;def&gt;" in r.text and "<def>" not in r.text
    r = auth_app.client.get("/auth/v2/web/auth-code", params={"error": "access_denied"})
    assert "access_denied" in r.text


def test_native_flow_lands_on_auth_code_page(auth_app: AuthApp) -> None:
    user = auth_app.user()
    client = auth_app.native_client()
    code, _ = auth_app.native_code(user["username"], client["client_id"])
    page = auth_app.client.get("/auth/v2/web/auth-code", params={"code": code})
    assert code in page.text
