from __future__ import annotations

import json
import os
import stat
import typing as t

import pytest

import globus_sdk
from globus_sdk.tokenstorage import (
    FileAdapter,
    SimpleJSONFileAdapter,
    SQLiteAdapter,
    StorageAdapter,
)

posix_only = pytest.mark.skipif(os.name != "posix", reason="unix permission bits")


class FakeTokenResponse:
    """Duck-typed stand-in for OAuthTokenResponse (only by_resource_server is used)."""

    def __init__(self, by_resource_server: dict[str, dict[str, t.Any]]) -> None:
        self.by_resource_server = by_resource_server


def tokens(rs: str, at: str, rt: str | None = "RT", expires: int = 1_900_000_000) -> dict:
    return {
        "scope": f"urn:globus:auth:scope:{rs}:all",
        "access_token": at,
        "refresh_token": rt,
        "token_type": "Bearer",
        "expires_at_seconds": expires,
        "resource_server": rs,
    }


LOGIN = FakeTokenResponse(
    {
        "transfer.api.globus.org": tokens("transfer.api.globus.org", "T1", "TR"),
        "auth.globus.org": tokens("auth.globus.org", "A1", "AR"),
    }
)
REFRESH = FakeTokenResponse(
    {"transfer.api.globus.org": tokens("transfer.api.globus.org", "T2", "TR", 1_950_000_000)}
)


def mode(path: str) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


# --- base classes -------------------------------------------------------------------


def test_storage_adapter_on_refresh_stores():
    stored: list[t.Any] = []

    class MemAdapter(StorageAdapter):
        def store(self, token_response: t.Any) -> None:
            stored.append(token_response)

        def get_token_data(self, resource_server: str) -> dict | None:
            return None

    MemAdapter().on_refresh(LOGIN)
    assert stored == [LOGIN]
    with pytest.raises(TypeError):
        StorageAdapter()  # type: ignore[abstract]


@posix_only
def test_user_only_umask_restores_umask(tmp_path):
    class Adapter(FileAdapter):
        filename = str(tmp_path / "x")

        def store(self, token_response: t.Any) -> None: ...

        def get_token_data(self, resource_server: str) -> dict | None:
            return None

    adapter = Adapter()
    previous = os.umask(0o022)
    try:
        with adapter.user_only_umask():
            with open(adapter.filename, "w") as f:
                f.write("x")
        assert os.umask(0o022) == 0o022  # restored after the block
    finally:
        os.umask(previous)
    assert mode(adapter.filename) == 0o600
    assert adapter.file_exists()


# --- SimpleJSONFileAdapter ----------------------------------------------------------


def test_json_adapter_roundtrip_and_format(tmp_path):
    path = tmp_path / "tokens.json"
    adapter = SimpleJSONFileAdapter(str(path))
    assert not adapter.file_exists()
    assert adapter.get_by_resource_server() == {}
    assert adapter.get_token_data("transfer.api.globus.org") is None

    adapter.store(LOGIN)
    assert adapter.file_exists()
    raw = json.loads(path.read_text())
    assert raw["globus-sdk.version"] == globus_sdk.__version__
    assert raw["format_version"] == "1.0"
    assert raw["by_rs"] == LOGIN.by_resource_server
    assert adapter.get_by_resource_server() == LOGIN.by_resource_server
    assert adapter.get_token_data("auth.globus.org")["access_token"] == "A1"
    assert adapter.get_token_data("nope") is None


def test_json_adapter_refresh_updates_and_keeps_others(tmp_path):
    adapter = SimpleJSONFileAdapter(str(tmp_path / "tokens.json"))
    adapter.store(LOGIN)
    adapter.on_refresh(REFRESH)
    data = adapter.get_by_resource_server()
    assert data["transfer.api.globus.org"]["access_token"] == "T2"
    assert data["transfer.api.globus.org"]["expires_at_seconds"] == 1_950_000_000
    assert data["auth.globus.org"]["access_token"] == "A1"
    # a fresh adapter on the same file sees the same data
    assert SimpleJSONFileAdapter(adapter.filename).get_by_resource_server() == data


@posix_only
def test_json_adapter_file_is_owner_only(tmp_path):
    path = str(tmp_path / "tokens.json")
    previous = os.umask(0o000)  # even a permissive umask must not leak the file
    try:
        SimpleJSONFileAdapter(path).store(LOGIN)
    finally:
        os.umask(previous)
    assert mode(path) == 0o600
    assert os.listdir(tmp_path) == ["tokens.json"]  # no temp files left behind


@pytest.mark.parametrize(
    "content",
    ["[1, 2]", '{"by_rs": {}}', '{"by_rs": {}, "format_version": "9.9"}'],
)
def test_json_adapter_rejects_unknown_file_content(tmp_path, content):
    path = tmp_path / "tokens.json"
    path.write_text(content)
    adapter = SimpleJSONFileAdapter(str(path))
    with pytest.raises(ValueError):
        adapter.get_by_resource_server()
    with pytest.raises(ValueError):
        adapter.store(LOGIN)
    assert path.read_text() == content  # untouched


