"""Search fixtures: the environment, an index owner and a fresh index, on a live server.

Every test here runs on SQLite and on PostgreSQL through ``platform_server``; the helpers
are in ``support.py``.
"""

from __future__ import annotations

import pytest

from globus_local.testing import LocalServer

from .support import SearchEnv, User


@pytest.fixture
def env(platform_server: LocalServer) -> SearchEnv:
    return SearchEnv(platform_server)


@pytest.fixture
def owner(env: SearchEnv) -> User:
    return env.user()


@pytest.fixture
def index_id(env: SearchEnv, owner: User) -> str:
    return env.create_index(owner)
