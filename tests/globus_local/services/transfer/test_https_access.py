"""HTTPS file access (``/v0.10/https/<endpoint>/<path>``): a file read and written over
HTTP with a Transfer token, held to the rights and the root ``ls`` is held to."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import requests

from globus_local.services.transfer import https_access

from .support import TransferUser


def _url(endpoint_id: str, path: str) -> str:
    return f"https/{endpoint_id}/{path.lstrip('/')}"


def test_the_owner_downloads_a_file_in_chunks_with_its_headers(
    alice: TransferUser, alice_endpoint: tuple[str, Path]
) -> None:
    endpoint_id, root = alice_endpoint
    big = os.urandom(https_access.CHUNK_BYTES * 2 + 12345)  # several chunks
    (root / "dir1" / "big.bin").write_bytes(big)

    answer = alice.get(_url(endpoint_id, "/dir1/big.bin"))
    assert answer.status_code == 200, answer.text
    assert answer.content == big
    assert answer.headers["content-length"] == str(len(big))
    assert answer.headers["content-type"] == "application/octet-stream"
    assert "content-disposition" not in answer.headers
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["content-security-policy"] == "sandbox"

    saved = alice.get(_url(endpoint_id, "/file1.txt"), params={"download": ""})
    assert saved.content == b"abcd"
    assert saved.headers["content-type"].startswith("text/plain")
    assert saved.headers["content-disposition"] == "attachment; filename*=UTF-8''file1.txt"
    # ~ is the endpoint's default directory, as in every Transfer path
    assert alice.get(_url(endpoint_id, "/~/dir1/nested.txt")).content == b"nested"


def test_folders_and_missing_files_are_clear_4xx(
    alice: TransferUser, alice_endpoint: tuple[str, Path]
) -> None:
    endpoint_id, _root = alice_endpoint
    folder = alice.get(_url(endpoint_id, "/dir1"))
    assert folder.status_code == 400 and folder.json()["code"] == "IsADirectory"
    missing = alice.get(_url(endpoint_id, "/nope.txt"))
    assert missing.status_code == 404 and missing.json()["code"] == "ClientError.NotFound"
    unknown = alice.get(_url("7a1c1f3e-0000-4000-8000-000000000000", "/x"))
    assert unknown.status_code == 404


def test_upload_creates_then_replaces_and_leaves_nothing_else(
    alice: TransferUser, alice_endpoint: tuple[str, Path]
) -> None:
    endpoint_id, root = alice_endpoint
    created = alice.http("PUT", _url(endpoint_id, "/dir1/new.txt"), data=b"first")
    assert created.status_code == 201, created.text
    assert created.json()["code"] == "Created" and created.json()["size"] == 5
    assert (root / "dir1" / "new.txt").read_bytes() == b"first"

    body = os.urandom(https_access.CHUNK_BYTES + 7)
    replaced = alice.http("POST", _url(endpoint_id, "/dir1/new.txt"), data=body)
    assert replaced.status_code == 200 and replaced.json()["code"] == "Replaced"
    assert (root / "dir1" / "new.txt").read_bytes() == body
    assert sorted(p.name for p in (root / "dir1").iterdir()) == ["nested.txt", "new.txt"]

    # sent in chunks with no length announced
    streamed = alice.http(
        "PUT", _url(endpoint_id, "/streamed.bin"), data=iter([b"ab", b"cd", b"ef"])
    )
    assert streamed.status_code == 201, streamed.text
    assert (root / "streamed.bin").read_bytes() == b"abcdef"


def test_a_file_is_stored_as_sent_even_when_it_reads_as_json_with_nul(
    alice: TransferUser, alice_endpoint: tuple[str, Path]
) -> None:
    """API documents with NUL are refused; a file's bytes are not a document."""
    endpoint_id, root = alice_endpoint
    content = b'{"note": "a\\u0000b"}'
    stored = alice.http("PUT", _url(endpoint_id, "/record.json"), data=content)
    assert stored.status_code == 201, stored.text
    assert (root / "record.json").read_bytes() == content


def test_upload_refusals(alice: TransferUser, alice_endpoint: tuple[str, Path]) -> None:
    endpoint_id, root = alice_endpoint
    no_folder = alice.http("PUT", _url(endpoint_id, "/missing/x.txt"), data=b"x")
    assert no_folder.status_code == 404
    onto_folder = alice.http("PUT", _url(endpoint_id, "/dir1"), data=b"x")
    assert onto_folder.status_code == 400 and onto_folder.json()["code"] == "IsADirectory"
    root_itself = alice.http("PUT", _url(endpoint_id, "/"), data=b"x")
    assert root_itself.status_code == 400
    assert not (root / "missing").exists()


