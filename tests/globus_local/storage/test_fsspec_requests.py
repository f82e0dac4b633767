"""What the fsspec connector asks an object store for (a local moto server): the requests
of the mover's steps, counted as boto issues them, and the folders a connector remembers
(gone once it removes or moves them)."""

from __future__ import annotations

import hashlib
import secrets
import typing as t
from collections import Counter

import pytest

from globus_local.storage import AlreadyExists, NotADirectory, NotFound, connector_for_location
from globus_local.storage.fsspec_storage import FsspecConnector


@pytest.fixture(params=["memory", pytest.param("s3", marks=pytest.mark.live)])
def connector(request: pytest.FixtureRequest) -> FsspecConnector:
    if request.param == "memory":
        conn = connector_for_location(f"memory://ep-{secrets.token_hex(4)}/root")
    else:
        url, options = request.getfixturevalue("s3_bucket_factory")()
        conn = connector_for_location(url, options)
    assert isinstance(conn, FsspecConnector)
    return conn


@pytest.fixture
def s3(s3_bucket_factory: t.Callable[[], tuple[str, dict[str, t.Any]]]) -> FsspecConnector:
    url, options = s3_bucket_factory()
    conn = connector_for_location(url, options)
    assert isinstance(conn, FsspecConnector) and conn.object_store
    return conn


class Calls:
    """S3 operations the connector's clients make (fsspec's, and the one it streams reads
    with), by name (botocore's ``before-call`` event)."""

    def __init__(self, conn: FsspecConnector) -> None:
        self.seen: Counter[str] = Counter()
        conn.fs.s3.meta.events.register("before-call.s3.*", self._record)
        reads = conn._s3_client_for_streams()
        assert reads is not None
        reads.meta.events.register("before-call.s3.*", self._record)

    def _record(self, model: t.Any, **_: t.Any) -> None:
        self.seen[model.name] += 1

    def take(self) -> Counter[str]:
        seen, self.seen = self.seen, Counter()
        return seen


def test_the_movers_steps_for_one_file_upload(s3: FsspecConnector) -> None:
    """Write a temp file, look for the final name, rename: no parent looked up again, the
    copy in one request."""
    s3.mkdir("/dest")
    calls = Calls(s3)
    with s3.open_write("/dest/f.tmp") as out:
        out.write(b"x" * 4096)
    assert calls.take() == {"ListObjectsV2": 1, "PutObject": 1}
    with pytest.raises(NotFound):
        s3.stat("/dest/f")
    assert calls.take() == {"ListObjectsV2": 1}
    s3.rename("/dest/f.tmp", "/dest/f")  # the final name was just found missing
    assert calls.take() == {"CopyObject": 1, "DeleteObject": 1}
    assert s3.stat("/dest/f").size == 4096
    assert not s3.exists("/dest/f.tmp")


def test_a_rename_looks_at_its_destination_unless_just_seen_missing(
    s3: FsspecConnector,
) -> None:
    s3.mkdir("/dest")
    for name in ("a", "b", "taken"):
        with s3.open_write(f"/dest/{name}") as out:
            out.write(name.encode())
    calls = Calls(s3)
    s3.rename("/dest/a", "/dest/a2")
    assert calls.take() == {"ListObjectsV2": 1, "CopyObject": 1, "DeleteObject": 1}
    with pytest.raises(AlreadyExists):
        s3.rename("/dest/b", "/dest/taken")
    with pytest.raises(NotFound):
        s3.rename("/dest/nothing", "/dest/else")
    assert s3.stat("/dest/taken").size == len("taken")
    assert sorted(e.name for e in s3.listdir("/dest")) == ["a2", "b", "taken"]


def test_a_read_looks_the_object_up_once_and_streams_it(s3: FsspecConnector) -> None:
    body = bytes(range(256)) * 40_000
    with s3.open_write("/f") as out:
        out.write(body)
    calls = Calls(s3)
    with s3.open_read("/f") as stream:
        parts = [stream.read(1 << 20) for _ in range(12)]
    assert b"".join(parts) == body
    assert calls.take() == {"ListObjectsV2": 1, "GetObject": 1}
    assert s3.checksum("/f", "MD5") == hashlib.md5(body).hexdigest()


def test_a_read_of_an_object_gone_meanwhile_is_not_found(s3: FsspecConnector) -> None:
    with s3.open_write("/f") as out:
        out.write(b"1")
    s3.fs.rm(f"{s3.root}/f")
    with pytest.raises(NotFound):
        s3.open_read("/f")


