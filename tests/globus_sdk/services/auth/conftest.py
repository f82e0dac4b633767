from __future__ import annotations

import typing as t

import pytest

from tests.globus_sdk.services.auth.live import Keyboard, auth_code_page


@pytest.fixture
def native_app(globus_local_server) -> dict[str, t.Any]:
    """A registered Native App whose redirect is the platform's auth-code page."""
    return globus_local_server.create_client(
        "native", "SDK Tutorial App", [auth_code_page(globus_local_server)]
    )


@pytest.fixture
def confidential_app(globus_local_server) -> dict[str, t.Any]:
    return globus_local_server.create_client(
        "confidential", "SDK Confidential App", ["http://localhost:5000/login"]
    )


@pytest.fixture
def keyboard(
    monkeypatch: pytest.MonkeyPatch, capsys, globus_local_server, globus_local_user
) -> Keyboard:
    kb = Keyboard(globus_local_server, globus_local_user, capsys)
    monkeypatch.setattr("builtins.input", kb.input)
    return kb