def test_uploads_over_the_limit_are_413_and_change_nothing(
    alice: TransferUser, alice_endpoint: tuple[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    endpoint_id, root = alice_endpoint
    monkeypatch.setenv(https_access.MAX_UPLOAD_ENV, "10")  # the server runs in this process
    declared = alice.http("PUT", _url(endpoint_id, "/file1.txt"), data=b"x" * 11)
    assert declared.status_code == 413, declared.text
    assert declared.json()["code"] == "ClientError.RequestTooLarge"
    assert "10 bytes" in declared.json()["message"]
    # no length announced: refused once the eleventh byte arrives, old file kept
    chunked = alice.http("PUT", _url(endpoint_id, "/file1.txt"), data=iter([b"x" * 6] * 2))
    assert chunked.status_code == 413
    assert (root / "file1.txt").read_bytes() == b"abcd"
    assert not [p for p in root.iterdir() if p.name.startswith(https_access.PARTIAL_PREFIX)]
    fits = alice.http("PUT", _url(endpoint_id, "/file1.txt"), data=b"x" * 10)
    assert fits.status_code == 200


def test_another_user_may_neither_read_nor_write(
    alice_endpoint: tuple[str, Path], bob: TransferUser
) -> None:
    endpoint_id, root = alice_endpoint
    read = bob.get(_url(endpoint_id, "/file1.txt"))
    assert read.status_code == 403, read.text
    assert read.json()["code"] == "EndpointPermissionDenied"
    assert "abcd" not in read.text
    write = bob.http("PUT", _url(endpoint_id, "/file1.txt"), data=b"bob")
    assert write.status_code == 403
    assert (root / "file1.txt").read_bytes() == b"abcd"
    # as ls answers him
    assert bob.ls(endpoint_id, "/").status_code == 403


def test_a_token_is_required(alice: TransferUser, alice_endpoint: tuple[str, Path]) -> None:
    endpoint_id, _root = alice_endpoint
    anonymous = alice.http("GET", _url(endpoint_id, "/file1.txt"), headers={"Authorization": ""})
    assert anonymous.status_code == 401


@pytest.mark.parametrize(
    "path",
    [
        "%2E%2E/%2E%2E/etc/passwd",
        "dir1/%2E%2E/%2E%2E/etc/passwd",
        "%2E%2E%2Foutside.txt",
        "outlink/secret.txt",
        "badlink",
    ],
)
def test_paths_that_leave_the_root_are_refused(
    alice: TransferUser, alice_endpoint: tuple[str, Path], path: str
) -> None:
    endpoint_id, root = alice_endpoint
    outside = root.parent / f"outside-{root.name}"
    outside.mkdir(exist_ok=True)
    (outside / "secret.txt").write_bytes(b"confidential")
    (root.parent / "outside.txt").write_bytes(b"confidential")
    if not (root / "outlink").exists():
        (root / "outlink").symlink_to(outside)
        (root / "badlink").symlink_to(outside / "secret.txt")
    base = alice.base_url + f"https/{endpoint_id}/"
    headers = {"Authorization": f"Bearer {alice.token}"}
    got = requests.get(base + path, headers=headers, timeout=30)
    assert got.status_code == 403, (path, got.status_code, got.text)
    assert "confidential" not in got.text
    put = requests.put(base + path, data=b"overwritten", headers=headers, timeout=30)
    assert put.status_code == 403, (path, put.status_code, put.text)
    assert (outside / "secret.txt").read_bytes() == b"confidential"
    assert (root.parent / "outside.txt").read_bytes() == b"confidential"
    assert not list(outside.glob(f"{https_access.PARTIAL_PREFIX}*"))


def test_dot_segments_inside_the_root_are_fine(
    alice: TransferUser, alice_endpoint: tuple[str, Path]
) -> None:
    endpoint_id, _root = alice_endpoint
    url = alice.base_url + f"https/{endpoint_id}/dir1/%2E%2E/file1.txt"
    answer = requests.get(url, headers={"Authorization": f"Bearer {alice.token}"}, timeout=30)
    assert answer.status_code == 200 and answer.content == b"abcd"
