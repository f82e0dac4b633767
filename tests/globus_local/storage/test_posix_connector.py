"""The POSIX connector: every operation, and that nothing outside the root is reached."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from globus_local.storage import (
    AlreadyExists,
    DirectoryNotEmpty,
    InvalidPath,
    IsADirectory,
    NotADirectory,
    NotFound,
    PathEscape,
    PermissionDenied,
    connector_for_location,
)
from globus_local.storage.posix import PosixConnector


@pytest.fixture
def tree(tmp_path: Path) -> tuple[PosixConnector, Path, Path]:
    root = tmp_path / "root"
    outside = tmp_path / "outside"
    (root / "dir").mkdir(parents=True)
    outside.mkdir()
    (outside / "secret.txt").write_bytes(b"top secret")
    (root / "file.txt").write_bytes(b"hello")
    (root / "dir" / "inner.txt").write_bytes(b"inner")
    (root / "to-file").symlink_to("file.txt")
    (root / "to-outside").symlink_to(outside / "secret.txt")
    (root / "to-outside-dir").symlink_to(outside)
    (root / "dangling").symlink_to("missing")
    connector = connector_for_location(str(root))
    assert isinstance(connector, PosixConnector)
    return connector, root, outside


def test_stat_and_listdir(tree: tuple[PosixConnector, Path, Path]) -> None:
    c, root, _ = tree
    info = c.stat("/file.txt")
    assert (info.name, info.type, info.size) == ("file.txt", "file", 5)
    assert info.permissions == f"{os.stat(root / 'file.txt').st_mode & 0o7777:04o}"
    assert info.user and info.group
    names = {e.name: e for e in c.listdir("/")}
    assert set(names) == {"dir", "file.txt", "to-file", "to-outside", "to-outside-dir", "dangling"}
    assert names["dir"].effective_type == "dir"
    link = names["to-file"]
    assert link.type == "link" and link.link_target == "/file.txt"
    assert link.target is not None and link.target.size == 5
    assert link.effective_type == "file"
    # Links leading outside are never described beyond the link itself.
    for name in ("to-outside", "to-outside-dir", "dangling"):
        assert names[name].effective_type == "invalid_symlink"
        assert names[name].target is None


def test_scan_lists_as_listdir_does_without_owners(tree: tuple[PosixConnector, Path, Path]) -> None:
    c, _, _ = tree
    full = {e.name: e for e in c.listdir("/")}
    light = {e.name: e for e in c.scan("/")}
    assert set(light) == set(full)
    for name, entry in light.items():
        want = full[name]
        assert (entry.type, entry.size, entry.mtime) == (want.type, want.size, want.mtime)
        assert entry.effective_type == want.effective_type
        if entry.is_link:  # a link is described in full, outside targets never
            assert entry == want
    with pytest.raises(NotFound):
        c.scan("/missing")
    with pytest.raises(NotADirectory):
        c.scan("/file.txt")
    with pytest.raises(PathEscape):
        c.scan("/to-outside-dir")


def test_outside_links_are_not_followed(tree: tuple[PosixConnector, Path, Path]) -> None:
    c, _, outside = tree
    for call in (
        lambda: c.open_read("/to-outside"),
        lambda: c.listdir("/to-outside-dir"),
        lambda: c.stat("/to-outside", follow=True),
        lambda: c.checksum("/to-outside"),
        lambda: c.open_write("/to-outside"),
        lambda: c.open_write("/to-outside-dir/new.txt"),
        lambda: c.mkdir("/to-outside-dir/sub"),
        lambda: c.set_mtime("/to-outside", 0),
        lambda: c.rename("/file.txt", "/to-outside-dir/stolen.txt"),
        lambda: c.remove("/to-outside-dir/secret.txt"),
        lambda: c.symlink("/file.txt", "/to-outside-dir/link"),
    ):
        with pytest.raises(PathEscape):
            call()
    assert (outside / "secret.txt").read_bytes() == b"top secret"
    assert sorted(os.listdir(outside)) == ["secret.txt"]


def test_removing_an_outside_link_removes_only_the_link(
    tree: tuple[PosixConnector, Path, Path],
) -> None:
    c, root, outside = tree
    c.remove("/to-outside-dir", recursive=True)
    assert not os.path.lexists(root / "to-outside-dir")
    assert (outside / "secret.txt").exists()


def test_read_write_checksum(tree: tuple[PosixConnector, Path, Path]) -> None:
    c, root, _ = tree
    with c.open_write("/dir/new.bin") as f:
        f.write(b"abc")
    with c.open_write("/dir/new.bin", append=True) as f:
        f.write(b"def")
    with c.open_read("/dir/new.bin") as f:
        assert f.read() == b"abcdef"
    assert c.checksum("/dir/new.bin") == hashlib.md5(b"abcdef").hexdigest()
    assert c.checksum("/dir/new.bin", "SHA256") == hashlib.sha256(b"abcdef").hexdigest()
    assert c.checksum("/to-file") == hashlib.md5(b"hello").hexdigest()
    with pytest.raises(IsADirectory):
        c.open_read("/dir")
    with pytest.raises(NotFound):
        c.open_read("/nope")
    c.set_mtime("/dir/new.bin", 1_000_000_000)
    assert c.stat("/dir/new.bin").mtime == 1_000_000_000


def test_mkdir_rename_remove(tree: tuple[PosixConnector, Path, Path]) -> None:
    c, root, _ = tree
    c.mkdir("/new")
    assert (root / "new").is_dir()
    with pytest.raises(AlreadyExists):
        c.mkdir("/new")
    with pytest.raises(NotFound):
        c.mkdir("/missing/child")
    with pytest.raises(NotADirectory):
        c.mkdir("/file.txt/child")
    c.mkdir("/a/b/c", parents=True)
    assert (root / "a" / "b" / "c").is_dir()
    c.rename("/file.txt", "/new/moved.txt")
    assert (root / "new" / "moved.txt").read_bytes() == b"hello"
    with pytest.raises(AlreadyExists):
        c.rename("/dir", "/new")
    with pytest.raises(InvalidPath):
        c.rename("/a", "/a/b/inside")
    with pytest.raises(InvalidPath):
        c.rename("/", "/x")
    with pytest.raises(DirectoryNotEmpty):
        c.remove("/a")
    c.remove("/a", recursive=True)
    assert not (root / "a").exists()
    with pytest.raises(PermissionDenied):
        c.remove("/", recursive=True)
    assert root.is_dir()


def test_symlink_is_relative_and_inside(tree: tuple[PosixConnector, Path, Path]) -> None:
    c, root, _ = tree
    c.symlink("/dir/inner.txt", "/dir/link")
    assert os.readlink(root / "dir" / "link") == "inner.txt"
    assert c.stat("/dir/link").link_target == "/dir/inner.txt"
    with c.open_read("/dir/link") as f:
        assert f.read() == b"inner"
    with pytest.raises(AlreadyExists):
        c.symlink("/file.txt", "/dir/link")
    with pytest.raises(PathEscape):
        c.symlink("/../outside/secret.txt", "/x")


def test_file_url_is_a_host_directory(tmp_path: Path) -> None:
    c = connector_for_location(f"file://{tmp_path}")
    assert isinstance(c, PosixConnector)
    assert c.listdir("/") == []
