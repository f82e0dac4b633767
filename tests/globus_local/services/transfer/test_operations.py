"""Synchronous file operations over HTTP: ls (fields, filters, ordering, paging), mkdir,
rename, symlink, stat."""

from __future__ import annotations

import os
import re
import typing as t
from pathlib import Path

import pytest

from tests.globus_local.services.transfer.support import TransferUser

FILE_KEYS = {
    "DATA_TYPE", "name", "type", "link_target", "permissions", "size", "user", "group",
    "last_modified", "link_size", "link_user", "link_group", "link_last_modified",
}  # fmt: skip
TIME_RE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\+00:00$")


def names(response: t.Any) -> list[str]:
    assert response.status_code == 200, response.text
    return [e["name"] for e in response.json()["DATA"]]


def test_ls_document(alice: TransferUser, alice_endpoint: tuple[str, Path]) -> None:
    endpoint_id, root = alice_endpoint
    os.utime(root / "file1.txt", (1_600_000_000, 1_600_000_000))
    r = alice.ls(endpoint_id, "/~/")
    assert r.status_code == 200
    body = r.json()
    assert body["DATA_TYPE"] == "file_list"
    assert body["endpoint"] == endpoint_id
    assert body["path"] == "/"
    assert body["length"] == body["total"] == 4
    assert body["rename_supported"] is True and body["symlink_supported"] is True
    entries = {e["name"]: e for e in body["DATA"]}
    assert set(entries) == {".hidden", "dir1", "file1.txt", "file2.dat"}
    for entry in entries.values():
        assert set(entry) == FILE_KEYS
        assert entry["DATA_TYPE"] == "file"
        assert TIME_RE.match(entry["last_modified"])
        assert re.match(r"^0[0-7]{3}$", entry["permissions"])
        assert entry["link_target"] is None and entry["link_size"] is None
    f = entries["file1.txt"]
    assert (f["type"], f["size"]) == ("file", 4)
    assert f["last_modified"] == "2020-09-13 12:26:40+00:00"
    assert entries["dir1"]["type"] == "dir"
    # Paths are shown with a trailing slash whatever the request spelled.
    for spelled in ("dir1", "/dir1", "~/dir1", "/~/dir1/", "/dir1/./", "/x/../dir1"):
        body = alice.ls(endpoint_id, spelled).json()
        assert body["path"] == "/dir1/", spelled
        assert [e["name"] for e in body["DATA"]] == ["nested.txt"]
    # No path: the default directory (the root unless set).
    assert alice.ls(endpoint_id).json()["path"] == "/"
    alice.put(f"endpoint/{endpoint_id}", {"default_directory": "/dir1/"})
    assert alice.ls(endpoint_id).json()["path"] == "/dir1/"


def test_ls_show_hidden(alice: TransferUser, alice_endpoint: tuple[str, Path]) -> None:
    endpoint_id, _ = alice_endpoint
    assert ".hidden" in names(alice.ls(endpoint_id, "/", show_hidden=1))
    assert ".hidden" not in names(alice.ls(endpoint_id, "/", show_hidden=0))
    assert ".hidden" not in names(alice.ls(endpoint_id, "/", show_hidden="False"))


