"""Driver-level reads give the values the ORM gives, fail as SQLAlchemy fails, and the brief
cache never keeps an answer read before a change."""

from __future__ import annotations

import datetime as dt
import typing as t
from pathlib import Path

import pytest
from sqlalchemy import JSON, Boolean, DateTime, Integer, String, bindparam, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from globus_local.db import Database
from globus_local.db.lean import BriefCache, DriverQuery, reader


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
