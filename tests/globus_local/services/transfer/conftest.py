"""Transfer fixtures: users with Transfer tokens talking raw HTTP to a live server, and
endpoints on real directories. The helpers are in ``support.py``."""

from __future__ import annotations

import secrets
import typing as t
from pathlib import Path

import pytest

from globus_local.testing import LocalServer

from .support import MakeEndpoint, TransferUser, transfer_user_factory


@pytest.fixture
def transfer_server(platform_server: LocalServer) -> LocalServer:
    return platform_server


@pytest.fixture
def make_user(transfer_server: LocalServer) -> t.Callable[..., TransferUser]:
    """Fresh users with a Transfer token (once on SQLite, once on PostgreSQL)."""
    return transfer_user_factory(transfer_server)


@pytest.fixture
def alice(make_user: t.Callable[..., TransferUser]) -> TransferUser:
    return make_user("alice")


@pytest.fixture
def bob(make_user: t.Callable[..., TransferUser]) -> TransferUser:
    return make_user("bob")


@pytest.fixture
def make_endpoint(transfer_server: LocalServer, tmp_path: Path) -> MakeEndpoint:
    """``make_endpoint(user, name="ep")`` → (endpoint id, its root directory)."""
    from globus_local.services.transfer.admin import create_endpoint

    def make(user: TransferUser, name: str = "ep", root: Path | None = None) -> tuple[str, Path]:
        directory = root or tmp_path / f"{name}-{secrets.token_hex(3)}"
        directory.mkdir(parents=True, exist_ok=True)
        doc = create_endpoint(transfer_server.db, user.username, name, str(directory))
        return doc["id"], directory

    return make


@pytest.fixture
def alice_endpoint(alice: TransferUser, make_endpoint: MakeEndpoint) -> tuple[str, Path]:
    """Alice's endpoint on a directory holding a few files."""
    endpoint_id, root = make_endpoint(alice, "Alice's laptop")
    (root / "file1.txt").write_bytes(b"abcd")
    (root / "file2.dat").write_bytes(b"x" * 100)
    (root / ".hidden").write_bytes(b"h")
    (root / "dir1").mkdir()
    (root / "dir1" / "nested.txt").write_bytes(b"nested")
    return endpoint_id, root
