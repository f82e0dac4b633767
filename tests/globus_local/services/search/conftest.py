"""Search fixtures: the environment, an index owner and a fresh index, on a live server.

Every test here runs on each search engine through ``platform_server``: SQLite answered
from the tantivy copies (the default), SQLite answered by SQL alone, and PostgreSQL. The
helpers are in ``support.py``.
"""

from __future__ import annotations

import typing as t

import pytest

from globus_local.services.search.backends.select import use_engine
from globus_local.testing import LocalServer

from .support import SearchEnv, User

ENGINES = ["sqlite", "sqlite-sql", pytest.param("postgresql", marks=pytest.mark.live)]


@pytest.fixture(scope="session", params=ENGINES)
def platform_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> t.Iterator[LocalServer]:
    """The platform over HTTP on each search engine, for the session."""
    database_url = None
    if request.param == "postgresql":
        database_url = request.getfixturevalue("postgresql_url")
    server = LocalServer(
        data_dir=tmp_path_factory.mktemp(f"search-{request.param}"), database_url=database_url
    ).start()
    if request.param == "sqlite-sql":
        use_engine(server.db, "sql")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def env(platform_server: LocalServer) -> SearchEnv:
    return SearchEnv(platform_server)


@pytest.fixture
def owner(env: SearchEnv) -> User:
    return env.user()


@pytest.fixture
def index_id(env: SearchEnv, owner: User) -> str:
    return env.create_index(owner)
