"""Driver-level reads give the values the ORM gives, fail as SQLAlchemy fails, and the brief
cache never keeps an answer read before a change."""

from __future__ import annotations

import asyncio
import datetime as dt
import sqlite3
import threading
import typing as t
from pathlib import Path

import pytest
from sqlalchemy import JSON, Boolean, DateTime, Integer, String, bindparam, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from globus_local.db import Database
from globus_local.db.lean import BriefCache, DriverQuery, Reader, read, reader


class _Base(DeclarativeBase):
    pass


class _Row(_Base):
    __tablename__ = "lean_rows"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(20))
    flag: Mapped[bool] = mapped_column(Boolean)
    data: Mapped[dict[str, t.Any]] = mapped_column(JSON)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    kind: Mapped[str] = mapped_column(String(10))


_BY_NAME = DriverQuery(
    select(_Row.id, _Row.name, _Row.flag, _Row.data, _Row.at).where(
        _Row.name == bindparam("name"), _Row.kind == "a"
    )
)


@pytest.fixture
def database(tmp_path: Path) -> t.Iterator[Database]:
    db = Database(f"sqlite:///{tmp_path / 'lean.sqlite3'}")
    _Base.metadata.create_all(db.engine)
    try:
        yield db
    finally:
        db.dispose()


def test_rows_hold_what_the_orm_loads(database: Database) -> None:
    moment = dt.datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=dt.timezone.utc)
    with database.session() as session:
        session.add(_Row(id=1, name="x", flag=True, data={"k": [1, "two"]}, at=moment, kind="a"))
        session.add(_Row(id=2, name="x", flag=False, data={}, at=moment, kind="b"))
    with database.sessionmaker() as session:
        row = session.get(_Row, 1)
        assert row is not None
        orm = (row.id, row.name, row.flag, row.data, row.at)
    with reader(database.engine) as rows:
        assert _BY_NAME.rows(rows, {"name": "x"}) == [orm]  # the literal kind == "a" holds
        assert _BY_NAME.first(rows, {"name": "nobody"}) is None
    assert isinstance(orm[2], bool) and isinstance(orm[4], dt.datetime)


def test_driver_errors_are_sqlalchemy_errors(database: Database) -> None:
    _Base.metadata.drop_all(database.engine)
    with pytest.raises(OperationalError, match="no such table"):
        with reader(database.engine) as rows:
            _BY_NAME.rows(rows, {"name": "x"})


def test_a_brief_cache_drops_answers_read_before_a_change(database: Database) -> None:
    cache: BriefCache[str, int] = BriefCache(60)
    engine = database.engine
    before = cache.generation(engine)
    cache.forget(engine)  # a change commits while the answer is being read
    cache.put(engine, "k", 1, before)
    assert cache.get(engine, "k") is None
    cache.put(engine, "k", 2, cache.generation(engine))
    assert cache.get(engine, "k") == 2
    cache.forget(engine, "k")
    assert cache.get(engine, "k") is None


def test_a_brief_cache_is_per_database(database: Database, tmp_path: Path) -> None:
    cache: BriefCache[str, int] = BriefCache(60)
    other = Database(f"sqlite:///{tmp_path / 'other.sqlite3'}")
    try:
        cache.put(database.engine, "k", 1, cache.generation(database.engine))
        assert cache.get(database.engine, "k") == 1 and cache.get(other.engine, "k") is None
    finally:
        other.dispose()


def _add(database: Database, row_id: int, name: str) -> None:
    moment = dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)
    with database.session() as session:
        session.add(_Row(id=row_id, name=name, flag=True, data={}, at=moment, kind="a"))


def _names_and_thread(rows: Reader) -> tuple[list[str], int]:
    return [r[1] for r in _BY_NAME.rows(rows, {"name": "x"})], threading.get_ident()


def test_read_on_sqlite_runs_on_the_loop_and_sees_every_commit(database: Database) -> None:
    async def scenario() -> None:
        loop_thread = threading.get_ident()
        names, ran_on = await read(database, _names_and_thread)
        assert names == [] and ran_on == loop_thread
        _add(database, 1, "x")  # committed by a pooled connection after the reader opened
        names, ran_on = await read(database, _names_and_thread)
        assert names == ["x"] and ran_on == loop_thread

    asyncio.run(scenario())


def test_the_loop_reader_cannot_write(database: Database) -> None:
    connection = database.thread_reader()
    assert connection is not None
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        connection.execute("DELETE FROM lean_rows")


def test_a_locked_database_sends_the_read_to_the_thread_pool(
    database: Database, tmp_path: Path
) -> None:
    """A connection in exclusive locking mode keeps every other reader out: the loop's
    reader gives up at once and the pooled read waits for the lock in the thread pool."""
    _add(database, 1, "x")
    database.engine.dispose()  # an open connection would keep the exclusive lock away
    blocker = sqlite3.connect(
        tmp_path / "lean.sqlite3", isolation_level=None, check_same_thread=False
    )
    blocker.execute("PRAGMA locking_mode=EXCLUSIVE")
    blocker.execute("BEGIN EXCLUSIVE")
    blocker.execute("UPDATE lean_rows SET flag = 0")
    blocker.execute("COMMIT")  # the exclusive lock outlives the transaction in this mode
    started = threading.Event()

    def work(rows: Reader) -> tuple[list[str], int]:
        started.set()
        return _names_and_thread(rows)

    def release() -> None:
        started.wait(30)
        blocker.execute("PRAGMA locking_mode=NORMAL")
        blocker.execute("SELECT 1 FROM lean_rows").fetchall()  # lets the lock go
        blocker.close()

    async def scenario() -> None:
        releaser = threading.Thread(target=release)
        releaser.start()
        names, ran_on = await read(database, work)
        releaser.join()
        assert names == ["x"] and ran_on != threading.get_ident()

    asyncio.run(scenario())


def test_read_on_postgresql_takes_the_pool_in_a_thread(postgresql_url: str) -> None:
    database = Database(postgresql_url)
    try:
        assert database.thread_reader() is None

        async def scenario() -> None:
            def work(rows: Reader) -> int:
                assert rows.connection.cursor() is not None
                return threading.get_ident()

            assert await read(database, work) != threading.get_ident()

        asyncio.run(scenario())
    finally:
        database.dispose()