def test_ls_filters(alice: TransferUser, alice_endpoint: tuple[str, Path]) -> None:
    endpoint_id, root = alice_endpoint
    os.utime(root / "file1.txt", (1_500_000_000, 1_500_000_000))  # 2017-07-14
    os.utime(root / "file2.dat", (1_700_000_000, 1_700_000_000))  # 2023-11-14

    def ls(*filters: str) -> list[str]:
        return sorted(names(alice.ls(endpoint_id, "/", filter=list(filters))))

    assert ls("name:~*.txt") == ["file1.txt"]
    assert ls("name:~*.TXT") == ["file1.txt"]
    assert ls("name:file2.dat") == ["file2.dat"]
    assert ls("name:=file2.dat,file1.txt") == ["file1.txt", "file2.dat"]
    assert ls("name:!file2.dat") == [".hidden", "dir1", "file1.txt"]
    assert ls("name:!~*.*") == ["dir1"]
    assert ls("type:dir") == ["dir1"]
    assert ls("type:file") == [".hidden", "file1.txt", "file2.dat"]
    assert ls("type:file,dir") == [".hidden", "dir1", "file1.txt", "file2.dat"]
    assert ls("size:4,100/type:file") == ["file1.txt", "file2.dat"]
    assert ls("size:5,") == ["dir1", "file2.dat"]
    assert ls("size:,4/type:file") == [".hidden", "file1.txt"]
    assert ls("size:>=100") == ["dir1", "file2.dat"]
    assert ls("size:4") == ["file1.txt"]
    assert ls("last_modified:,2020-01-01") == ["file1.txt"]
    assert ls("last_modified:2023-01-01,2024-01-01") == ["file2.dat"]
    assert ls("last_modified:2023-11-14 22:13:20,") != []
    # Several clauses (with '/' or repeated parameters) are ANDed.
    assert ls("type:file/name:~file*") == ["file1.txt", "file2.dat"]
    assert ls("type:file", "name:~*.dat") == ["file2.dat"]
    for bad in ("bogus:1", "size:abc", "nocolon", "last_modified:yesterday,"):
        r = alice.ls(endpoint_id, "/", filter=bad)
        assert r.status_code == 400, bad
        assert r.json()["code"] == "ClientError.BadRequest"


def test_ls_orderby_and_paging(alice: TransferUser, alice_endpoint: tuple[str, Path]) -> None:
    endpoint_id, _ = alice_endpoint
    assert names(alice.ls(endpoint_id, "/")) == [".hidden", "dir1", "file1.txt", "file2.dat"]
    assert names(alice.ls(endpoint_id, "/", orderby="name DESC")) == [
        "file2.dat", "file1.txt", "dir1", ".hidden"
    ]  # fmt: skip
    by_type = names(alice.ls(endpoint_id, "/", orderby="type ASC, size DESC", show_hidden=0))
    assert by_type == ["dir1", "file2.dat", "file1.txt"]
    r = alice.ls(endpoint_id, "/", limit=2, offset=1).json()
    assert [e["name"] for e in r["DATA"]] == ["dir1", "file1.txt"]
    assert (r["length"], r["total"]) == (2, 4)
    assert alice.ls(endpoint_id, "/", orderby="colour").status_code == 400
    assert alice.ls(endpoint_id, "/", limit="x").status_code == 400


def test_ls_errors(alice: TransferUser, alice_endpoint: tuple[str, Path]) -> None:
    endpoint_id, _ = alice_endpoint
    r = alice.ls(endpoint_id, "/missing/")
    assert r.status_code == 404 and r.json()["code"] == "ClientError.NotFound"
    r = alice.ls(endpoint_id, "/file1.txt")
    assert r.status_code == 502
    assert r.json()["code"] == "ExternalError.DirListingFailed.NotDirectory"
    assert r.json()["resource"] == f"/v0.10/operation/endpoint/{endpoint_id}/ls"


def test_mkdir(alice: TransferUser, alice_endpoint: tuple[str, Path]) -> None:
    endpoint_id, root = alice_endpoint
    r = alice.post(
        f"operation/endpoint/{endpoint_id}/mkdir", {"DATA_TYPE": "mkdir", "path": "/~/newdir/"}
    )
    assert r.status_code == 200
    body = r.json()
    assert body["DATA_TYPE"] == "mkdir_result" and body["code"] == "DirectoryCreated"
    assert body["resource"] == f"/v0.10/operation/endpoint/{endpoint_id}/mkdir"
    assert (root / "newdir").is_dir()
    r = alice.post(f"operation/endpoint/{endpoint_id}/mkdir", {"path": "/newdir"})
    assert r.status_code == 502 and r.json()["code"] == "ExternalError.MkdirFailed.Exists"
    r = alice.post(f"operation/endpoint/{endpoint_id}/mkdir", {"path": "/no/such/parent"})
    assert r.status_code == 404 and r.json()["code"] == "ClientError.NotFound"
    assert alice.post(f"operation/endpoint/{endpoint_id}/mkdir", {}).status_code == 400


