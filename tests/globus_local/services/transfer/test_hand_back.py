"""A run whose job goes back to the queue (its process is stopping) stops at its next look
without ending the task; the next run resumes it and finishes every file."""

from __future__ import annotations

import os
import threading
import typing as t
from pathlib import Path

import pytest

from globus_local.app import create_app
from globus_local.config import Settings
from globus_local.db import Database
from globus_local.services.transfer.models_tasks import ACTIVE, SUCCEEDED, TransferTask
from globus_local.services.transfer.mover.runner import TaskRunner
from tests.globus_local.services.transfer.support import submit_tree_copy
from tests.support.waiting import wait_until

FILES = 200


def _task(db: Database, task_id: str) -> tuple[str, int]:
    with db.session() as session:
        task = session.get(TransferTask, task_id)
        assert task is not None
        return task.status, task.files_transferred


@pytest.mark.timeout(120)
def test_a_run_handed_back_stops_and_the_next_run_finishes(
    tmp_path: Path, own_database_url: str
) -> None:
    settings = Settings.from_env(
        data_dir=tmp_path / "data", database_url=own_database_url, run_workers=False
    )
    db = Database(settings.database_url)
    app = create_app(settings, database=db)
    src, dst = tmp_path / "src", tmp_path / "dst"
    expected = {f"d{n % 4}/f{n:04d}.bin": os.urandom(50 + n) for n in range(FILES)}
    task_id, _ = submit_tree_copy(app, db, src, dst, expected, "hand-back")

    handing_back = threading.Event()
    first = TaskRunner(db, task_id, handing_back=handing_back.is_set)
    first.file_delay = 0.02
    outcome: dict[str, t.Any] = {}
    thread = threading.Thread(target=lambda: outcome.update(result=first.run()))
    thread.start()
    wait_until(lambda: _task(db, task_id)[1] >= 10, "the first run's progress", 60)
    handing_back.set()
    thread.join(60)
    assert not thread.is_alive()

    assert outcome["result"] == "lost"
    status, copied = _task(db, task_id)
    assert status == ACTIVE and copied < FILES  # left for the next run, not ended

    assert TaskRunner(db, task_id).run() == SUCCEEDED
    assert _task(db, task_id) == (SUCCEEDED, FILES)
    copy = dst / "copy"
    for name, data in expected.items():
        assert (copy / name).read_bytes() == data
    leftovers = [
        p for p in copy.rglob("*") if p.is_file() and p.relative_to(copy).as_posix() not in expected
    ]
    assert leftovers == []
    db.dispose()
