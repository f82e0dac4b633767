from __future__ import annotations

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
