"""Auth test fixtures: the real platform app on SQLite and on PostgreSQL, driven in-process.

``auth_app`` builds the app on a fresh database per test (a SQLite file in tmp_path, or a
freshly created PostgreSQL database); the helpers are in ``support.py``.
"""

from __future__ import annotations

import typing as t
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from globus_local.app import create_app
from globus_local.config import Settings

from .support import ROOT, AuthApp


@pytest.fixture(scope="session")
def key_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One data dir for the session, so the RSA signing key is generated once."""
    return tmp_path_factory.mktemp("auth-data")


@pytest.fixture
def auth_app(own_database_url: str, key_dir: Path) -> t.Iterator[AuthApp]:
    settings = Settings(data_dir=key_dir, database_url=own_database_url)
    app = create_app(settings)
    client = TestClient(app, base_url=ROOT)
    try:
        yield AuthApp(app, settings, app.state.db, client)
    finally:
        client.close()
        app.state.db.dispose()
