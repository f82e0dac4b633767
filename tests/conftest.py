"""Fixtures every test folder may use, and the ``live`` marker.

A test is ``live`` when it starts a server or talks to a database server: it uses one of
``LIVE_FIXTURES`` (directly or through other fixtures), runs on a fixture's PostgreSQL or
S3 parameter (marked where the parameter is declared), or is marked ``live`` itself
because it starts a process of its own. Everything else is a unit test:
``pytest -m "not live"`` runs those alone.
"""

from __future__ import annotations

import os
import typing as t

import pytest

from tests.support.http_stub import HTTPStub

#: fixtures that start the platform or another server, or reach the PostgreSQL server
LIVE_FIXTURES = frozenset(
    {
        "globus_local_server",  # the plugin's session server (globus_local.testing)
        "platform_server",
        "postgresql_databases",
        "s3_bucket_factory",  # a local S3 server
        "compat_python",  # the real SDK and CLI, run against a live server
    }
)
#: modules whose tests start `globus-local` processes without a fixture saying so
LIVE_MODULES = frozenset({"tests/globus_local/services/transfer/test_worker_kill.py"})


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    root = config.rootpath
    for item in items:
        module = item.path.relative_to(root).as_posix() if item.path.is_relative_to(root) else ""
        if LIVE_FIXTURES.intersection(getattr(item, "fixturenames", ())) or module in LIVE_MODULES:
            item.add_marker(pytest.mark.live)


def pytest_collection_finish(session: pytest.Session) -> None:
    """When real clients' tests were collected, start building their venvs at once."""
    if any(item.get_closest_marker("compat") for item in session.items):
        from tests.compat.venv import build_in_background

        build_in_background()


@pytest.fixture
def http_stub() -> t.Iterator[HTTPStub]:
    """A scripted HTTP server on loopback, for SDK behaviour no real service provokes on demand."""
    with HTTPStub() as stub:
        yield stub


@pytest.fixture(scope="module")
def module_http_stub() -> t.Iterator[HTTPStub]:
    """One scripted HTTP server for a whole module, where starting one per test costs too much;
    its tests re-script the routes they use."""
    with HTTPStub() as stub:
        yield stub


@pytest.fixture
def no_sleep(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Patch the transport's sleep so retry tests run fast; returns the recorded delays."""
    delays: list[float] = []
    import globus_sdk.transport.requests as transport_module

    monkeypatch.setattr(transport_module.time, "sleep", delays.append)
    return delays


@pytest.fixture
def clean_sdk_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Start from no SDK configuration, whatever a session-wide server fixture exported."""
    for var in list(os.environ):
        if var.startswith(("GLOBUS_SDK_", "GLOBUS_LOCAL_")):
            monkeypatch.delenv(var)
