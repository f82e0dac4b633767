"""The data mover honours every transfer and delete option (over HTTP, on both databases)."""

from __future__ import annotations

import hashlib
import os
import typing as t
from pathlib import Path

import pytest

from tests.globus_local.services.transfer.support import (
    TransferUser,
    events,
    run_delete,
    run_transfer,
    submit,
    transfer_doc,
    wait_task,
)

MakeEndpoint = t.Callable[..., tuple[str, Path]]


@pytest.fixture
def pair(alice: TransferUser, make_endpoint: MakeEndpoint) -> tuple[str, Path, str, Path]:
    src_id, src = make_endpoint(alice, "source")
    dst_id, dst = make_endpoint(alice, "destination")
    return src_id, src, dst_id, dst


def _tree(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


def _no_temps(root: Path) -> None:
    assert not [p for p in root.rglob(".globus-local-*")]


def test_recursive_transfer_copies_tree(alice: TransferUser, pair: t.Any) -> None:
    src_id, src, dst_id, dst = pair
    (src / "a" / "b").mkdir(parents=True)
    (src / "a" / "one.txt").write_bytes(b"1" * 10)
    (src / "a" / "b" / "two.bin").write_bytes(os.urandom(3000))
    (src / "a" / "empty").mkdir()
    doc = run_transfer(
        alice,
        src_id,
        dst_id,
        [{"source_path": "/a/", "destination_path": "/x/", "recursive": True}],
    )
    assert doc["status"] == "SUCCEEDED", doc
    assert _tree(dst / "x") == _tree(src / "a")
    assert (dst / "x" / "empty").is_dir()
    assert doc["files"] == 2 and doc["directories"] == 3
    assert doc["files_transferred"] == 2 and doc["bytes_transferred"] == 3010
    assert doc["subtasks_pending"] == 0 and doc["subtasks_succeeded"] == doc["subtasks_total"]
    assert doc["completion_time"] is not None and doc["nice_status"] is None
    codes = [e["code"] for e in events(alice, doc["task_id"])]
    assert codes[0] == "SUCCEEDED" and "STARTED" in codes
    _no_temps(dst)


def test_recursive_transfer_into_a_folder_with_some_names_taken(
    alice: TransferUser, pair: t.Any
) -> None:
    """Names free at expansion are linked in; taken ones go through a temp name and
    replace what is there (a file, or a link, never followed)."""
    src_id, src, dst_id, dst = pair
    (src / "a").mkdir()
    for n in range(40):
        (src / "a" / f"{n}.dat").write_bytes(os.urandom(100 + n))
    (dst / "x").mkdir()
    (dst / "x" / "3.dat").write_bytes(b"old")
    (dst / "outside-target").write_bytes(b"keep")
    (dst / "x" / "4.dat").symlink_to(dst / "outside-target")
    doc = run_transfer(
        alice,
        src_id,
        dst_id,
        [{"source_path": "/a/", "destination_path": "/x/", "recursive": True}],
        preserve_timestamp=True,
    )
    assert doc["status"] == "SUCCEEDED", doc
    assert _tree(dst / "x") == _tree(src / "a")
    assert not (dst / "x" / "4.dat").is_symlink()
    assert (dst / "outside-target").read_bytes() == b"keep"
    for n in range(40):
        assert (dst / "x" / f"{n}.dat").stat().st_mtime == (src / "a" / f"{n}.dat").stat().st_mtime
    assert doc["files_transferred"] == 40 and doc["bytes_transferred"] == sum(
        100 + n for n in range(40)
    )
    _no_temps(dst)


def test_file_item_creates_missing_parents_and_overwrites(alice: TransferUser, pair: t.Any) -> None:
    src_id, src, dst_id, dst = pair
    (src / "f.txt").write_bytes(b"new content")
    (dst / "deep" / "er").mkdir(parents=True)
    (dst / "deep" / "er" / "g.txt").write_bytes(b"old")
    doc = run_transfer(
        alice,
        src_id,
        dst_id,
        [
            {"source_path": "/f.txt", "destination_path": "/deep/er/g.txt"},
            {"source_path": "/f.txt", "destination_path": "/p/q/r.txt"},
        ],
    )
    assert doc["status"] == "SUCCEEDED"
    assert (dst / "deep" / "er" / "g.txt").read_bytes() == b"new content"
    assert (dst / "p" / "q" / "r.txt").read_bytes() == b"new content"


@pytest.mark.parametrize(
    ("level", "expected_copied"),
    [(0, {"changed_same_size", "missing"}), (1, {"missing", "bigger"}), (2, None), (3, None)],
)
def test_sync_levels(
    alice: TransferUser, pair: t.Any, level: int, expected_copied: set[str] | None
) -> None:
    src_id, src, dst_id, dst = pair
    old, new = 1_600_000_000, 1_700_000_000
    files = {
        "same": (b"same", b"same", new, new),
        "changed_same_size": (b"AAAA", b"BBBB", new, old),  # dest older, same size
        "bigger": (b"longer data", b"short", old, new),  # dest newer, other size
    }
    (src / "d").mkdir()
    (dst / "d").mkdir()
    for name, (src_data, dst_data, src_mtime, dst_mtime) in files.items():
        (src / "d" / name).write_bytes(src_data)
        os.utime(src / "d" / name, (src_mtime, src_mtime))
        (dst / "d" / name).write_bytes(dst_data)
        os.utime(dst / "d" / name, (dst_mtime, dst_mtime))
    (src / "d" / "missing").write_bytes(b"m")
    before = {n: (dst / "d" / n).read_bytes() for n in files}
    doc = run_transfer(
        alice,
        src_id,
        dst_id,
        [{"source_path": "/d", "destination_path": "/d", "recursive": True}],
        sync_level=level,
    )
    assert doc["status"] == "SUCCEEDED", doc
    assert doc["sync_level"] == level
    copied = {
        n
        for n in [*files, "missing"]
        if n == "missing" or (dst / "d" / n).read_bytes() != before[n]
    }
    if level == 0:
        assert copied == {"missing"}
    elif level == 1:
        assert copied == {"missing", "bigger"}
    elif level == 2:  # sizes differ, or the destination is older (levels are cumulative)
        assert copied == {"missing", "changed_same_size", "bigger"}
    else:  # checksums differ
        assert copied == {"missing", "changed_same_size", "bigger"}
        assert doc["bytes_checksummed"] > 0
    assert doc["files_transferred"] == len(copied)
    assert doc["files_skipped"] == 4 - len(copied)


@pytest.mark.parametrize("algorithm", [None, "SHA1", "SHA256", "SHA512", "ADLER32", "CRC32"])
def test_verify_checksum_with_algorithms(
    alice: TransferUser, pair: t.Any, algorithm: str | None
) -> None:
    src_id, src, dst_id, dst = pair
    data = os.urandom(200_000)
    (src / "v.bin").write_bytes(data)
    item: dict[str, t.Any] = {"source_path": "/v.bin", "destination_path": "/v.bin"}
    if algorithm:
        item["checksum_algorithm"] = algorithm
    doc = run_transfer(alice, src_id, dst_id, [item], verify_checksum=True)
    assert doc["status"] == "SUCCEEDED", doc
    assert doc["verify_checksum"] is True
    assert doc["bytes_checksummed"] == len(data)
    assert (dst / "v.bin").read_bytes() == data


def test_external_checksum_match_and_mismatch(alice: TransferUser, pair: t.Any) -> None:
    src_id, src, dst_id, dst = pair
    (src / "e.txt").write_bytes(b"external")
    good = hashlib.sha256(b"external").hexdigest()
    doc = run_transfer(
        alice,
        src_id,
        dst_id,
        [
            {
                "source_path": "/e.txt",
                "destination_path": "/ok.txt",
                "external_checksum": good.upper(),
                "checksum_algorithm": "SHA256",
            }
        ],
    )
    assert doc["status"] == "SUCCEEDED", doc
    assert (dst / "ok.txt").read_bytes() == b"external"
    doc = run_transfer(
        alice,
        src_id,
        dst_id,
        [{"source_path": "/e.txt", "destination_path": "/bad.txt", "external_checksum": "0" * 32}],
    )
    assert doc["status"] == "FAILED"
    assert doc["fatal_error"]["code"] == "CHECKSUM_MISMATCH"
    assert not (dst / "bad.txt").exists()
    _no_temps(dst)
    assert any(e["is_error"] for e in events(alice, doc["task_id"]))


def test_preserve_timestamp(alice: TransferUser, pair: t.Any) -> None:
    src_id, src, dst_id, dst = pair
    (src / "t").mkdir()
    (src / "t" / "old.txt").write_bytes(b"old")
    os.utime(src / "t" / "old.txt", (1_500_000_000, 1_500_000_000))
    os.utime(src / "t", (1_400_000_000, 1_400_000_000))
    doc = run_transfer(
        alice,
        src_id,
        dst_id,
        [{"source_path": "/t", "destination_path": "/t", "recursive": True}],
        preserve_timestamp=True,
    )
    assert doc["status"] == "SUCCEEDED" and doc["preserve_timestamp"] is True
    assert int((dst / "t" / "old.txt").stat().st_mtime) == 1_500_000_000
    assert int((dst / "t").stat().st_mtime) == 1_400_000_000
    doc = run_transfer(
        alice, src_id, dst_id, [{"source_path": "/t/old.txt", "destination_path": "/n.txt"}]
    )
    assert int((dst / "n.txt").stat().st_mtime) != 1_500_000_000


@pytest.mark.parametrize("mode", ["ignore", "keep", "copy"])
def test_recursive_symlinks(alice: TransferUser, pair: t.Any, mode: str) -> None:
    src_id, src, dst_id, dst = pair
    (src / "s" / "real").mkdir(parents=True)
    (src / "s" / "real" / "r.txt").write_bytes(b"real")
    (src / "s" / "file.txt").write_bytes(b"file")
    os.symlink("file.txt", src / "s" / "link-file")
    os.symlink("real", src / "s" / "link-dir")
    doc = run_transfer(
        alice,
        src_id,
        dst_id,
        [{"source_path": "/s", "destination_path": "/s", "recursive": True}],
        recursive_symlinks=mode,
    )
    assert doc["status"] == "SUCCEEDED", doc
    assert doc["recursive_symlinks"] == mode
    out = dst / "s"
    if mode == "ignore":
        assert not os.path.lexists(out / "link-file") and not os.path.lexists(out / "link-dir")
    elif mode == "keep":
        assert (out / "link-file").is_symlink() and (out / "link-dir").is_symlink()
        assert (out / "link-file").read_bytes() == b"file"
        assert (out / "link-dir" / "r.txt").read_bytes() == b"real"
        assert doc["symlinks"] == 2
    else:
        assert not (out / "link-file").is_symlink()
        assert (out / "link-file").read_bytes() == b"file"
        assert (out / "link-dir").is_dir() and not (out / "link-dir").is_symlink()
        assert (out / "link-dir" / "r.txt").read_bytes() == b"real"


def test_symlink_item(alice: TransferUser, pair: t.Any) -> None:
    src_id, src, dst_id, dst = pair
    (src / "target.txt").write_bytes(b"t")
    os.symlink("target.txt", src / "ln")
    (dst / "target.txt").write_bytes(b"dest target")
    doc = wait_task(
        alice,
        submit(
            alice,
            {
                "DATA_TYPE": "transfer",
                "source_endpoint": src_id,
                "destination_endpoint": dst_id,
                "DATA": [
                    {
                        "DATA_TYPE": "transfer_symlink_item",
                        "source_path": "/ln",
                        "destination_path": "/ln2",
                    }
                ],
            },
        ),
    )
    assert doc["status"] == "SUCCEEDED", doc
    assert (dst / "ln2").is_symlink()
    assert (dst / "ln2").read_bytes() == b"dest target"


def test_symlink_leading_outside_is_never_followed(
    alice: TransferUser, pair: t.Any, tmp_path: Path
) -> None:
    src_id, src, dst_id, dst = pair
    secret = tmp_path / "secret.txt"
    secret.write_bytes(b"top secret")
    (src / "d").mkdir()
    (src / "d" / "ok.txt").write_bytes(b"ok")
    os.symlink(str(secret), src / "d" / "escape")
    os.symlink(str(secret), src / "escape-top")
    doc = run_transfer(
        alice,
        src_id,
        dst_id,
        [{"source_path": "/d", "destination_path": "/d", "recursive": True}],
        recursive_symlinks="copy",
        skip_source_errors=True,
    )
    assert doc["status"] == "SUCCEEDED", doc
    assert not os.path.lexists(dst / "d" / "escape")
    assert doc["subtasks_skipped_errors"] == 1
    doc = run_transfer(
        alice, src_id, dst_id, [{"source_path": "/escape-top", "destination_path": "/stolen"}]
    )
    assert doc["status"] == "FAILED"
    assert not (dst / "stolen").exists()
    for path in dst.rglob("*"):
        if path.is_file():
            assert path.read_bytes() != b"top secret"


def test_delete_destination_extra(alice: TransferUser, pair: t.Any) -> None:
    src_id, src, dst_id, dst = pair
    (src / "m").mkdir()
    (src / "m" / "keep.txt").write_bytes(b"k")
    (dst / "m" / "old-dir").mkdir(parents=True)
    (dst / "m" / "old-dir" / "x").write_bytes(b"x")
    (dst / "m" / "extra.txt").write_bytes(b"e")
    doc = run_transfer(
        alice,
        src_id,
        dst_id,
        [{"source_path": "/m", "destination_path": "/m", "recursive": True}],
        delete_destination_extra=True,
    )
    assert doc["status"] == "SUCCEEDED", doc
    assert sorted(p.name for p in (dst / "m").iterdir()) == ["keep.txt"]


def test_skip_source_errors(alice: TransferUser, pair: t.Any) -> None:
    src_id, src, dst_id, dst = pair
    (src / "here.txt").write_bytes(b"here")
    items = [
        {"source_path": "/missing.txt", "destination_path": "/missing.txt"},
        {"source_path": "/here.txt", "destination_path": "/here.txt"},
    ]
    doc = run_transfer(alice, src_id, dst_id, items, skip_source_errors=True)
    assert doc["status"] == "SUCCEEDED", doc
    assert doc["subtasks_skipped_errors"] == 1
    assert (dst / "here.txt").read_bytes() == b"here"
    page = alice.get(f"task/{doc['task_id']}/skipped_errors").json()
    assert page["DATA"][0]["source_path"] == "/missing.txt"
    assert page["DATA"][0]["error_code"] == "FILE_NOT_FOUND"
    assert page["next_marker"] is None and page["has_next_page"] is False

    doc = run_transfer(alice, src_id, dst_id, items)
    assert doc["status"] == "FAILED"
    assert doc["fatal_error"]["code"] == "FILE_NOT_FOUND"
    assert doc["completion_time"] is not None


def test_filter_rules(alice: TransferUser, pair: t.Any) -> None:
    src_id, src, dst_id, dst = pair
    (src / "f" / "tmpdir").mkdir(parents=True)
    for name in ("a.txt", "b.tmp", "tmpdir/c.txt"):
        (src / "f" / name).write_bytes(b"z")
    doc = run_transfer(
        alice,
        src_id,
        dst_id,
        [{"source_path": "/f", "destination_path": "/f", "recursive": True}],
        filter_rules=[
            {"DATA_TYPE": "filter_rule", "method": "exclude", "name": "*.tmp"},
            {"DATA_TYPE": "filter_rule", "method": "exclude", "type": "dir", "name": "tmp*"},
        ],
    )
    assert doc["status"] == "SUCCEEDED", doc
    assert sorted(_tree(dst / "f")) == ["a.txt"]


def test_deadline_in_the_past_fails(alice: TransferUser, pair: t.Any) -> None:
    src_id, src, dst_id, dst = pair
    (src / "late.txt").write_bytes(b"late")
    doc = run_transfer(
        alice,
        src_id,
        dst_id,
        [{"source_path": "/late.txt", "destination_path": "/late.txt"}],
        deadline="2001-01-01T00:00:00Z",
    )
    assert doc["status"] == "FAILED"
    assert doc["fatal_error"]["code"] == "DEADLINE"
    assert doc["deadline"] == "2001-01-01T00:00:00+00:00"
    assert not (dst / "late.txt").exists()


def test_encrypt_data_and_quota_flags_accepted(alice: TransferUser, pair: t.Any) -> None:
    src_id, src, dst_id, dst = pair
    (src / "x").write_bytes(b"x")
    doc = run_transfer(
        alice,
        src_id,
        dst_id,
        [{"source_path": "/x", "destination_path": "/x"}],
        encrypt_data=True,
        fail_on_quota_errors=True,
        notify_on_succeeded=False,
        perf_cc=2,
    )
    assert doc["status"] == "SUCCEEDED"
    assert doc["encrypt_data"] is True and doc["fail_on_quota_errors"] is True


def test_many_files_in_parallel(alice: TransferUser, pair: t.Any) -> None:
    src_id, src, dst_id, dst = pair
    for n in range(300):
        (src / "many" / f"{n % 7}").mkdir(parents=True, exist_ok=True)
        (src / "many" / f"{n % 7}" / f"{n}.dat").write_bytes(os.urandom(n))
    doc = run_transfer(
        alice,
        src_id,
        dst_id,
        [{"source_path": "/many", "destination_path": "/many", "recursive": True}],
        verify_checksum=True,
    )
    assert doc["status"] == "SUCCEEDED"
    assert _tree(dst / "many") == _tree(src / "many")
    assert doc["files_transferred"] == 300
    _no_temps(dst)


# -- delete tasks -------------------------------------------------------------------------------
def test_delete_task(alice: TransferUser, make_endpoint: MakeEndpoint) -> None:
    ep, root = make_endpoint(alice, "deletes")
    (root / "dir" / "sub").mkdir(parents=True)
    (root / "dir" / "sub" / "f").write_bytes(b"f")
    (root / "single.txt").write_bytes(b"s")
    (root / "keep.txt").write_bytes(b"k")
    doc = run_delete(alice, ep, ["/dir/", "/single.txt"], recursive=True)
    assert doc["status"] == "SUCCEEDED", doc
    assert doc["type"] == "DELETE" and doc["destination_endpoint_id"] is None
    assert sorted(p.name for p in root.iterdir()) == ["keep.txt"]


def test_delete_non_recursive_directory_fails(
    alice: TransferUser, make_endpoint: MakeEndpoint
) -> None:
    ep, root = make_endpoint(alice, "deletes")
    (root / "dir").mkdir()
    (root / "dir" / "f").write_bytes(b"f")
    doc = run_delete(alice, ep, ["/dir"])
    assert doc["status"] == "FAILED"
    assert (root / "dir" / "f").exists()


def test_delete_missing_and_ignore_missing(
    alice: TransferUser, make_endpoint: MakeEndpoint
) -> None:
    ep, root = make_endpoint(alice, "deletes")
    doc = run_delete(alice, ep, ["/nope"])
    assert doc["status"] == "FAILED" and doc["fatal_error"]["code"] == "FILE_NOT_FOUND"
    doc = run_delete(alice, ep, ["/nope"], ignore_missing=True)
    assert doc["status"] == "SUCCEEDED"


def test_delete_interpret_globs(alice: TransferUser, make_endpoint: MakeEndpoint) -> None:
    ep, root = make_endpoint(alice, "deletes")
    for name in ("a.log", "b.log", "c.txt", "[x].log"):
        (root / name).write_bytes(b"1")
    doc = run_delete(alice, ep, ["/[x].log"])  # literal without interpret_globs
    assert doc["status"] == "SUCCEEDED"
    assert sorted(p.name for p in root.iterdir()) == ["a.log", "b.log", "c.txt"]
    doc = run_delete(alice, ep, ["/*.log"], interpret_globs=True)
    assert doc["status"] == "SUCCEEDED", doc
    assert sorted(p.name for p in root.iterdir()) == ["c.txt"]


def test_delete_does_not_follow_symlinks(
    alice: TransferUser, make_endpoint: MakeEndpoint, tmp_path: Path
) -> None:
    ep, root = make_endpoint(alice, "deletes")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "precious").write_bytes(b"p")
    os.symlink(str(outside), root / "link")
    doc = run_delete(alice, ep, ["/link"], recursive=True)
    assert doc["status"] == "SUCCEEDED", doc
    assert not os.path.lexists(root / "link")
    assert (outside / "precious").read_bytes() == b"p"