def test_rename(alice: TransferUser, alice_endpoint: tuple[str, Path]) -> None:
    endpoint_id, root = alice_endpoint
    url = f"operation/endpoint/{endpoint_id}/rename"
    r = alice.post(
        url, {"DATA_TYPE": "rename", "old_path": "/file1.txt", "new_path": "/dir1/f.txt"}
    )
    assert r.status_code == 200
    assert r.json()["code"] == "FileRenamed" and r.json()["DATA_TYPE"] == "result"
    assert (root / "dir1" / "f.txt").read_bytes() == b"abcd"
    assert not (root / "file1.txt").exists()
    r = alice.post(url, {"old_path": "/missing", "new_path": "/x"})
    assert r.status_code == 404 and r.json()["code"] == "ClientError.NotFound"
    r = alice.post(url, {"old_path": "/file2.dat", "new_path": "/dir1"})
    assert r.status_code == 409
    assert (root / "file2.dat").exists()
    assert alice.post(url, {"old_path": "/file2.dat"}).status_code == 400


def test_symlink_and_stat(alice: TransferUser, alice_endpoint: tuple[str, Path]) -> None:
    endpoint_id, root = alice_endpoint
    r = alice.post(
        f"operation/endpoint/{endpoint_id}/symlink",
        {"DATA_TYPE": "symlink", "symlink_target": "/~/file1.txt", "path": "/~/link-to-file1.txt"},
    )
    assert r.status_code == 200, r.text
    assert r.json()["code"] == "SymlinkCreated"
    assert os.readlink(root / "link-to-file1.txt") == "file1.txt"
    # A relative target is relative to the link's directory.
    r = alice.post(
        f"operation/endpoint/{endpoint_id}/symlink",
        {"symlink_target": "nested.txt", "path": "/dir1/rel-link"},
    )
    assert r.status_code == 200
    link = {e["name"]: e for e in alice.ls(endpoint_id, "/").json()["DATA"]}["link-to-file1.txt"]
    assert link["type"] == "file" and link["size"] == 4
    assert link["link_target"] == "/file1.txt"
    assert link["link_size"] is not None and TIME_RE.match(link["link_last_modified"])
    stat = alice.get(f"operation/endpoint/{endpoint_id}/stat", params={"path": "/dir1/rel-link"})
    assert stat.status_code == 200
    assert stat.json()["link_target"] == "/dir1/nested.txt"
    assert stat.json()["size"] == 6
    r = alice.post(
        f"operation/endpoint/{endpoint_id}/symlink",
        {"symlink_target": "/file2.dat", "path": "/link-to-file1.txt"},
    )
    assert r.status_code == 409
    stat = alice.get(f"operation/endpoint/{endpoint_id}/stat", params={"path": "/file2.dat"})
    assert set(stat.json()) == FILE_KEYS and stat.json()["size"] == 100
    r = alice.get(f"operation/endpoint/{endpoint_id}/stat", params={"path": "/nope"})
    assert r.status_code == 404 and r.json()["code"] == "NotFound"


def test_dangling_symlink_is_invalid(alice: TransferUser, alice_endpoint: tuple[str, Path]) -> None:
    endpoint_id, root = alice_endpoint
    (root / "dangling").symlink_to("gone")
    entry = {e["name"]: e for e in alice.ls(endpoint_id, "/").json()["DATA"]}["dangling"]
    assert entry["type"] == "invalid_symlink"
    assert entry["link_target"] == "/gone"


@pytest.mark.parametrize("op", ["ls", "mkdir", "rename", "symlink", "stat"])
def test_unknown_endpoint(alice: TransferUser, op: str) -> None:
    endpoint_id = "5b8a1a0e-3d1f-4c1e-9f7a-000000000000"
    if op in ("ls", "stat"):
        r = alice.get(f"operation/endpoint/{endpoint_id}/{op}", params={"path": "/"})
    else:
        r = alice.post(
            f"operation/endpoint/{endpoint_id}/{op}",
            {"path": "/a", "old_path": "/a", "new_path": "/b", "symlink_target": "/a"},
        )
    assert r.status_code == 404 and r.json()["code"] == "EndpointNotFound"
