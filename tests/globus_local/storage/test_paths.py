"""Endpoint path normalisation and confinement to the root."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from globus_local.storage import InvalidPath, PathEscape, normalize, resolve
from globus_local.storage.paths import join, parent, to_endpoint_path


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (None, "/"),
        ("", "/"),
        ("/", "/"),
        ("~", "/"),
        ("/~", "/"),
        ("/~/", "/"),
        ("~/a/b/", "/a/b"),
        ("/~/a//b/./c", "/a/b/c"),
        ("a/b", "/a/b"),
        ("/a/b/../c", "/a/c"),
        ("/a/..", "/"),
        ("/%2e%2e/x", "/%2e%2e/x"),  # not decoded: an ordinary name
        ("/a/~/b", "/a/~/b"),
        ("/...", "/..."),
    ],
)
def test_normalize(given: str | None, expected: str) -> None:
    assert normalize(given) == expected


@pytest.mark.parametrize("bad", ["/..", "..", "/../etc", "/a/../../b", "~/../x", "/~/../../"])
def test_normalize_refuses_climbing_above_root(bad: str) -> None:
    with pytest.raises(PathEscape):
        normalize(bad)


def test_normalize_refuses_nul() -> None:
    with pytest.raises(InvalidPath):
        normalize("/a\x00b")


def test_join_and_parent() -> None:
    assert join("/", "a") == "/a"
    assert join("/a", "b") == "/a/b"
    assert parent("/a/b") == "/a"
    assert parent("/a") == "/"
    for bad in ("", "..", ".", "a/b"):
        with pytest.raises(InvalidPath):
            join("/a", bad)


def test_resolve_inside(tmp_path: Path) -> None:
    root = tmp_path / "root"
    (root / "a").mkdir(parents=True)
    real_root = os.path.realpath(root)
    assert resolve(str(root), "/") == real_root
    assert resolve(str(root), "/a/new") == os.path.join(real_root, "a", "new")
    assert to_endpoint_path(os.path.join(real_root, "a"), str(root)) == "/a"
    assert to_endpoint_path(str(tmp_path), str(root)) is None


def test_resolve_refuses_symlinks_leading_outside(tmp_path: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret").write_text("s")
    (root / "out").symlink_to(outside)
    (root / "abs").symlink_to("/etc/passwd")
    (root / "rel").symlink_to("../outside/secret")
    for path in ("/out", "/out/secret", "/abs", "/rel", "/out/new-file"):
        with pytest.raises(PathEscape):
            resolve(str(root), path)
    # The link itself may be named (to remove or rename it) without following it.
    assert resolve(str(root), "/out", follow=False).endswith(os.sep + "out")
    with pytest.raises(PathEscape):
        resolve(str(root), "/out/secret", follow=False)


def test_resolve_allows_symlinks_inside(tmp_path: Path) -> None:
    root = tmp_path / "root"
    (root / "data").mkdir(parents=True)
    (root / "link").symlink_to("data")
    assert resolve(str(root), "/link") == os.path.realpath(root / "data")


def test_sibling_directory_with_common_prefix_is_outside(tmp_path: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    sibling = tmp_path / "root-other"
    sibling.mkdir()
    (root / "s").symlink_to(sibling)
    with pytest.raises(PathEscape):
        resolve(str(root), "/s")
