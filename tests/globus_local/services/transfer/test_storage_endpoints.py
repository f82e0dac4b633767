"""Endpoints on fsspec storage over HTTP: S3 (a local moto server) and memory://."""

from __future__ import annotations

import secrets
import typing as t

import pytest

from globus_local.storage import connector_for_location
from globus_local.testing import LocalServer
from tests.globus_local.services.transfer.support import TransferUser


@pytest.fixture(params=[pytest.param("s3", marks=pytest.mark.live), "memory"])
def storage(request: pytest.FixtureRequest) -> tuple[str, dict[str, t.Any] | None]:
    if request.param == "s3":
        return t.cast(tuple[str, dict[str, t.Any]], request.getfixturevalue("s3_bucket_factory")())
    return f"memory://ep-{secrets.token_hex(4)}/data", None


def test_object_storage_endpoint(
    transfer_server: LocalServer,
    alice: TransferUser,
    bob: TransferUser,
    storage: tuple[str, dict[str, t.Any] | None],
) -> None:
    from globus_local.services.transfer.admin import create_endpoint

    url, options = storage
    seed = connector_for_location(url, options)
    seed.mkdir("/dir")
    with seed.open_write("/dir/a.txt") as f:
        f.write(b"abc")
    doc = create_endpoint(
        transfer_server.db, alice.username, "bucket", url, storage_options=options
    )
    endpoint_id = doc["id"]
    ops = f"operation/endpoint/{endpoint_id}"

    body = alice.ls(endpoint_id, "/").json()
    assert body["symlink_supported"] is False
    assert [(e["name"], e["type"]) for e in body["DATA"]] == [("dir", "dir")]
    entry = alice.ls(endpoint_id, "/dir/").json()["DATA"][0]
    assert (entry["name"], entry["size"], entry["type"]) == ("a.txt", 3, "file")
    assert entry["last_modified"].endswith("+00:00")

    assert alice.post(f"{ops}/mkdir", {"path": "/new"}).json()["code"] == "DirectoryCreated"
    r = alice.post(f"{ops}/mkdir", {"path": "/new"})
    assert r.status_code == 502 and r.json()["code"] == "ExternalError.MkdirFailed.Exists"
    assert alice.post(f"{ops}/rename", {"old_path": "/dir", "new_path": "/new/moved"}).ok
    assert [e["name"] for e in alice.ls(endpoint_id, "/new/moved/").json()["DATA"]] == ["a.txt"]
    r = alice.post(f"{ops}/symlink", {"symlink_target": "/new", "path": "/link"})
    assert r.status_code == 400 and r.json()["code"] == "ClientError.NotSupported"
    stat = alice.get(f"{ops}/stat", params={"path": "/new/moved/a.txt"}).json()
    assert stat["size"] == 3

    # Confinement and ownership hold on object storage too.
    assert alice.ls(endpoint_id, "/../").status_code == 403
    assert bob.ls(endpoint_id, "/").status_code == 403
    assert bob.post(f"{ops}/mkdir", {"path": "/bob"}).status_code == 403
    assert not seed.exists("/bob")
    with seed.open_read("/new/moved/a.txt") as f:
        assert f.read() == b"abc"
