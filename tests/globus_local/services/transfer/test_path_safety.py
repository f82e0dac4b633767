"""Nothing outside an endpoint's root is ever listed, read, created, moved or linked, and
nobody reaches another user's endpoint: every file operation is attacked over HTTP."""

from __future__ import annotations

import os
import typing as t
from pathlib import Path

import pytest
import requests

from tests.globus_local.services.transfer.support import TransferUser

SECRET = b"TOP-SECRET-CONTENT"
ESCAPES = [
    "/..",
    "/../",
    "../",
    "/~/../",
    "~/../../",
    "/dir1/../../",
    "/dir1/../../outside/secret.txt",
    "/./../outside",
]


@pytest.fixture
def jail(alice: TransferUser, make_endpoint: t.Any, tmp_path: Path) -> tuple[str, Path, Path]:
    """Alice's endpoint on <tmp>/jail beside <tmp>/outside, with links pointing out."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_bytes(SECRET)
    endpoint_id, root = make_endpoint(alice, "jail", root=tmp_path / "jail")
    (root / "dir1").mkdir()
    (root / "ok.txt").write_bytes(b"ok")
    (root / "out-dir").symlink_to(outside)
    (root / "out-file").symlink_to(outside / "secret.txt")
    (root / "abs-etc").symlink_to("/etc")
    (root / "dir1" / "up").symlink_to("../../outside")
    return endpoint_id, root, outside


def snapshot(directory: Path) -> dict[str, bytes | None]:
    out: dict[str, bytes | None] = {}
    for dirpath, dirnames, filenames in os.walk(directory):
        for name in dirnames:
            out[os.path.join(dirpath, name)] = None
        for name in filenames:
            with open(os.path.join(dirpath, name), "rb") as f:
                out[os.path.join(dirpath, name)] = f.read()
    return out


def refused(response: requests.Response) -> None:
    assert response.status_code in (400, 403, 404), (response.status_code, response.text)
    body = response.json()
    assert "DATA" not in body
    assert SECRET not in response.content
    assert body["code"].startswith(
        ("ClientError.", "PermissionDenied", "EndpointPermissionDenied", "NotFound")
    ), body


@pytest.mark.parametrize("path", ESCAPES)
def test_dot_dot_never_leaves_the_root(
    alice: TransferUser, jail: tuple[str, Path, Path], path: str
) -> None:
    endpoint_id, root, outside = jail
    before = snapshot(outside)
    ops = f"operation/endpoint/{endpoint_id}"
    refused(alice.ls(endpoint_id, path))
    refused(alice.get(f"{ops}/stat", params={"path": path}))
    refused(alice.post(f"{ops}/mkdir", {"path": path + "/newdir"}))
    refused(alice.post(f"{ops}/rename", {"old_path": "/ok.txt", "new_path": path + "/moved"}))
    refused(alice.post(f"{ops}/rename", {"old_path": path + "/secret.txt", "new_path": "/x"}))
    refused(alice.post(f"{ops}/symlink", {"symlink_target": path, "path": "/link"}))
    refused(alice.post(f"{ops}/symlink", {"symlink_target": "/ok.txt", "path": path + "/l"}))
    assert snapshot(outside) == before
    assert (root / "ok.txt").exists() and not os.path.lexists(root / "link")


def test_percent_encoded_dot_dot(alice: TransferUser, jail: tuple[str, Path, Path]) -> None:
    endpoint_id, _, _ = jail
    base = alice.base_url + f"operation/endpoint/{endpoint_id}/ls?path="
    headers = {"Authorization": f"Bearer {alice.token}"}
    # Decoded once by HTTP: a real '..' (refused).
    for raw in ("%2E%2E%2F", "%2e%2e/%2e%2e/outside/", "/dir1/%2e%2e/%2e%2e/"):
        refused(requests.get(base + raw, headers=headers, timeout=10))
    # Double-encoded: the name '%2e%2e' literally, which does not exist.
    r = requests.get(base + "/%252e%252e/", headers=headers, timeout=10)
    assert r.status_code == 404


def test_absolute_tricks_stay_inside(alice: TransferUser, jail: tuple[str, Path, Path]) -> None:
    endpoint_id, root, _ = jail
    for path in ("//etc", "/etc/", "///etc/passwd", "/~//etc"):
        r = alice.ls(endpoint_id, path)
        assert r.status_code == 404, path  # <root>/etc does not exist
    r = alice.post(f"operation/endpoint/{endpoint_id}/mkdir", {"path": "//etc"})
    assert r.status_code == 200
    assert (root / "etc").is_dir()


def test_symlinks_pointing_outside_are_never_followed(
    alice: TransferUser, jail: tuple[str, Path, Path]
) -> None:
    endpoint_id, root, outside = jail
    before = snapshot(outside)
    ops = f"operation/endpoint/{endpoint_id}"
    listing = {e["name"]: e for e in alice.ls(endpoint_id, "/").json()["DATA"]}
    for name in ("out-dir", "out-file", "abs-etc"):
        entry = listing[name]
        assert entry["type"] == "invalid_symlink", entry
        assert entry["link_target"] is None
        assert entry["size"] == entry["link_size"]  # only the link itself is described
    for path in ("/out-dir", "/out-dir/", "/abs-etc/", "/dir1/up/", "/out-file"):
        refused(alice.ls(endpoint_id, path))
    for path in ("/out-dir/secret.txt", "/dir1/up/secret.txt", "/abs-etc/passwd"):
        refused(alice.get(f"{ops}/stat", params={"path": path}))
    refused(alice.post(f"{ops}/mkdir", {"path": "/out-dir/new"}))
    refused(alice.post(f"{ops}/mkdir", {"path": "/dir1/up/new"}))
    refused(alice.post(f"{ops}/rename", {"old_path": "/ok.txt", "new_path": "/out-dir/ok.txt"}))
    refused(
        alice.post(f"{ops}/rename", {"old_path": "/out-dir/secret.txt", "new_path": "/got.txt"})
    )
    refused(alice.post(f"{ops}/symlink", {"symlink_target": "/ok.txt", "path": "/out-dir/l"}))
    # A link may be made to a path reached through an outside link, but is never followed.
    r = alice.post(f"{ops}/symlink", {"symlink_target": "/out-dir/secret.txt", "path": "/via-link"})
    if r.status_code == 200:
        entry = {e["name"]: e for e in alice.ls(endpoint_id, "/").json()["DATA"]}["via-link"]
        assert entry["type"] == "invalid_symlink" and entry["link_target"] is None
        stat = alice.get(f"{ops}/stat", params={"path": "/via-link/"}).json()
        assert stat["type"] == "invalid_symlink" and stat["link_target"] is None
        refused(alice.ls(endpoint_id, "/via-link/"))
    else:
        refused(r)
    # The link itself may be stat'ed (it is inside) and renamed; its target stays put.
    stat = alice.get(f"{ops}/stat", params={"path": "/out-file"}).json()
    assert stat["type"] == "invalid_symlink"
    assert alice.post(
        f"{ops}/rename", {"old_path": "/out-file", "new_path": "/dir1/renamed-link"}
    ).ok
    assert os.path.islink(root / "dir1" / "renamed-link")
    assert snapshot(outside) == before


def test_share_cannot_reach_the_rest_of_its_host(
    alice: TransferUser, bob: TransferUser, jail: tuple[str, Path, Path]
) -> None:
    endpoint_id, root, outside = jail
    (root / "shared").mkdir()
    (root / "shared" / "in.txt").write_bytes(b"in")
    (root / "private.txt").write_bytes(b"host-only")
    (root / "shared" / "to-host").symlink_to(root / "private.txt")
    share_id = alice.post(
        "shared_endpoint",
        {"host_endpoint": endpoint_id, "host_path": "/shared/", "display_name": "s"},
    ).json()["id"]
    alice.post(
        f"endpoint/{share_id}/access",
        {"principal_type": "identity", "principal": bob.id, "path": "/", "permissions": "rw"},
    )
    assert [e["name"] for e in bob.ls(share_id, "/").json()["DATA"]] == ["in.txt", "to-host"]
    entry = {e["name"]: e for e in bob.ls(share_id, "/").json()["DATA"]}["to-host"]
    # Pointing outside the share: not followed, and the host path is not revealed.
    assert entry["type"] == "invalid_symlink" and entry["link_target"] is None
    assert str(root).encode() not in bob.ls(share_id, "/").content
    ops = f"operation/endpoint/{share_id}"
    for path in ("/../", "/../private.txt", "/~/../"):
        refused(bob.ls(share_id, path))
        refused(bob.get(f"{ops}/stat", params={"path": path}))
    refused(bob.ls(share_id, "/to-host/"))
    stat = bob.get(f"{ops}/stat", params={"path": "/to-host"}).json()
    assert stat["type"] == "invalid_symlink" and stat["size"] == stat["link_size"]
    refused(bob.post(f"{ops}/rename", {"old_path": "/in.txt", "new_path": "/../stolen.txt"}))
    refused(bob.post(f"{ops}/mkdir", {"path": "/../new"}))
    refused(bob.post(f"{ops}/symlink", {"symlink_target": "/../private.txt", "path": "/l"}))
    assert sorted(os.listdir(root)) == sorted(
        ["abs-etc", "dir1", "ok.txt", "out-dir", "out-file", "private.txt", "shared"]
    )


def test_other_users_touch_nothing(
    alice: TransferUser, bob: TransferUser, jail: tuple[str, Path, Path]
) -> None:
    endpoint_id, root, _ = jail
    before = snapshot(root)
    ops = f"operation/endpoint/{endpoint_id}"
    attempts = [
        bob.ls(endpoint_id, "/"),
        bob.ls(endpoint_id, "/dir1/"),
        bob.get(f"{ops}/stat", params={"path": "/ok.txt"}),
        bob.post(f"{ops}/mkdir", {"path": "/bob"}),
        bob.post(f"{ops}/rename", {"old_path": "/ok.txt", "new_path": "/bob.txt"}),
        bob.post(f"{ops}/symlink", {"symlink_target": "/ok.txt", "path": "/bob-link"}),
        bob.get(f"endpoint/{endpoint_id}"),
        bob.put(f"endpoint/{endpoint_id}", {"display_name": "bob's"}),
        bob.delete(f"endpoint/{endpoint_id}"),
        bob.post(f"endpoint/{endpoint_id}/server", {"hostname": "h"}),
        bob.post(
            f"endpoint/{endpoint_id}/role",
            {"principal_type": "identity", "principal": bob.id, "role": "administrator"},
        ),
        bob.post(
            "shared_endpoint",
            {"host_endpoint": endpoint_id, "host_path": "/", "display_name": "steal"},
        ),
        bob.post("bookmark", {"name": "b", "endpoint_id": endpoint_id, "path": "/"}),
    ]
    for r in attempts:
        assert r.status_code == 403, (r.request.method, r.request.url, r.text)
        assert r.json()["code"] in ("EndpointPermissionDenied", "PermissionDenied")
        assert b"ok.txt" not in r.content
    assert snapshot(root) == before
    assert alice.get(f"endpoint/{endpoint_id}").json()["display_name"] == "jail"
