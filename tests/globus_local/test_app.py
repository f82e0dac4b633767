"""The app: its start prepares the schema, its lifespan runs the job workers; and the
platform served in-process by ``globus_local.testing`` (plugin fixtures, both databases)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import typing as t
import uuid
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from sqlalchemy import inspect

from globus_local.app import create_app
from globus_local.config import Settings
from globus_local.db import Base
from globus_local.jobs import SUCCEEDED, JobContext, enqueue, get_job, job_handler
from globus_local.jobs.registry import unregister
from globus_local.testing import LocalServer, unique_username
from tests.support.platform import bearer, pkce_pair
from tests.support.waiting import wait_until


def settings_for(tmp_path: Path, **kw: t.Any) -> Settings:
    return Settings(data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'app.sqlite3'}", **kw)


@contextmanager
def serving(app: t.Any) -> t.Iterator[None]:
    """Run the app's startup and shutdown as a server would, without serving requests."""
    loop = asyncio.new_event_loop()
    lifespan = app.router.lifespan_context(app)
    loop.run_until_complete(lifespan.__aenter__())
    try:
        yield
    finally:
        loop.run_until_complete(lifespan.__aexit__(None, None, None))
        loop.close()


@pytest.fixture
def echo_kind() -> t.Iterator[str]:
    kind = f"test.app.{uuid.uuid4().hex[:8]}"

    @job_handler(kind)
    def _echo(ctx: JobContext) -> dict[str, t.Any]:
        return {"echo": ctx.payload}

    yield kind
    unregister(kind)


def test_start_prepares_the_schema(tmp_path: Path) -> None:
    app = create_app(settings_for(tmp_path))
    names = set(inspect(app.state.db.engine).get_table_names())
    assert "jobs" in names
    assert set(Base.metadata.tables) <= names


def test_lifespan_runs_job_workers(tmp_path: Path, echo_kind: str) -> None:
    app = create_app(settings_for(tmp_path, worker_threads=2))
    db = app.state.db
    with serving(app):
        pool = app.state.worker_pool
        assert pool is not None and pool.running and pool.concurrency == 2
        with db.session() as session:
            job_id = enqueue(session, echo_kind, {"x": 1})

        def succeeded() -> t.Any:
            with db.session() as session:
                job = get_job(session, job_id)
                assert job is not None
                return job if job.state == SUCCEEDED else None

        job = wait_until(succeeded, "the job to run", timeout=60)
        assert job.result == {"echo": {"x": 1}}
    assert not pool.running


def test_workers_can_be_turned_off(tmp_path: Path) -> None:
    for settings in (
        settings_for(tmp_path, run_workers=False),
        settings_for(tmp_path, worker_threads=0),
    ):
        app = create_app(settings)
        with serving(app):
            assert app.state.worker_pool is None


