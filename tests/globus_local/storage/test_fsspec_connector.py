"""The fsspec connector on the in-memory filesystem and on S3 (a local moto server)."""

from __future__ import annotations

import hashlib
import secrets

import pytest

from globus_local.storage import (
    AlreadyExists,
    DirectoryNotEmpty,
    InvalidPath,
    NotADirectory,
    NotFound,
    NotSupported,
    PathEscape,
    PermissionDenied,
    StorageConnector,
    connector_for_location,
)
from globus_local.storage.fsspec_storage import DIR_MARKER, FsspecConnector


@pytest.fixture(params=["memory", pytest.param("s3", marks=pytest.mark.live)])
def connector(request: pytest.FixtureRequest) -> StorageConnector:
    if request.param == "memory":
        return connector_for_location(f"memory://ep-{secrets.token_hex(4)}/root")
    url, options = request.getfixturevalue("s3_bucket_factory")()
    return connector_for_location(url, options)


def names(c: StorageConnector, path: str = "/") -> list[str]:
    return sorted(e.name for e in c.listdir(path))


def test_connector_kind(connector: StorageConnector) -> None:
    assert isinstance(connector, FsspecConnector)
    assert isinstance(connector, StorageConnector)
    assert connector.supports_symlinks is False
    assert connector.stat("/").type == "dir"
    assert names(connector) == []


def test_files_and_directories(connector: StorageConnector) -> None:
    c = connector
    c.mkdir("/a")
    with c.open_write("/a/f.txt") as f:
        f.write(b"hello")
    assert names(c) == ["a"]
    info = c.stat("/a/f.txt")
    assert (info.type, info.size) == ("file", 5) and info.mtime > 0
    assert c.checksum("/a/f.txt") == hashlib.md5(b"hello").hexdigest()
    with c.open_read("/a/f.txt") as f:
        assert f.read() == b"hello"
    c.mkdir("/empty")  # an empty directory survives on object stores too
    assert names(c) == ["a", "empty"]
    assert DIR_MARKER not in names(c, "/empty")
    with pytest.raises(AlreadyExists):
        c.mkdir("/empty")
    with pytest.raises(NotFound):
        c.mkdir("/missing/child")
    with pytest.raises(NotADirectory):
        c.mkdir("/a/f.txt/child")
    with pytest.raises(NotADirectory):
        c.listdir("/a/f.txt")
    with pytest.raises(NotFound):
        c.listdir("/nope")
    c.mkdir("/x/y/z", parents=True)
    assert c.stat("/x/y/z").type == "dir"


def test_rename_and_remove(connector: StorageConnector) -> None:
    c = connector
    c.mkdir("/a")
    with c.open_write("/a/f.txt") as f:
        f.write(b"1")
    c.mkdir("/a/sub")
    c.mkdir("/b")
    c.rename("/a", "/b/a2")
    assert names(c) == ["b"]
    assert names(c, "/b/a2") == ["f.txt", "sub"]
    with pytest.raises(AlreadyExists):
        c.rename("/b", "/b")
    with pytest.raises(InvalidPath):
        c.rename("/b", "/b/a2/inside")
    with pytest.raises(DirectoryNotEmpty):
        c.remove("/b")
    c.remove("/b/a2/f.txt")
    c.remove("/b", recursive=True)
    assert names(c) == []
    assert c.stat("/").type == "dir"  # the root stays
    with pytest.raises(PermissionDenied):
        c.remove("/")


def test_names_with_glob_characters_mean_only_themselves(connector: StorageConnector) -> None:
    c = connector
    for name in ("a1", "a2", "a*"):
        with c.open_write(f"/{name}") as f:
            f.write(name.encode())
    c.remove("/a*")
    assert names(c) == ["a1", "a2"]


def test_paths_stay_inside_the_prefix(connector: StorageConnector) -> None:
    c = connector
    for call in (
        lambda: c.listdir("/.."),
        lambda: c.open_write("/../escape.txt"),
        lambda: c.mkdir("/a/../../b"),
        lambda: c.stat("~/../.."),
    ):
        with pytest.raises(PathEscape):
            call()
    with pytest.raises(NotSupported):
        c.symlink("/a", "/b")


def test_memory_sibling_prefix_is_untouched() -> None:
    base = f"memory://ep-{secrets.token_hex(4)}"
    other = connector_for_location(f"{base}/other")
    with other.open_write("/keep.txt") as f:
        f.write(b"x")
    mine = connector_for_location(f"{base}/mine")
    mine.mkdir("/d")
    with pytest.raises(PathEscape):
        mine.listdir("/../other")
    assert names(mine) == ["d"]
    assert names(other) == ["keep.txt"]


def test_directory_operations_do_not_touch_siblings_sharing_a_prefix(
    connector: StorageConnector,
) -> None:
    c = connector
    c.mkdir("/a")
    for path in ("/a/f", "/ab", "/a.txt"):
        with c.open_write(path) as f:
            f.write(b"x")
    c.rename("/a", "/moved")
    assert names(c) == ["a.txt", "ab", "moved"]
    c.remove("/moved", recursive=True)
    assert names(c) == ["a.txt", "ab"]
