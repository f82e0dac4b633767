"""Transfer test helpers: users with Transfer tokens talking raw HTTP to a live server, and
endpoints on real directories."""

from __future__ import annotations

import secrets
import typing as t
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from globus_local.testing import LocalServer

TRANSFER_RS = "transfer.api.globus.org"
TRANSFER_ALL = "urn:globus:auth:scope:transfer.api.globus.org:all"


def access_token_for(token_response: dict[str, t.Any], resource_server: str) -> str:
    for doc in [token_response, *token_response.get("other_tokens", [])]:
        if doc.get("resource_server") == resource_server:
            return str(doc["access_token"])
    raise AssertionError(f"no {resource_server} token in {token_response}")


@dataclass
class TransferUser:
    id: str
    username: str
    token: str
    base_url: str  # .../transfer/v0.10/

    def http(self, method: str, path: str, **kw: t.Any) -> requests.Response:
        headers = {"Authorization": f"Bearer {self.token}", **kw.pop("headers", {})}
        return requests.request(
            method, self.base_url + path.lstrip("/"), headers=headers, timeout=30, **kw
        )

    def get(self, path: str, **kw: t.Any) -> requests.Response:
        return self.http("GET", path, **kw)

    def post(self, path: str, json: t.Any = None, **kw: t.Any) -> requests.Response:
        return self.http("POST", path, json=json, **kw)

    def put(self, path: str, json: t.Any = None, **kw: t.Any) -> requests.Response:
        return self.http("PUT", path, json=json, **kw)

    def delete(self, path: str, **kw: t.Any) -> requests.Response:
        return self.http("DELETE", path, **kw)

    def ls(self, endpoint_id: str, path: str | None = None, **params: t.Any) -> requests.Response:
        if path is not None:
            params["path"] = path
        return self.get(f"operation/endpoint/{endpoint_id}/ls", params=params)


def make_transfer_user_factory(server: LocalServer) -> t.Callable[..., TransferUser]:
    base_url = server.service_url("transfer") + "v0.10/"

    def make(prefix: str = "user", scopes: t.Sequence[str] = (TRANSFER_ALL,)) -> TransferUser:
        username = f"{prefix}-{secrets.token_hex(4)}@example.org"
        identity = server.create_user(username)
        token = access_token_for(server.token(username, list(scopes)), TRANSFER_RS)
        return TransferUser(identity["id"], identity["username"], token, base_url)

    return make


@pytest.fixture
def transfer_server(platform_server: LocalServer) -> LocalServer:
    return platform_server


@pytest.fixture
def make_user(transfer_server: LocalServer) -> t.Callable[..., TransferUser]:
    """Fresh users with a Transfer token (once on SQLite, once on PostgreSQL)."""
    return make_transfer_user_factory(transfer_server)


@pytest.fixture
def alice(make_user: t.Callable[..., TransferUser]) -> TransferUser:
    return make_user("alice")


@pytest.fixture
def bob(make_user: t.Callable[..., TransferUser]) -> TransferUser:
    return make_user("bob")


@pytest.fixture
def make_endpoint(
    transfer_server: LocalServer, tmp_path: Path
) -> t.Callable[..., tuple[str, Path]]:
    """``make_endpoint(user, name="ep")`` → (endpoint id, its root directory)."""
    from globus_local.services.transfer.admin import create_endpoint

    def make(user: TransferUser, name: str = "ep", root: Path | None = None) -> tuple[str, Path]:
        directory = root or tmp_path / f"{name}-{secrets.token_hex(3)}"
        directory.mkdir(parents=True, exist_ok=True)
        doc = create_endpoint(transfer_server.db, user.username, name, str(directory))
        return doc["id"], directory

    return make


@pytest.fixture
def alice_endpoint(
    alice: TransferUser, make_endpoint: t.Callable[..., tuple[str, Path]]
) -> tuple[str, Path]:
    """Alice's endpoint on a directory holding a few files."""
    endpoint_id, root = make_endpoint(alice, "Alice's laptop")
    (root / "file1.txt").write_bytes(b"abcd")
    (root / "file2.dat").write_bytes(b"x" * 100)
    (root / ".hidden").write_bytes(b"h")
    (root / "dir1").mkdir()
    (root / "dir1" / "nested.txt").write_bytes(b"nested")
    return endpoint_id, root


@pytest.fixture(params=["sqlite", "postgresql"])
def own_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database no other test's server (and its in-process workers) uses."""
    if request.param == "postgresql":
        return t.cast(str, request.getfixturevalue("postgresql_databases").create())
    return f"sqlite:///{tmp_path / 'own.sqlite3'}"