def test_transfer_doc_helper_round_trip(alice: TransferUser, pair: t.Any) -> None:
    """transfer_doc() without DATA_TYPE on items is accepted (items default to transfer_item)."""
    src_id, src, dst_id, dst = pair
    (src / "h").write_bytes(b"h")
    doc = transfer_doc(src_id, dst_id, [{"source_path": "/h", "destination_path": "/h"}])
    for item in doc["DATA"]:
        item.pop("DATA_TYPE")
    assert wait_task(alice, submit(alice, doc))["status"] == "SUCCEEDED"


def test_running_counters_match_the_rows(
    alice: TransferUser, pair: t.Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The counters a run keeps while it runs (progress.Tally) equal a count of the rows
    at every flush, through every kind of outcome: transferred, up to date, skipped."""
    from globus_local.services.transfer.models_tasks import TransferTask
    from globus_local.services.transfer.mover import progress, scheduling

    src_id, src, dst_id, dst = pair
    (src / "t" / "sub").mkdir(parents=True)
    (dst / "t").mkdir()
    monkeypatch.setattr(scheduling, "FLUSH_ROWS", 100)  # many flushes, each after renames
    for n in range(600):
        (src / "t" / f"{n}.dat").write_bytes(b"x" * (n % 50))
    (src / "t" / "sub" / "same").write_bytes(b"same")
    (dst / "t" / "sub").mkdir()
    (dst / "t" / "sub" / "same").write_bytes(b"same")
    (src / "t" / "gone").symlink_to("nowhere")  # a source error, skipped
    checked: list[tuple[dict[str, int], dict[str, int]]] = []  # kept, counted
    real = progress.save_progress

    def save_and_compare(session: t.Any, task_id: str, **kwargs: t.Any) -> t.Any:
        numbers = kwargs.get("numbers")
        if numbers is not None:
            session.flush()
            task = session.get(TransferTask, task_id)
            exact = progress.counters(session, task, retrying=numbers["subtasks_retrying"])
            checked.append((dict(numbers), exact))  # an assert here would hit the worker
        return real(session, task_id, **kwargs)

    monkeypatch.setattr(progress, "save_progress", save_and_compare)
    real_finish = progress.finish

    def finish_and_compare(session: t.Any, task_id: str, *args: t.Any, **kwargs: t.Any) -> t.Any:
        numbers = kwargs.get("numbers")
        if numbers is not None:  # the run's own counters at the end, against a count
            task = session.get(TransferTask, task_id)
            checked.append((dict(numbers), progress.counters(session, task)))
        return real_finish(session, task_id, *args, **kwargs)

    monkeypatch.setattr(progress, "finish", finish_and_compare)
    doc = run_transfer(
        alice,
        src_id,
        dst_id,
        [{"source_path": "/t", "destination_path": "/t", "recursive": True}],
        sync_level=1,
        skip_source_errors=True,
        recursive_symlinks="copy",
    )
    assert doc["status"] == "SUCCEEDED", doc
    assert checked, "no flush kept its own counters"
    assert len(checked) >= 3
    assert [kept for kept, _ in checked] == [counted for _, counted in checked]
    assert doc["files_transferred"] == 600 and doc["files_skipped"] == 1
    assert doc["subtasks_skipped_errors"] == 1


def test_a_folder_in_the_way_of_a_rename_fails_the_task(alice: TransferUser, pair: t.Any) -> None:
    """Renames into place go to a copy process in batches; one it cannot do is tried again
    by the runner, whose error fails the task. The folder in the way is left as it was."""
    src_id, src, dst_id, dst = pair
    (src / "t").mkdir()
    for n in range(40):
        (src / "t" / f"{n:02d}.dat").write_bytes(b"%d" % n)
    (dst / "t" / "17.dat").mkdir(parents=True)
    (dst / "t" / "17.dat" / "inside").write_bytes(b"kept")
    doc = run_transfer(
        alice,
        src_id,
        dst_id,
        [{"source_path": "/t", "destination_path": "/t", "recursive": True}],
    )
    assert doc["status"] == "FAILED", doc
    assert "17.dat" in doc["fatal_error"]["description"], doc["fatal_error"]
    assert (dst / "t" / "17.dat" / "inside").read_bytes() == b"kept"
    _no_temps(dst)


def test_a_walk_stored_in_parts_and_one_given_up_midway(
    alice: TransferUser, pair: t.Any, monkeypatch: pytest.MonkeyPatch, transfer_server: t.Any
) -> None:
    """The walk's rows are stored part by part as they come; a walk whose copy process is
    lost after some parts (here: made to give up) leaves none of them, and the run walks
    the tree itself: every file once, counted once."""
    from globus_local.services.transfer.mover import procs

    src_id, src, dst_id, dst = pair
    for n in range(40):
        (src / "w" / f"{n % 3}").mkdir(parents=True, exist_ok=True)
        (src / "w" / f"{n % 3}" / f"{n}.dat").write_bytes(os.urandom(n + 1))
    monkeypatch.setattr(procs, "WALK_PART", 7)
    item = [{"source_path": "/w", "destination_path": "/w1", "recursive": True}]
    doc = run_transfer(alice, src_id, dst_id, item)
    assert doc["status"] == "SUCCEEDED", doc
    assert _tree(dst / "w1") == _tree(src / "w")
    assert doc["files"] == doc["files_transferred"] == 40 and doc["directories"] == 4
    subtasks = doc["subtasks_total"]

    walk = procs.expand_transfer

    def lost_after_parts(*args: t.Any, **kwargs: t.Any) -> t.Any:
        walked = walk(*args, **kwargs)
        assert walked is not None and kwargs.get("on_rows") is not None
        return None  # as if the child died after sending its parts

    monkeypatch.setattr(procs, "expand_transfer", lost_after_parts)
    item = [{"source_path": "/w", "destination_path": "/w2", "recursive": True}]
    doc = run_transfer(alice, src_id, dst_id, item)
    assert doc["status"] == "SUCCEEDED", doc
    assert _tree(dst / "w2") == _tree(src / "w")
    assert doc["files"] == doc["files_transferred"] == 40 and doc["directories"] == 4
    assert doc["subtasks_total"] == doc["subtasks_succeeded"] == subtasks
    page = alice.get(f"task/{doc['task_id']}/successful_transfers", params={"limit": 100}).json()
    assert len(page["DATA"]) == len({d["destination_path"] for d in page["DATA"]}) == 40
    from sqlalchemy import func, select

    from globus_local.services.transfer.models_tasks import TaskFile

    with transfer_server.db.session() as session:
        stored = session.scalar(
            select(func.count()).where(TaskFile.task_id == doc["task_id"])  # type: ignore[arg-type]
        )
    assert stored == 44  # 40 files and 4 folders: the parts given up were never stored
    _no_temps(dst)