# --- SQLiteAdapter ------------------------------------------------------------------


@pytest.fixture
def db_path(tmp_path):
    return str(tmp_path / "tokens.db")


def test_sqlite_store_and_lookup(db_path):
    adapter = SQLiteAdapter(db_path)
    assert adapter.namespace == "DEFAULT"
    assert adapter.get_by_resource_server() == {}
    adapter.store(LOGIN)
    assert adapter.get_by_resource_server() == LOGIN.by_resource_server
    assert adapter.get_token_data("auth.globus.org") == LOGIN.by_resource_server["auth.globus.org"]
    assert adapter.get_token_data("missing") is None
    adapter.close()
    # persisted
    reopened = SQLiteAdapter(db_path)
    assert reopened.get_by_resource_server() == LOGIN.by_resource_server
    reopened.close()


def test_sqlite_refresh_replaces_row_and_keeps_others(db_path):
    adapter = SQLiteAdapter(db_path)
    adapter.store(LOGIN)
    adapter.on_refresh(REFRESH)
    data = adapter.get_by_resource_server()
    assert set(data) == {"transfer.api.globus.org", "auth.globus.org"}
    assert data["transfer.api.globus.org"]["access_token"] == "T2"
    assert data["auth.globus.org"]["access_token"] == "A1"
    count = adapter._connection.execute("SELECT COUNT(*) FROM token_storage").fetchone()[0]
    assert count == 2
    adapter.close()


def test_sqlite_namespaces_are_isolated(db_path):
    alice = SQLiteAdapter(db_path, namespace="alice")
    bob = SQLiteAdapter(db_path, namespace="bob")
    alice.store(LOGIN)
    assert bob.get_by_resource_server() == {}
    assert bob.get_token_data("auth.globus.org") is None
    bob.store(REFRESH)
    assert alice.get_token_data("transfer.api.globus.org")["access_token"] == "T1"
    assert bob.remove_tokens_for_resource_server("auth.globus.org") is False
    assert alice.get_token_data("auth.globus.org") is not None
    alice.store_config("cfg", {"k": 1})
    assert bob.read_config("cfg") is None
    alice.close()
    bob.close()


def test_sqlite_remove_tokens(db_path):
    adapter = SQLiteAdapter(db_path)
    adapter.store(LOGIN)
    assert adapter.remove_tokens_for_resource_server("auth.globus.org") is True
    assert adapter.remove_tokens_for_resource_server("auth.globus.org") is False
    assert list(adapter.get_by_resource_server()) == ["transfer.api.globus.org"]
    adapter.close()


def test_sqlite_config_storage(db_path):
    adapter = SQLiteAdapter(db_path)
    assert adapter.read_config("profile") is None
    adapter.store_config("profile", {"client_id": "abc", "nested": {"x": [1, 2]}})
    assert adapter.read_config("profile") == {"client_id": "abc", "nested": {"x": [1, 2]}}
    adapter.store_config("profile", {"client_id": "def"})  # REPLACE semantics
    assert adapter.read_config("profile") == {"client_id": "def"}
    assert adapter.remove_config("profile") is True
    assert adapter.remove_config("profile") is False
    assert adapter.read_config("profile") is None
    adapter.close()


def test_sqlite_records_sdk_version(db_path):
    adapter = SQLiteAdapter(db_path)
    row = adapter._connection.execute(
        "SELECT value FROM sdk_storage_adapter_internal WHERE attribute = 'globus-sdk.version'"
    ).fetchone()
    assert row == (globus_sdk.__version__,)
    adapter.close()


def test_sqlite_memory_db(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    adapter = SQLiteAdapter(":memory:")
    adapter.store(LOGIN)
    adapter.store_config("c", {"a": "b"})
    assert adapter.get_token_data("auth.globus.org")["access_token"] == "A1"
    assert adapter.read_config("c") == {"a": "b"}
    assert os.listdir(tmp_path) == []  # nothing written to disk
    assert not adapter.file_exists()
    adapter.close()


def test_sqlite_connect_params_are_passed(db_path):
    adapter = SQLiteAdapter(db_path, connect_params={"check_same_thread": False, "timeout": 1.5})
    import threading

    result: list[t.Any] = []
    thread = threading.Thread(target=lambda: result.append(adapter.get_by_resource_server()))
    thread.start()
    thread.join()
    assert result == [{}]  # usable from another thread thanks to check_same_thread=False
    adapter.close()


@posix_only
def test_sqlite_file_is_owner_only(db_path):
    previous = os.umask(0o000)
    try:
        adapter = SQLiteAdapter(db_path)
        adapter.store(LOGIN)
    finally:
        os.umask(previous)
    assert mode(db_path) == 0o600
    adapter.close()


def test_sqlite_close_makes_adapter_unusable(db_path):
    import sqlite3

    adapter = SQLiteAdapter(db_path)
    adapter.close()
    with pytest.raises(sqlite3.ProgrammingError):
        adapter.get_by_resource_server()
