"""A `globus-local worker` killed with SIGKILL in the middle of a 2,000-file transfer loses
nothing: a restarted worker resumes the task, which ends SUCCEEDED with every file
byte-identical, none copied twice and no temp file left behind."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from globus_local.app import create_app
from globus_local.config import Settings
from globus_local.db import Database
from globus_local.jobs import Job
from globus_local.services.transfer.models_tasks import TransferTask
from tests.globus_local.services.transfer.support import submit_tree_copy
from tests.support.waiting import wait_until

FILES = 2000
DIRS = 20


def _worker_command() -> list[str]:
    script = Path(sys.executable).with_name("globus-local")
    if script.exists():
        return [str(script), "worker", "--threads", "2"]
    return [sys.executable, "-c", "from globus_local.cli import main; main()", "worker"]


def _start_worker(data_dir: Path, database_url: str, **extra_env: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "GLOBUS_LOCAL_DATA_DIR": str(data_dir),
        "GLOBUS_LOCAL_DATABASE_URL": database_url,
        **extra_env,
    }
    return subprocess.Popen(
        _worker_command(),
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def _task(db: Database, task_id: str) -> TransferTask:
    with db.session() as session:
        task = session.get(TransferTask, task_id)
        assert task is not None
        return task


def _snapshot(root: Path) -> dict[str, tuple[int, int]]:
    """Final-named files under ``root`` -> (inode, mtime_ns)."""
    found = {}
    for path in root.rglob("*"):
        if path.is_file() and not path.name.startswith(".globus-local-"):
            st = path.stat()
            found[str(path.relative_to(root))] = (st.st_ino, st.st_mtime_ns)
    return found


def _link_unrecorded(db: Database, task_id: str, src: Path, copied: Path, count: int) -> None:
    from sqlalchemy import select

    from globus_local.services.transfer.models_tasks import TaskFile

    with db.session() as session:
        rows = session.execute(
            select(TaskFile.source_path, TaskFile.destination_path)
            .where(
                TaskFile.task_id == task_id,
                TaskFile.state == "pending",
                TaskFile.new_destination.is_(True),
            )
            .order_by(TaskFile.id.desc())
        ).all()
    made = 0
    for source, destination in rows:
        final = copied / destination.removeprefix("/copy/")
        if not final.exists() and made < count:
            final.write_bytes((src / source.lstrip("/")).read_bytes())
            made += 1
    assert made == count


@pytest.mark.timeout(240)
@pytest.mark.parametrize(
    "verify_checksum",
    [
        pytest.param(True, id="staged"),  # each file through a temp name, renamed in place
        pytest.param(False, id="linked"),  # new destinations: a whole copy linked in
    ],
)
def test_sigkill_mid_transfer_then_resume(
    tmp_path: Path, own_database_url: str, verify_checksum: bool
) -> None:
    database_url = own_database_url
    data_dir = tmp_path / "data"
    settings = Settings.from_env(data_dir=data_dir, database_url=database_url, run_workers=False)
    db = Database(settings.database_url)
    app = create_app(settings, database=db)
    src, dst = tmp_path / "src", tmp_path / "dst"
    expected = {f"d{n % DIRS:02d}/f{n:04d}.bin": os.urandom(64 + n % 512) for n in range(FILES)}
    task_id, token = submit_tree_copy(
        app, db, src, dst, expected, "killtest", verify_checksum=verify_checksum
    )

    # A slowed-down worker (a few ms per file), killed once progress is on record.
    worker = _start_worker(
        data_dir, settings.database_url, GLOBUS_LOCAL_TRANSFER_FILE_DELAY="0.004"
    )
    try:
        wait_until(lambda: _task(db, task_id).files_transferred >= 200, "first progress", 120)
    finally:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)

    killed = _task(db, task_id)
    assert killed.status == "ACTIVE"
    assert 200 <= killed.files_transferred < FILES
    before = _snapshot(dst / "copy")
    assert 0 < len(before) < FILES
    if not verify_checksum:
        # As the dead worker may have done just before it died: files linked in whole at
        # their new destinations, not yet recorded. The resumed run must keep them.
        _link_unrecorded(db, task_id, src, dst / "copy", 5)
        before = _snapshot(dst / "copy")

    # The dead worker cannot renew its lease; let it lapse now rather than in 30 s.
    with db.session() as session:
        session.execute(
            update(Job)
            .where(Job.id == killed.job_id)
            .values(lease_expires_at=dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=1))
        )

    worker = _start_worker(data_dir, settings.database_url)
    try:
        wait_until(lambda: _task(db, task_id).status != "ACTIVE", "the resumed task to end", 180)
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(timeout=30)

    done = _task(db, task_id)
    if done.status != "SUCCEEDED":
        from sqlalchemy import select

        from globus_local.services.transfer.models_tasks import TaskEvent

        with db.session() as session:
            log = [
                (e.code, e.details)
                for e in session.scalars(select(TaskEvent).where(TaskEvent.task_id == task_id))
            ]
        raise AssertionError(f"{done.fatal_error} events={log}")
    assert done.files == FILES and done.files_transferred == FILES
    assert done.bytes_transferred == sum(len(v) for v in expected.values())
    assert done.subtasks_failed == 0 and done.subtasks_pending == 0

    copied = dst / "copy"
    names = {str(p.relative_to(copied)) for p in copied.rglob("*") if p.is_file()}
    assert names == set(expected), "stray or missing files (temp files included)"
    for rel, data in expected.items():
        assert (copied / rel).read_bytes() == data, rel
    # Files already in place when the worker died were never written again.
    after = _snapshot(copied)
    for rel, identity in before.items():
        assert after[rel] == identity, f"{rel} was copied twice"

    with TestClient(app) as client:
        headers = {"Authorization": f"Bearer {token}"}
        seen: list[str] = []
        marker = 0
        while True:
            page = client.get(
                f"/transfer/v0.10/task/{task_id}/successful_transfers",
                params={"marker": marker},
                headers=headers,
            ).json()
            seen += [item["destination_path"] for item in page["DATA"]]
            if page["next_marker"] is None:
                assert page["has_next_page"] is False
                break
            marker = page["next_marker"]
        assert len(seen) == FILES and len(set(seen)) == FILES
        events = client.get(
            f"/transfer/v0.10/task/{task_id}/event_list", params={"limit": 100}, headers=headers
        ).json()["DATA"]
        assert any("resumed" in e["details"] for e in events if e["code"] == "STARTED")
    db.dispose()