def test_mkdir_writes_the_marker_only(s3: FsspecConnector) -> None:
    calls = Calls(s3)
    s3.mkdir("/new")
    assert calls.take() == {"ListObjectsV2": 1, "PutObject": 1}
    assert s3.stat("/new").type == "dir"


def test_a_removed_folder_is_forgotten(connector: FsspecConnector) -> None:
    connector.mkdir("/d/e", parents=True)
    with connector.open_write("/d/e/f") as out:
        out.write(b"1")
    connector.remove("/d", recursive=True)
    with pytest.raises(NotFound):
        connector.mkdir("/d/e")
    with pytest.raises(NotFound):
        connector.rename("/x", "/d/e/x")


def test_a_moved_folder_is_forgotten(connector: FsspecConnector) -> None:
    connector.mkdir("/a/b", parents=True)
    connector.rename("/a", "/c")
    with pytest.raises(NotFound):
        connector.mkdir("/a/b/x")
    connector.mkdir("/c/b/x")
    assert connector.stat("/c/b/x").type == "dir"


def test_a_folder_removed_elsewhere_is_found_gone_when_looked_at(
    connector: FsspecConnector,
) -> None:
    connector.mkdir("/gone")
    connector.fs.rm(f"{connector.root}/gone", recursive=True)  # as another client would
    with pytest.raises(NotFound):
        connector.stat("/gone")
    with pytest.raises(NotFound):
        connector.mkdir("/gone/x")


def test_one_listing_tells_file_folder_and_nothing_apart(s3: FsspecConnector) -> None:
    """Keys sharing the name's start (``f.txt``, ``f.txt.bak``, ``f.txt-1/``) do not
    confuse the lookup of ``f.txt`` as a file, ``d`` as a folder, ``f`` as nothing."""
    for path in ("/f.txt", "/f.txt.bak", "/f.txt-1/x", "/d/inner", "/fa"):
        with s3.open_write(path) as out:
            out.write(b"12345")
    calls = Calls(s3)
    assert s3.stat("/f.txt").type == "file" and s3.stat("/f.txt").size == 5
    assert s3.stat("/d").type == "dir"
    assert not s3.exists("/f")
    assert not s3.exists("/f.tx")
    assert calls.take() == {"ListObjectsV2": 5}


def test_a_file_in_the_way_of_a_write_is_still_found(connector: FsspecConnector) -> None:
    with connector.open_write("/plain") as out:
        out.write(b"1")
    with pytest.raises(NotADirectory):
        connector.open_write("/plain/x")


def test_a_large_write_goes_up_in_parts_and_appears_whole(
    s3: FsspecConnector, monkeypatch: pytest.MonkeyPatch
) -> None:
    from globus_local.storage import fsspec_storage

    monkeypatch.setattr(fsspec_storage, "PART_BYTES", 5 * 1024 * 1024)  # S3's smallest part
    body = bytes(range(256)) * (11 * 4096)  # 11 MiB: two whole parts and a last one
    calls = Calls(s3)
    with s3.open_write("/big") as out:
        for start in range(0, len(body), 3 * 1024 * 1024):
            out.write(body[start : start + 3 * 1024 * 1024])
        assert not s3.exists("/big")  # nothing shows before the upload is complete
    seen = calls.take()
    assert seen["UploadPart"] == 3
    assert seen["CreateMultipartUpload"] == seen["CompleteMultipartUpload"] == 1
    assert s3.stat("/big").size == len(body)
    assert s3.checksum("/big", "SHA256") == hashlib.sha256(body).hexdigest()


def test_a_failed_write_stores_nothing(
    s3: FsspecConnector, monkeypatch: pytest.MonkeyPatch
) -> None:
    from globus_local.storage import fsspec_storage

    monkeypatch.setattr(fsspec_storage, "PART_BYTES", 5 * 1024 * 1024)
    for size in (1000, 6 * 1024 * 1024):  # one PutObject; a multipart upload under way
        with pytest.raises(RuntimeError), s3.open_write(f"/half-{size}") as out:
            out.write(b"x" * size)
            raise RuntimeError("the source failed")
        assert not s3.exists(f"/half-{size}")
    uploads = s3.fs.call_s3("list_multipart_uploads", Bucket=s3.root.split("/")[0])
    assert uploads.get("Uploads", []) == []
