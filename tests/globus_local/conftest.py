"""Platform fixtures: throwaway PostgreSQL databases and a server on each supported database.

PostgreSQL is taken from ``GLOBUS_LOCAL_TEST_POSTGRESQL`` (default
postgresql://postgres@127.0.0.1:5432/test); each session makes its own randomly named
databases there and drops them at the end. Tests needing it are skipped, saying why, only
when no server answers. A parameter that reaches a server (PostgreSQL, S3) carries the
``live`` marker, so ``-m "not live"`` keeps the SQLite and in-memory variants.
"""

from __future__ import annotations

import os
import secrets
import typing as t
from pathlib import Path

import pytest

from globus_local.testing import LocalServer
from tests.globus_local.storage.moto_support import moto_s3

DEFAULT_POSTGRESQL = "postgresql://postgres@127.0.0.1:5432/test"
#: the database backends every database-parametrized fixture runs on
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.live)]


class PostgresDatabases:
    """Creates fresh databases on one PostgreSQL server; drops them all on :meth:`close`."""

    def __init__(self, admin_url: str) -> None:
        import psycopg

        self.admin_url = admin_url
        self._psycopg = psycopg
        self._created: list[str] = []
        # Fails fast (OperationalError) when no server answers.
        with psycopg.connect(admin_url, connect_timeout=3, autocommit=True):
            pass

    def create(self) -> str:
        """A new empty database; returns its URL."""
        from sqlalchemy.engine import make_url

        name = f"globus_local_test_{secrets.token_hex(6)}"
        with self._psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        self._created.append(name)
        return make_url(self.admin_url).set(database=name).render_as_string(hide_password=False)

    def close(self) -> None:
        with self._psycopg.connect(self.admin_url, autocommit=True) as conn:
            for name in self._created:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self._created.clear()


@pytest.fixture(scope="session")
def postgresql_databases() -> t.Iterator[PostgresDatabases]:
    url = os.environ.get("GLOBUS_LOCAL_TEST_POSTGRESQL", DEFAULT_POSTGRESQL)
    try:
        databases = PostgresDatabases(url)
    except Exception as exc:  # psycopg.OperationalError, missing driver...
        pytest.skip(f"no PostgreSQL server answers at {url} ({type(exc).__name__}: {exc})")
    try:
        yield databases
    finally:
        databases.close()


@pytest.fixture(scope="session")
def postgresql_url(postgresql_databases: PostgresDatabases) -> str:
    """One fresh PostgreSQL database shared by the session."""
    return postgresql_databases.create()


@pytest.fixture(scope="module")
def module_postgresql_url(postgresql_databases: PostgresDatabases) -> str:
    """A fresh PostgreSQL database for one test module.

    Separate from the one ``platform_server`` uses, whose job workers (in this same process,
    so with every handler a test registers) would otherwise take the module's jobs.
    """
    return postgresql_databases.create()


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database URL on each backend: a fresh SQLite file, or the module's PostgreSQL database."""
    if request.param == "postgresql":
        return t.cast(str, request.getfixturevalue("module_postgresql_url"))
    return f"sqlite:///{tmp_path / 'test.sqlite3'}"


@pytest.fixture(params=BACKENDS)
def own_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh database of the test's own, which no server (nor its in-process job workers)
    of another test uses: a SQLite file, or a new PostgreSQL database."""
    if request.param == "postgresql":
        return t.cast(str, request.getfixturevalue("postgresql_databases").create())
    return f"sqlite:///{tmp_path / 'own.sqlite3'}"


@pytest.fixture(scope="module")
def s3_bucket_factory() -> t.Iterator[t.Callable[[], tuple[str, dict[str, t.Any]]]]:
    """``new_bucket() -> (s3 URL of a fresh bucket prefix, fsspec storage options)`` on a
    local S3 server (moto) for the module."""
    with moto_s3() as factory:
        yield factory


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def platform_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> t.Iterator[LocalServer]:
    """The whole platform over HTTP, once on SQLite and once on PostgreSQL, for the session."""
    database_url = None
    if request.param == "postgresql":
        database_url = request.getfixturevalue("postgresql_url")
    server = LocalServer(
        data_dir=tmp_path_factory.mktemp(f"platform-{request.param}"), database_url=database_url
    ).start()
    try:
        yield server
    finally:
        server.stop()
