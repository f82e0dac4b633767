"""SQLite writers in one process take turns at the write gate instead of failing."""

from __future__ import annotations

import threading
import time
import typing as t
from pathlib import Path

from sqlalchemy import event, text

from globus_local.db import Database


def _no_sqlite_wait(db: Database) -> Database:
    """SQLite itself answers 'database is locked' at once: only the gate makes writers wait."""

    @event.listens_for(db.engine, "connect")
    def _on_connect(dbapi_conn: t.Any, _record: t.Any) -> None:
        dbapi_conn.execute("PRAGMA busy_timeout=0")

    return db


def test_writers_queue_and_never_see_database_is_locked(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'gate.sqlite3'}"
    # Two engines on one file share one gate.
    first, second = _no_sqlite_wait(Database(url)), _no_sqlite_wait(Database(url))
    with first.engine.begin() as conn:
        conn.execute(text("CREATE TABLE counter (n INTEGER)"))
        conn.execute(text("INSERT INTO counter VALUES (0)"))
    inside = 0
    most = 0
    errors: list[BaseException] = []
    lock = threading.Lock()

    def writer(db: Database) -> None:
        nonlocal inside, most
        try:
            for _ in range(10):
                with db.session() as session:
                    session.execute(text("UPDATE counter SET n = n + 1"))
                    with lock:
                        inside += 1
                        most = max(most, inside)
                    time.sleep(0.002)  # hold the write turn a little
                    with lock:
                        inside -= 1
        except BaseException as exc:  # pragma: no cover - the assertion says what failed
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(db,)) for db in (first, second) * 8]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert most == 1
    with first.session() as session:
        assert session.execute(text("SELECT n FROM counter")).scalar_one() == 160
    first.dispose()
    second.dispose()


def test_a_rolled_back_writer_gives_its_turn_back(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'gate.sqlite3'}")
    with db.engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (n INTEGER)"))
    try:
        with db.session() as session:
            session.execute(text("INSERT INTO t VALUES (1)"))
            raise RuntimeError("abandon")
    except RuntimeError:
        pass
    done = threading.Event()

    def write() -> None:
        with db.session() as session:
            session.execute(text("INSERT INTO t VALUES (2)"))
        done.set()

    thread = threading.Thread(target=write)
    thread.start()
    thread.join(10)
    assert done.is_set()
    with db.session() as session:
        assert session.execute(text("SELECT n FROM t")).scalars().all() == [2]
    db.dispose()
