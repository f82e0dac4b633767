"""SQLite's write-ahead log is checkpointed by a background thread where job workers run,
not inside whichever commit crosses the log's size limit."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from globus_local.db import Database
from globus_local.db import database as database_module
from globus_local.jobs import WorkerPool


def _write(db: Database, rows: int) -> None:
    with db.engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE IF NOT EXISTS t (x TEXT)")
        for _ in range(rows):
            connection.exec_driver_sql("INSERT INTO t VALUES (?)", (os.urandom(512).hex(),))


def test_the_log_reaches_the_database_file_in_the_background(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(database_module, "CHECKPOINT_SECONDS", 0.05)
    path = tmp_path / "x.db"
    db = Database(f"sqlite:///{path}")
    try:
        _write(db, 300)
        time.sleep(0.3)
        before = path.stat().st_size  # the rows are in the log only: far below the limit
        assert before < 300 * 1024
        db.start_checkpoints()
        end = time.monotonic() + 10
        while path.stat().st_size <= before + 300 * 1024:
            assert time.monotonic() < end, "no checkpoint came"
            time.sleep(0.05)
        db.stop_checkpoints()
        assert db._checkpoints is None
        with db.engine.connect() as connection:
            count = connection.exec_driver_sql("SELECT count(*) FROM t").scalar()
        assert count == 300
    finally:
        db.dispose()


def test_a_worker_pool_runs_the_checkpoints_while_it_runs(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'y.db'}")
    try:
        pool = WorkerPool(db, 1).start()
        assert db._checkpoints is not None and db._checkpoints[0].is_alive()
        pool.stop()
        assert db._checkpoints is None
    finally:
        db.dispose()
