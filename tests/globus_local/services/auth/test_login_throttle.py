"""Login throttling: failures per account and per client address slow guessing, never for long."""

from __future__ import annotations

import time
import typing as t
from types import SimpleNamespace

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from globus_local.app import create_app
from globus_local.services.auth import login_throttle
from globus_local.services.auth.browser import parse_forms
from globus_local.services.auth.login_throttle import (
    ACCOUNT_FREE_FAILURES,
    ADDRESS_FREE_FAILURES,
    FORGET_AFTER,
    MAX_DELAY,
    account_key,
    delay_after,
    verify_login,
)
from globus_local.services.auth.models import LoginThrottle
from globus_local.services.auth.purge import purge
from tests.support.platform import pkce_pair

from .support import AUTH_CODE_PAGE, PASSWORD, ROOT, AuthApp

THROTTLED = "Too many failed sign-in attempts"


def _login_page(auth_app: AuthApp, client: TestClient | None = None) -> t.Any:
    native = auth_app.native_client()
    _, challenge = pkce_pair()
    params = {
        "client_id": native["client_id"],
        "redirect_uri": AUTH_CODE_PAGE,
        "scope": "openid",
        "response_type": "code",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        "prompt": "login",  # the login form even for a browser already logged in
    }
    http = client or auth_app.client
    page = http.get("/auth/v2/oauth2/authorize", params=params)
    assert page.status_code == 200 and "login-form" in page.text
    return page


def _attempt(auth_app: AuthApp, page: t.Any, username: str, password: str) -> t.Any:
    return auth_app.submit(page, "login-form", username=username, password=password)


