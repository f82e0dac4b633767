"""The mover's local fast paths: raw-descriptor copies, the overlapped verified copy of a
large file, and the confined path splitting they rely on (no server needed)."""

from __future__ import annotations

import hashlib
import os
import threading
import typing as t
from pathlib import Path

import pytest

from globus_local.services.transfer.mover import checksums, kernel
from globus_local.services.transfer.mover.checksums import FdHasher
from globus_local.services.transfer.mover.copier import Copier
from globus_local.services.transfer.mover.kernel import kernel_copy
from globus_local.services.transfer.mover.posix_fast import DirHandles, split
from globus_local.services.transfer.mover.subtasks import Row
from globus_local.storage.errors import InvalidPath, IsADirectory, PathEscape
from globus_local.storage.posix import PosixConnector


def _copier(src: Path, dst: Path, **options: t.Any) -> Copier:
    return Copier(
        "0123abcd-task",
        PosixConnector(str(src)),
        PosixConnector(str(dst)),
        options,
        threading.Event(),
    )


def _row(n: int, size: int, path: str = "/f.bin") -> Row:
    return Row(id=n, kind="file", source_path=path, destination_path=path, size=size)


@pytest.mark.parametrize("size", [0, 5, 3 * 1024 * 1024 + 7])
def test_verified_copy_overlaps_and_matches(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: int
) -> None:
    # Every file takes the "large file" path: kernel copy + two hashing threads.
    monkeypatch.setattr(checksums, "PARALLEL_VERIFY_MIN", 0)
    monkeypatch.setattr(checksums, "CHUNK", 1024 * 1024)
    monkeypatch.setattr(kernel, "CHUNK", 1024 * 1024)
    src, dst = tmp_path / "src", tmp_path / "dst"
    src.mkdir()
    dst.mkdir()
    data = os.urandom(size)
    (src / "f.bin").write_bytes(data)
    copier = _copier(src, dst, verify_checksum=True)
    try:
        outcome = copier.run(_row(7, size))
    finally:
        copier.close()
    assert outcome.status == "staged", outcome.fault
    assert outcome.size == size and outcome.checksummed == size
    temp = dst / ".globus-local-0123abcd-7.part"
    assert temp.read_bytes() == data


def test_small_verified_copy_with_timestamp(tmp_path: Path) -> None:
    src, dst = tmp_path / "src", tmp_path / "dst"
    (src / "d").mkdir(parents=True)
    dst.mkdir()
    (src / "d" / "f.bin").write_bytes(b"hello")
    os.utime(src / "d" / "f.bin", (1_600_000_000, 1_600_000_000))
    copier = _copier(src, dst, verify_checksum=True, preserve_timestamp=True)
    row = _row(3, 5, "/d/f.bin")
    row.mtime = 1_600_000_000.0
    try:
        outcome = copier.run(row)  # the destination directory is created on the way
        assert outcome.status == "staged", outcome.fault
        copier.replace(copier.temp_for(row), "/d/f.bin")
    finally:
        copier.close()
    assert (dst / "d" / "f.bin").read_bytes() == b"hello"
    assert (dst / "d" / "f.bin").stat().st_mtime == 1_600_000_000


def test_follower_reports_a_short_destination_as_no_match(tmp_path: Path) -> None:
    path = tmp_path / "short"
    path.write_bytes(b"abc")
    fd = os.open(path, os.O_RDONLY)
    try:
        hasher = FdHasher(fd, "MD5", threading.Event(), follow=True)
        hasher.advance(3)
        assert hasher.finish(10) == ""  # 10 bytes were "written", 3 are there
        hasher.close()
        whole = FdHasher(fd, "MD5", threading.Event(), follow=False)
        assert whole.finish(None) == hashlib.md5(b"abc").hexdigest()
        whole.close()
    finally:
        os.close(fd)


def test_kernel_copy_counts_bytes(tmp_path: Path) -> None:
    (tmp_path / "a").write_bytes(b"x" * 100_000)
    fd_in = os.open(tmp_path / "a", os.O_RDONLY)
    fd_out = os.open(tmp_path / "b", os.O_WRONLY | os.O_CREAT, 0o644)
    try:
        assert kernel_copy(fd_in, fd_out, lambda: None) == 100_000
    finally:
        os.close(fd_in)
        os.close(fd_out)
    assert (tmp_path / "b").read_bytes() == b"x" * 100_000


def test_split_is_fast_only_for_canonical_paths() -> None:
    assert split("/a/b.txt") == ("/a", "b.txt")
    assert split("/b.txt") == ("/", "b.txt")
    assert split("/a/./b/../c") == ("/a", "c")
    assert split("a//b/") == ("/a", "b")
    with pytest.raises(PathEscape):
        split("/a/../../etc/passwd")
    with pytest.raises(InvalidPath):
        split("/")


def test_handles_never_follow_links_out_of_the_root(tmp_path: Path) -> None:
    root, outside = tmp_path / "root", tmp_path / "outside"
    root.mkdir()
    outside.mkdir()
    (outside / "secret").write_bytes(b"s")
    (root / "out").symlink_to(outside)
    (root / "link").symlink_to(outside / "secret")
    (root / "dir").mkdir()
    (root / "f").write_bytes(b"f")
    handles = DirHandles(str(root))
    try:
        with pytest.raises(PathEscape):
            handles.open_read("/out/secret")  # a directory link leading outside
        with pytest.raises(PathEscape):
            handles.open_read("/link")  # O_NOFOLLOW on the last component
        with pytest.raises(PathEscape):
            handles.open_write("/out/new")
        with pytest.raises(PathEscape):
            handles.open_read("/dir/../../outside/secret")
        with pytest.raises(IsADirectory):
            handles.replace("/f", "/dir")  # a rename never lands on a directory
    finally:
        handles.close()
    assert not (outside / "new").exists()
    assert (root / "f").read_bytes() == b"f"


@pytest.mark.parametrize("size", [0, 1, 999, 1000, 1001, 5000])
def test_small_copy_copies_whole_files_and_goes_on_past_its_step(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: int
) -> None:
    monkeypatch.setattr(kernel, "KERNEL_STEP", 1000)  # a "small" file is < 1000 bytes
    data = os.urandom(size)
    (tmp_path / "in").write_bytes(data)
    fd_in = os.open(tmp_path / "in", os.O_RDONLY)
    fd_out = os.open(tmp_path / "out", os.O_WRONLY | os.O_CREAT, 0o644)
    try:
        assert kernel.small_copy(fd_in, fd_out, lambda: None) == size
    finally:
        os.close(fd_in)
        os.close(fd_out)
    assert (tmp_path / "out").read_bytes() == data
