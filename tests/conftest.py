from __future__ import annotations

import os
import typing as t

import pytest

from tests.support.http_stub import HTTPStub


@pytest.fixture
def http_stub() -> t.Iterator[HTTPStub]:
    """A scripted HTTP server on loopback, for SDK behaviour no real service provokes on demand."""
    stub = HTTPStub().start()
    try:
        yield stub
    finally:
        stub.stop()


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