def _count_hashing(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []
    real = login_throttle.verify_password

    def counting(password: str, stored: str | None) -> bool:
        calls.append(password)
        return real(password, stored)

    monkeypatch.setattr(login_throttle, "verify_password", counting)
    return calls


def _freeze_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Stop the throttle's clock, so no block runs out in the middle of a test."""
    frozen = float(int(time.time()))
    monkeypatch.setattr(login_throttle, "time", SimpleNamespace(time=lambda: frozen))


def _unblock(auth_app: AuthApp) -> None:
    """What waiting out every block does (without forgetting the counts)."""
    with auth_app.db.session() as s:
        s.execute(update(LoginThrottle).values(blocked_until=0))


def test_a_burst_of_wrong_passwords_is_refused_with_retry_after(
    auth_app: AuthApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = auth_app.user()
    hashed = _count_hashing(monkeypatch)
    _freeze_clock(monkeypatch)
    page = _login_page(auth_app)
    statuses = []
    for n in range(40):
        page = _attempt(auth_app, page, user["username"], f"guess-{n}")
        statuses.append(page.status_code)
    # The free failures are answered; the one past them starts a block that refuses the rest.
    free = ACCOUNT_FREE_FAILURES
    assert statuses == [401] * free + [429] * (40 - free)
    assert len(hashed) == free + 1  # refused attempts hash nothing
    assert THROTTLED in page.text and "login-form" in page.text
    assert 1 <= int(page.headers["Retry-After"]) <= MAX_DELAY
    # While blocked even the right password is refused, and not checked.
    before = len(hashed)
    page = _attempt(auth_app, page, user["username"], PASSWORD)
    assert page.status_code == 429 and THROTTLED in page.text
    assert len(hashed) == before


def test_the_real_user_gets_in_once_the_delay_passes_and_the_count_resets(
    auth_app: AuthApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    _freeze_clock(monkeypatch)
    user = auth_app.user()
    page = _login_page(auth_app)
    for n in range(ACCOUNT_FREE_FAILURES + 1):
        page = _attempt(auth_app, page, user["username"], f"typo-{n}")
    assert page.status_code == 429 and page.headers["Retry-After"] == "1"
    _unblock(auth_app)
    page = _attempt(auth_app, page, user["username"], PASSWORD)
    assert page.status_code in (200, 302), page.text  # consent page or redirect: logged in
    with auth_app.db.session() as s:
        assert s.get(LoginThrottle, account_key(user["username"])) is None
    # A fresh count: the next typo is an ordinary error, not a block.
    page = _attempt(auth_app, _login_page(auth_app), user["username"], "typo-again")
    assert page.status_code == 401 and "Invalid username or password" in page.text


def test_the_count_is_shared_by_every_process_on_the_database(
    auth_app: AuthApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    _freeze_clock(monkeypatch)
    user = auth_app.user()
    page = _login_page(auth_app)
    for n in range(ACCOUNT_FREE_FAILURES + 1):
        page = _attempt(auth_app, page, user["username"], f"guess-{n}")
    other = create_app(auth_app.settings)  # a second server process on the same database
    http = TestClient(other, base_url=ROOT)
    try:
        page = _login_page(auth_app, http)
        form = {f["id"]: f for f in parse_forms(page.text)}["login-form"]
        r = http.post(
            form["action"],
            data={**form["fields"], "username": user["username"], "password": PASSWORD},
            follow_redirects=False,
        )
    finally:
        http.close()
        other.state.db.dispose()
    assert r.status_code == 429 and "Retry-After" in r.headers


def test_delays_double_and_are_capped() -> None:
    free = ACCOUNT_FREE_FAILURES
    delays = [delay_after(n, free) for n in range(1, free + 40)]
    assert delays[:free] == [0] * free
    assert delays[free : free + 4] == [1, 2, 4, 8]
    assert max(delays) == MAX_DELAY and delays[-1] == MAX_DELAY
    assert delays == sorted(delays)


def test_an_address_spraying_many_accounts_is_throttled(auth_app: AuthApp) -> None:
    per_user = ACCOUNT_FREE_FAILURES - 1  # never enough to block any one account
    users = [auth_app.user() for _ in range(-(-ADDRESS_FREE_FAILURES // per_user))]
    now = 1_000_000
    with auth_app.db.session() as s:
        for n in range(ADDRESS_FREE_FAILURES):
            username = users[n // per_user]["username"]
            check = verify_login(s, username, "spray", "203.0.113.7", now=now)
            assert check.identity is None and check.retry_after == 0, n
        # Over the address's allowance: blocked, whichever account is tried.
        check = verify_login(s, users[0]["username"], "spray", "203.0.113.7", now=now)
        assert check.retry_after == 1
        check = verify_login(s, users[1]["username"], PASSWORD, "203.0.113.7", now=now)
        assert check.identity is None and check.retry_after == 1
        # Another address is not affected.
        check = verify_login(s, users[1]["username"], PASSWORD, "198.51.100.2", now=now)
        assert check.identity is not None


def test_unknown_usernames_are_throttled_like_known_ones(auth_app: AuthApp) -> None:
    with auth_app.db.session() as s:
        for n in range(ACCOUNT_FREE_FAILURES):
            assert (
                verify_login(s, "nobody@example.org", "x", f"192.0.2.{n}", now=10).retry_after == 0
            )
        check = verify_login(s, "Nobody@Example.org", "x", "192.0.2.99", now=10)
        assert check.retry_after == 1
        stored = s.scalars(select(LoginThrottle.key_hash)).all()
    assert all("nobody" not in key for key in stored)  # only hashes are kept


def test_a_quiet_spell_forgets_the_failures(auth_app: AuthApp) -> None:
    user = auth_app.user()
    with auth_app.db.session() as s:
        for n in range(ACCOUNT_FREE_FAILURES):
            verify_login(s, user["username"], "x", "192.0.2.1", now=100 + n)
        later = 100 + ACCOUNT_FREE_FAILURES + FORGET_AFTER
        assert verify_login(s, user["username"], "x", "192.0.2.1", now=later).retry_after == 0
        row = s.get(LoginThrottle, account_key(user["username"]))
        assert row is not None and row.failures == 1
    assert purge(auth_app.db, now=later + FORGET_AFTER - 1)["login_throttle"] == 0
    assert purge(auth_app.db, now=later + FORGET_AFTER + 1)["login_throttle"] == 2
    with auth_app.db.session() as s:
        assert s.scalars(select(LoginThrottle)).all() == []
