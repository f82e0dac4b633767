"""The recurring purge: expired and revoked tokens, spent codes, ended logins and old failed-login
counts go; everything still of use stays; a server start keeps the job queued."""

from __future__ import annotations

import datetime as dt
import time
import typing as t
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from globus_local.db import Database, utcnow
from globus_local.jobs import PENDING, Job, recurring
from globus_local.services.auth import admin, login_throttle, purge
from globus_local.services.auth.models import (
    AuthorizationCode,
    LoginSession,
    LoginThrottle,
    Token,
)
from globus_local.services.auth.tokens import CODE_LIFETIME, lookup_token
from globus_local.testing import LocalServer
from tests.support.waiting import wait_until

from .support import AuthApp

NOW = int(time.time())
LONG_AGO = NOW - 30 * 24 * 3600


def _tokens(auth_app: AuthApp, username: str) -> dict[str, str]:
    """A fresh access and refresh token pair: ``{"access": value, "refresh": value}``."""
    doc = admin.issue_token(auth_app.db, username, ["openid"])
    return {"access": doc["access_token"], "refresh": doc["refresh_token"]}


def _set(db: Database, value: str, **values: t.Any) -> None:
    with db.session() as s:
        row = lookup_token(s, value)
        assert row is not None
        s.execute(update(Token).where(Token.token_hash == row.token_hash).values(**values))


def _exists(db: Database, value: str) -> bool:
    with db.session() as s:
        return lookup_token(s, value) is not None


def _count(db: Database, model: type[t.Any]) -> int:
    with db.session() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def test_purge_drops_what_is_spent_and_keeps_what_is_live(auth_app: AuthApp) -> None:
    user = auth_app.user()
    db = auth_app.db
    live, long_expired, just_expired, revoked = (
        _tokens(auth_app, user["username"]) for _ in "1234"
    )
    _set(db, long_expired["access"], expires_at=NOW - purge.TOKEN_GRACE - 1)
    _set(db, just_expired["access"], expires_at=NOW - 1)  # within the grace: kept
    admin.revoke_token(db, revoked["refresh"])  # revokes its access token too
    # A login through the pages leaves a login session and a spent code.
    native = auth_app.native_client()
    auth_app.native_tokens(user["username"], native["client_id"])
    with db.session() as s:
        s.execute(update(AuthorizationCode).values(expires_at=NOW - CODE_LIFETIME - 1))
        s.execute(update(LoginSession).values(expires_at=NOW - 1))
    # Failed logins: one count forgotten long ago, one recent.
    with db.session() as s:
        login_throttle.verify_login(s, "old@example.org", "x", "192.0.2.1", now=LONG_AGO)
        login_throttle.verify_login(s, "new@example.org", "x", "192.0.2.1", now=NOW)

    counts = purge.purge(db, now=NOW)

    assert counts == {
        "tokens": 3,  # the long-expired access token, the revoked pair
        "authorization_codes": 1,
        "login_sessions": 1,
        "login_throttle": 1,  # the old account's count (the address failed recently)
    }
    assert not _exists(db, long_expired["access"])
    assert not _exists(db, revoked["access"]) and not _exists(db, revoked["refresh"])
    for kept in (live["access"], live["refresh"], just_expired["access"]):
        assert _exists(db, kept)
    # Refresh tokens do not expire: the long-expired access token's refresh token stays.
    assert _exists(db, long_expired["refresh"]) and _exists(db, just_expired["refresh"])
    assert _count(db, AuthorizationCode) == 0 and _count(db, LoginSession) == 0
    with db.session() as s:
        assert s.get(LoginThrottle, login_throttle.account_key("new@example.org")) is not None
    # The live tokens still work.
    r = auth_app.client.get(
        "/auth/v2/oauth2/userinfo", headers={"Authorization": f"Bearer {live['access']}"}
    )
    assert r.status_code == 200
    assert purge.purge(db, now=NOW) == dict.fromkeys(counts, 0)


def test_codes_still_detect_replay_until_a_lifetime_past_expiry(auth_app: AuthApp) -> None:
    user = auth_app.user()
    native = auth_app.native_client()
    auth_app.native_tokens(user["username"], native["client_id"])
    with auth_app.db.session() as s:
        s.execute(update(AuthorizationCode).values(expires_at=NOW - 1))
    assert purge.purge(auth_app.db, now=NOW)["authorization_codes"] == 0
    assert purge.purge(auth_app.db, now=NOW + CODE_LIFETIME)["authorization_codes"] == 1


def test_purge_works_in_batches_and_keeps_its_lease(
    auth_app: AuthApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(purge, "BATCH", 2)
    user = auth_app.user()
    for _ in range(5):
        admin.revoke_token(auth_app.db, _tokens(auth_app, user["username"])["refresh"])
    beats: list[float] = []
    counts = purge.purge(auth_app.db, now=NOW, heartbeat=lambda: beats.append(time.monotonic()))
    assert counts["tokens"] == 10  # five revoked refresh tokens and their access tokens
    assert len(beats) >= 5 + 3  # one per batch: five for the tokens, one per other table
    assert _count(auth_app.db, Token) == 0


@pytest.mark.live
def test_a_server_start_queues_the_purge_and_its_workers_run_it(tmp_path: Path) -> None:
    with LocalServer(data_dir=tmp_path) as server:
        job_id = recurring.job_id(purge.JOB_KIND)
        with server.db.session() as s:
            job = s.get(Job, job_id)
            assert job is not None and job.state == PENDING
            assert (job.run_after - utcnow()).total_seconds() > purge.PURGE_EVERY - 60
        user = server.create_user("purged@example.org")
        tokens = admin.issue_token(server.db, user["username"], ["openid"])
        admin.revoke_token(server.db, tokens["refresh_token"])
        with server.db.session() as s:  # an hour goes by
            s.execute(
                update(Job)
                .where(Job.id == job_id)
                .values(run_after=utcnow() - dt.timedelta(seconds=1))
            )

        def finished() -> Job | None:
            with server.db.session() as s:
                job = s.get(Job, job_id)
                assert job is not None
                return job if job.finished_at is not None else None

        job = wait_until(finished, "the purge to run", timeout=60, every=0.1)
        assert job.result is not None and job.result["tokens"] == 2
        assert job.state == PENDING and job.error is None
        assert (job.run_after - utcnow()).total_seconds() > purge.PURGE_EVERY - 60
        assert not _exists(server.db, tokens["access_token"])
    # Started again on the same data: still one queued run, where it was.
    with LocalServer(data_dir=tmp_path) as server, server.db.session() as s:
        jobs = s.scalars(select(Job).where(Job.kind == purge.JOB_KIND)).all()
        assert [(j.id, j.run_after) for j in jobs] == [(job_id, job.run_after)]