# -- the platform served by globus_local.testing -----------------------------------------------
def test_testing_plugin_import_is_cheap() -> None:
    code = (
        "import sys, globus_local.testing;"
        "print(sorted(m for m in ('fastapi', 'sqlalchemy', 'uvicorn') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


def test_session_server_sets_sdk_environment(globus_local_server: LocalServer) -> None:
    server = globus_local_server
    assert os.environ["GLOBUS_SDK_ENVIRONMENT"] == "local"
    assert os.environ["GLOBUS_LOCAL_URL"] == server.url
    assert os.environ["GLOBUS_SDK_SERVICE_URL_AUTH"] == server.service_url("auth")
    assert server.url == f"http://127.0.0.1:{server.port}/"
    config = requests.get(server.service_url("auth") + ".well-known/openid-configuration").json()
    assert config["issuer"].startswith(server.url)


def test_tests_without_the_server_keep_their_environment() -> None:
    """Runs after the test above started the session server, without using it."""
    import globus_local.testing as plugin

    before = plugin._env_before_server
    if before is None:
        pytest.skip("the session server is not running (test run on its own)")
    for key, value in before.items():
        assert os.environ.get(key) == value


def test_user_fixture_logs_in_through_the_forms(
    globus_local_server: LocalServer, globus_local_user: dict[str, t.Any]
) -> None:
    server = globus_local_server
    redirect = "http://localhost:9/callback"
    client = server.create_client("native", "login test", [redirect])
    _, challenge = pkce_pair()
    query = urlencode(
        {
            "client_id": client["client_id"],
            "redirect_uri": redirect,
            "scope": "openid profile email",
            "response_type": "code",
            "state": "s-123",
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
    )
    final = server.login(
        f"{server.service_url('auth')}v2/oauth2/authorize?{query}",
        globus_local_user["username"],
        globus_local_user["password"],
    )
    assert final.startswith(redirect)
    params = parse_qs(urlsplit(final).query)
    assert params["state"] == ["s-123"] and params["code"][0]


def test_platform_server_serves_tokens_on_each_database(platform_server: LocalServer) -> None:
    username = unique_username()
    user = platform_server.create_user(username)
    tokens = platform_server.token(username, ["openid", "profile", "email"])
    token = tokens["access_token"]
    resp = requests.get(
        platform_server.service_url("auth") + "v2/oauth2/userinfo",
        headers=bearer(token),
    )
    assert resp.status_code == 200, resp.text
    assert resp.json()["sub"] == user["id"]
    assert platform_server.db.dialect in ("sqlite", "postgresql")


def test_retryable_database_failures_are_overload_not_errors() -> None:
    from sqlalchemy.exc import OperationalError
    from sqlalchemy.exc import TimeoutError as PoolTimeout

    from globus_local.app import _is_overload

    class Orig(Exception):
        def __init__(self, sqlstate: str | None) -> None:
            super().__init__("x")
            self.sqlstate = sqlstate

    assert _is_overload(PoolTimeout("pool"))
    assert _is_overload(OperationalError("UPDATE", {}, Orig("40P01")))
    assert _is_overload(OperationalError("UPDATE", {}, Orig("40001")))
    assert _is_overload(OperationalError("UPDATE", {}, Exception("database is locked")))
    assert not _is_overload(OperationalError("UPDATE", {}, Orig("42P01")))
    assert not _is_overload(ValueError("no"))


def test_a_dropped_postgresql_connection_is_answered_503_and_the_pool_recovers(
    postgresql_url: str, tmp_path: t.Any
) -> None:
    """With no ping before checkout, a connection the server dropped fails one request
    (503, Retry-After), and the next request works on a fresh connection. No job workers
    run: one polling the queue could meet the dropped connection first, and its failure
    renews the whole pool before the request is made."""
    import psycopg
    from fastapi.testclient import TestClient

    from globus_local.app import create_app
    from globus_local.config import Settings
    from globus_local.db import Database

    db = Database(postgresql_url)
    settings = Settings(data_dir=tmp_path, database_url=postgresql_url, run_workers=False)
    app = create_app(settings, database=db)
    with TestClient(app) as client:
        url = "/auth/v2/oauth2/userinfo"
        assert client.get(url, headers={"Authorization": "Bearer x"}).status_code == 401
        with psycopg.connect(postgresql_url.replace("+psycopg", ""), autocommit=True) as admin:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        first = client.get(url, headers={"Authorization": "Bearer x"})
        assert first.status_code == 503 and first.headers["retry-after"] == "1"
        assert client.get(url, headers={"Authorization": "Bearer x"}).status_code == 401
    db.dispose()


def test_an_unexpected_error_is_a_500_document_and_the_connection_stays_open(
    globus_local_server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from globus_local.services.transfer import tasks

    username = unique_username()
    globus_local_server.create_user(username)
    token = globus_local_server.token(
        username, ["urn:globus:auth:scope:transfer.api.globus.org:all"]
    )["access_token"]
    url = globus_local_server.service_url("transfer") + "v0.10/submission_id"
    headers = {"Authorization": f"Bearer {token}"}

    def broken() -> str:
        raise RuntimeError("a bug")

    peers = []
    with requests.Session() as http:
        assert http.get(url, headers=headers, timeout=30).status_code == 200
        monkeypatch.setattr(tasks, "new_submission_id", broken)
        for _ in range(2):
            response = http.get(url, headers=headers, timeout=30, stream=True)
            peers.append(response.raw.connection.sock.getsockname())
            assert response.status_code == 500
            assert "unexpected" in response.json()["message"] and response.json()["request_id"]
    assert peers[0] == peers[1]  # the same keep-alive connection answered both
