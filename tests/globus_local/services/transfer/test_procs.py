"""Child processes for small local files and for walking a local transfer's sources."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from globus_local.db import utcnow
from globus_local.services.transfer.mover import procs
from globus_local.services.transfer.mover.children import ChildLost, Children
from globus_local.services.transfer.mover.expand import TransferExpander
from globus_local.services.transfer.mover.faults import Fault
from globus_local.services.transfer.mover.temps import temp_name
from globus_local.storage.posix import PosixConnector

TASK = "0123456789abcdef"


@pytest.fixture
def roots(tmp_path: Path) -> tuple[Path, Path]:
    src, dst = tmp_path / "src", tmp_path / "dst"
    (src / "d").mkdir(parents=True)
    (dst / "d").mkdir(parents=True)
    return src, dst


def test_copy_unit_copies_into_temp_files_with_mtimes(roots: tuple[Path, Path]) -> None:
    src, dst = roots
    rows = []
    for n in range(20):
        (src / "d" / f"{n}.dat").write_bytes(os.urandom(n * 100))
        rows.append((n + 1, f"/d/{n}.dat", f"/d/{n}.dat", 1_600_000_000.0 + n, False))
    sizes = procs.copy_unit(procs.UnitSpec(str(src), str(dst), TASK, 3, rows))
    assert sizes == [(n * 100, False) for n in range(20)]
    for n in range(20):
        tmp = dst / "d" / temp_name(TASK, n + 1, 3)
        assert tmp.read_bytes() == (src / "d" / f"{n}.dat").read_bytes()
        assert tmp.stat().st_mtime == 1_600_000_000.0 + n
    assert not (dst / "d" / "0.dat").exists()  # renaming into place is the runner's


def test_copy_unit_leaves_what_it_must_not_do_to_the_caller(
    roots: tuple[Path, Path], tmp_path: Path
) -> None:
    src, dst = roots
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret").write_bytes(b"secret")
    (src / "d" / "ok").write_bytes(b"ok")
    (src / "d" / "link").symlink_to(outside / "secret")
    (dst / "escape").symlink_to(outside)  # a destination folder leading outside the root
    rows = [
        (1, "/d/ok", "/d/ok", None, False),
        (2, "/d/link", "/d/link", None, True),  # never followed here
        (3, "/d/missing", "/d/missing", None, True),
        (4, "/d/ok", "/escape/ok", None, True),
        (5, "/../outside/secret", "/d/stolen", None, True),
    ]
    sizes = procs.copy_unit(procs.UnitSpec(str(src), str(dst), TASK, 1, rows))
    assert sizes == [(2, False), None, None, None, None]
    assert sorted(p.name for p in outside.iterdir()) == ["secret"]
    assert [p.name for p in (dst / "d").iterdir()] == [temp_name(TASK, 1, 1)]


def test_copy_unit_links_new_destinations_in_and_never_over_anything(
    roots: tuple[Path, Path], tmp_path: Path
) -> None:
    src, dst = roots
    outside = tmp_path / "outside"
    outside.mkdir()
    for n in range(4):
        (src / "d" / f"{n}.dat").write_bytes(os.urandom(1000 + n))
    (dst / "d" / "1.dat").write_bytes(b"taken meanwhile")
    (dst / "d" / "2.dat").symlink_to(outside / "target")
    rows = [(n + 1, f"/d/{n}.dat", f"/d/{n}.dat", 1_600_000_000.0 + n, True) for n in range(4)]
    done = procs.copy_unit(procs.UnitSpec(str(src), str(dst), TASK, 2, rows))
    assert done == [(1000, True), (1001, False), (1002, False), (1003, True)]
    for n in (0, 3):  # linked in, complete, with its mtime; no temp file
        final = dst / "d" / f"{n}.dat"
        assert final.read_bytes() == (src / "d" / f"{n}.dat").read_bytes()
        assert final.stat().st_mtime == 1_600_000_000.0 + n
        assert not (dst / "d" / temp_name(TASK, n + 1, 2)).exists()
    # A name taken (by a file or a link) is left as it is: the copy waits in its temp file.
    assert (dst / "d" / "1.dat").read_bytes() == b"taken meanwhile"
    assert (dst / "d" / "2.dat").is_symlink() and not list(outside.iterdir())
    for n in (1, 2):
        tmp = dst / "d" / temp_name(TASK, n + 1, 2)
        assert tmp.read_bytes() == (src / "d" / f"{n}.dat").read_bytes()


def test_rename_rows_renames_in_a_child_and_leaves_what_it_cannot(
    roots: tuple[Path, Path], tmp_path: Path
) -> None:
    src, dst = roots
    outside = tmp_path / "outside"
    outside.mkdir()
    (dst / "escape").symlink_to(outside)
    rows = []
    for n in range(5):
        (dst / "d" / temp_name(TASK, n, 2)).write_bytes(b"%d" % n)
        rows.append((n, f"/d/f{n}"))
    (outside / temp_name(TASK, 7, 2)).write_bytes(b"outside")
    (dst / "d" / "taken").mkdir()
    (dst / "d" / temp_name(TASK, 8, 2)).write_bytes(b"8")
    rows += [
        (6, "/d/gone"),  # no temp file
        (7, "/escape/t"),  # through a link leading outside
        (8, "/d/taken"),  # a folder in the way
    ]
    assert procs.rename_rows(str(dst), TASK, 2, rows) == [True] * 5 + [False] * 3
    assert [(dst / "d" / f"f{n}").read_bytes() for n in range(5)] == [b"%d" % n for n in range(5)]
    assert [p.name for p in outside.iterdir()] == [temp_name(TASK, 7, 2)]
    assert (dst / "d" / temp_name(TASK, 8, 2)).read_bytes() == b"8"
    assert (dst / "d" / "taken").is_dir()


def test_expand_transfer_in_a_child_matches_the_walk_here(roots: tuple[Path, Path]) -> None:
    src, dst = roots
    for n in range(30):
        (src / "d" / f"{n % 3}").mkdir(exist_ok=True)
        (src / "d" / f"{n % 3}" / f"{n}.txt").write_bytes(b"x" * n)
    items = [{"source_path": "/d", "destination_path": "/e", "recursive": True}]
    now = utcnow()
    options = {"preserve_timestamp": True}
    a, b = PosixConnector(str(src)), PosixConnector(str(dst))
    there = procs.expand_transfer(a, b, options, now, items)
    here = TransferExpander(a, b, options, now).expand(items)
    assert there is not None
    assert there.rows == here.rows and there.files == here.files == 30


def test_the_walk_marks_the_destinations_that_are_new(roots: tuple[Path, Path]) -> None:
    src, dst = roots
    for rel in ("d/a.txt", "d/b.txt", "d/sub/c.txt"):
        (src / rel).parent.mkdir(parents=True, exist_ok=True)
        (src / rel).write_bytes(b"x")
    (dst / "e").mkdir()
    (dst / "e" / "a.txt").write_bytes(b"already there")
    (dst / "e" / "sub").mkdir()
    (dst / "e" / "sub" / "c.txt").symlink_to("/nowhere")  # a link takes the name too
    items = [
        {"source_path": "/d", "destination_path": "/e", "recursive": True},
        {"source_path": "/d", "destination_path": "/fresh", "recursive": True},
    ]
    a, b = PosixConnector(str(src)), PosixConnector(str(dst))
    rows = TransferExpander(a, b, {}, utcnow()).expand(items).rows
    new = {
        r["destination_path"]: r.get("new_destination", False) for r in rows if r["kind"] == "file"
    }
    assert new == {
        "/e/a.txt": False,
        "/e/b.txt": True,
        "/e/sub/c.txt": False,
        "/fresh/a.txt": True,
        "/fresh/b.txt": True,
        "/fresh/sub/c.txt": True,
    }


def test_expand_transfer_raises_the_walks_fault(roots: tuple[Path, Path]) -> None:
    src, dst = roots
    items = [{"source_path": "/nothing", "destination_path": "/e", "recursive": True}]
    a, b = PosixConnector(str(src)), PosixConnector(str(dst))
    with pytest.raises(Fault) as caught:
        procs.expand_transfer(a, b, {}, utcnow(), items)
    assert caught.value.code == "FILE_NOT_FOUND"


def test_turned_off(monkeypatch: pytest.MonkeyPatch, roots: tuple[Path, Path]) -> None:
    src, dst = roots
    monkeypatch.setenv("GLOBUS_LOCAL_TRANSFER_PROCESSES", "0")
    assert procs.pool() is None
    items = [{"source_path": "/d", "destination_path": "/e", "recursive": True}]
    a, b = PosixConnector(str(src)), PosixConnector(str(dst))
    assert procs.expand_transfer(a, b, {}, utcnow(), items) is None
    spec = procs.UnitSpec(str(src), str(dst), TASK, 1, [(1, "/d/x", "/d/x", None)])
    assert procs.copy_unit(spec) == [None]


def test_children_survive_a_failed_call_and_replace_a_dead_child() -> None:
    children = Children(2, [])
    try:
        first = children.call(os.getpid)
        assert first != os.getpid()
        with pytest.raises(ChildLost, match="FileNotFoundError"):
            children.call(os.stat, "/no/such/path")
        assert children.call(os.getpid) == first  # the same child, still there
        with pytest.raises(ChildLost):
            children.call(os._exit, 3)  # the child dies mid-call
        pids = {children.call(os.getpid) for _ in range(4)}
        assert first not in pids and os.getpid() not in pids
    finally:
        children.close()
    with pytest.raises(ChildLost):
        children.call(os.getpid)


def _count_in_parts(n: int) -> str:
    """(In a child) send 0..n-1 as parts, then end."""
    from globus_local.services.transfer.mover.children import send_part

    for k in range(n):
        send_part(k)
    return "end"


def test_a_call_hands_back_parts_as_they_come_and_stays_in_step() -> None:
    children = Children(1, [])
    try:
        seen: list[int] = []
        assert children.call(_count_in_parts, 5, on_part=seen.append) == "end"
        assert seen == [0, 1, 2, 3, 4]

        def refuse(value: int) -> None:
            raise RuntimeError(f"refused {value}")

        with pytest.raises(RuntimeError, match="refused 0"):
            children.call(_count_in_parts, 3, on_part=refuse)
        # The refused call was read to its end: the next call gets its own answer.
        assert children.call(_count_in_parts, 0) == "end"
    finally:
        children.close()


def test_expand_transfer_in_parts_gives_every_row_once_in_order(
    roots: tuple[Path, Path],
) -> None:
    src, dst = roots
    for n in range(2500):
        folder = src / "d" / f"{n // 400}"
        folder.mkdir(exist_ok=True)
        (folder / f"{n}.txt").write_bytes(b"x")
    items = [{"source_path": "/d", "destination_path": "/e", "recursive": True}]
    now = utcnow()
    a, b = PosixConnector(str(src)), PosixConnector(str(dst))
    parts: list[list[dict[str, object]]] = []
    there = procs.expand_transfer(a, b, {}, now, items, on_rows=parts.append)
    here = TransferExpander(a, b, {}, now).expand(items)
    assert there is not None
    assert [len(p) for p in parts] == [procs.WALK_PART] * 2
    assert [r for p in parts for r in p] + there.rows == here.rows
    assert there.files == here.files == 2500 and there.directories == here.directories


def test_many_renames_are_split_between_the_children(roots: tuple[Path, Path]) -> None:
    _, dst = roots
    count = 4 * procs.MIN_ROWS + 1
    rows = []
    for n in range(count):
        (dst / "d" / temp_name(TASK, n, 1)).write_bytes(b"%d" % n)
        rows.append((n, f"/d/f{n}"))
    rows.append((count, "/d/none"))  # no temp file: not renamed, and said so in its place
    assert procs.rename_rows(str(dst), TASK, 1, rows) == [True] * count + [False]
    assert sorted(p.name for p in (dst / "d").iterdir()) == sorted(f"f{n}" for n in range(count))
