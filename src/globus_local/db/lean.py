"""Reads at the driver's level, for the few routes that clients call in tight loops.

An ORM load costs several times the query it runs (building the statement's cache key,
the session, the identity map, the instances), and the query itself is cheap. A
:class:`DriverQuery` is a Core ``select`` compiled once per dialect; it runs on the pool's
own DBAPI connection and converts each value with its column type's result processor, so
the rows hold what the ORM would have put on its objects (datetimes, dicts, bools).

Only reads: a write must pass SQLAlchemy's events (SQLite's write gate listens there).
:func:`read` runs such reads on SQLite on the event loop itself, with the thread's own
connection, sparing the request its trip to the thread pool. :class:`BriefCache` keeps what such routes read on every call (a client, its scopes) for
a few seconds, per database.
"""

from __future__ import annotations

import sqlite3
import threading
import time
import typing as t
import weakref
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Dialect, Engine, Select
from sqlalchemy.exc import DBAPIError
from starlette.concurrency import run_in_threadpool

from globus_local.db.database import Database

if t.TYPE_CHECKING:
    from typing_extensions import Unpack

Processor = t.Callable[[t.Any], t.Any] | None


@dataclass(frozen=True)
class _Compiled:
    sql: str
    positional: tuple[str, ...] | None  # bind names in order, for positional paramstyles
    defaults: dict[str, t.Any]  # values written into the statement itself
    bind_processors: dict[str, t.Callable[[t.Any], t.Any]]
    result_processors: tuple[Processor, ...]


class DriverQuery:
    """A ``select`` run straight on a DBAPI cursor; built once, at import.

    Parameters are passed by their ``bindparam`` names and go through their types' bind
    processors, as SQLAlchemy would send them. Expanding (``IN``) parameters are not
    supported: build one query per list length instead.
    """

    def __init__(self, statement: Select[Unpack[tuple[t.Any, ...]]]) -> None:
        self.statement = statement
        self._by_dialect: dict[str, _Compiled] = {}
        self._lock = threading.Lock()

    def _compiled(self, dialect: Dialect) -> _Compiled:
        found = self._by_dialect.get(dialect.name)
        if found is not None:
            return found
        with self._lock:
            compiled = self.statement.compile(dialect=dialect)
            binds = compiled.binds
            bind_processors: dict[str, t.Callable[[t.Any], t.Any]] = {}
            for name, bind in binds.items():
                if bind.expanding:
                    raise ValueError(f"expanding parameter {name!r} in a DriverQuery")
                processor = bind.type.dialect_impl(dialect).bind_processor(dialect)
                if processor is not None:
                    bind_processors[name] = processor
            result_processors = tuple(
                column.type.dialect_impl(dialect).result_processor(dialect, None)
                for column in self.statement.selected_columns
            )
            found = _Compiled(
                sql=compiled.string,
                positional=tuple(compiled.positiontup or ()) if compiled.positional else None,
                defaults={name: bind.value for name, bind in binds.items() if not bind.required},
                bind_processors=bind_processors,
                result_processors=result_processors,
            )
            self._by_dialect[dialect.name] = found
            return found

    def rows(
        self, reader: Reader, params: Mapping[str, t.Any] | None = None
    ) -> list[tuple[t.Any, ...]]:
        """Every row, its values converted as the ORM would."""
        compiled = self._compiled(reader.dialect)
        values = {**compiled.defaults, **(params or {})}
        for name, processor in compiled.bind_processors.items():
            values[name] = processor(values[name])
        bound: t.Any = (
            tuple(values[name] for name in compiled.positional)
            if compiled.positional is not None
            else values
        )
        cursor = reader.connection.cursor()
        try:
            cursor.execute(compiled.sql, bound)
            raw = cursor.fetchall()
        except reader.dialect.loaded_dbapi.Error as err:
            raise reader.wrapped(err, compiled.sql, bound, cursor) from err
        finally:
            cursor.close()
        processors = compiled.result_processors
        if not any(processors):
            return [tuple(row) for row in raw]
        return [
            tuple(
                value if p is None else p(value) for p, value in zip(processors, row, strict=True)
            )
            for row in raw
        ]

    def first(
        self, reader: Reader, params: Mapping[str, t.Any] | None = None
    ) -> tuple[t.Any, ...] | None:
        found = self.rows(reader, params)
        return found[0] if found else None


@dataclass(frozen=True)
class Reader:
    """A pooled DBAPI connection lent for a few reads, and its dialect."""

    connection: t.Any
    dialect: Dialect

    def wrapped(self, err: t.Any, sql: str, params: t.Any, cursor: t.Any) -> BaseException:
        """The driver's error as SQLAlchemy raises it (the app answers a lock timeout or a
        lost connection 503 from those classes); a lost connection leaves the pool."""
        lost = self.dialect.is_disconnect(err, self.connection, cursor)
        if lost and hasattr(self.connection, "invalidate"):  # a pooled connection
            self.connection.invalidate(err)
        return DBAPIError.instance(
            sql,
            params,
            err,
            self.dialect.loaded_dbapi.Error,
            connection_invalidated=lost,
            dialect=self.dialect,
        )


@contextmanager
def reader(engine: Engine) -> Iterator[Reader]:
    """Borrow a connection from ``engine``'s pool for reads; the pool ends whatever
    transaction the reads began (a rollback) when it takes the connection back."""
    connection = engine.raw_connection()
    try:
        yield Reader(connection, engine.dialect)
    finally:
        connection.close()


T = t.TypeVar("T")


class _Busy(Exception):
    """The thread's reader met a lock: the pooled path answers instead."""


def _on_thread_reader(connection: t.Any, dialect: Dialect, work: t.Callable[[Reader], T]) -> T:
    try:
        connection.execute("BEGIN")  # one snapshot for all of work's reads
    except sqlite3.OperationalError as err:
        raise _Busy from err
    try:
        return work(Reader(connection, dialect))
    except DBAPIError as err:
        if isinstance(err.orig, sqlite3.OperationalError) and "locked" in str(err.orig):
            raise _Busy from err
        raise
    finally:
        connection.execute("ROLLBACK")


def _on_pooled_reader(engine: Engine, work: t.Callable[[Reader], T]) -> T:
    with reader(engine) as rows:
        return work(rows)


async def read(database: Database, work: t.Callable[[Reader], T]) -> T:
    """``work``'s few driver-level reads, by the quickest safe way.

    On a SQLite file, on the event loop: the reads are page lookups in a warm file, shorter
    than a trip to the thread pool, and the thread's reader never waits (a lock sends the
    reads to the pool instead). Elsewhere each read is a round trip to another process, so
    ``work`` runs in the thread pool on a pooled connection. Keep ``work`` to a handful of
    indexed reads: on the loop, everything else waits for it.
    """
    connection = database.thread_reader()
    if connection is not None:
        try:
            return _on_thread_reader(connection, database.engine.dialect, work)
        except _Busy:
            pass
    return await run_in_threadpool(_on_pooled_reader, database.engine, work)


K = t.TypeVar("K")
V = t.TypeVar("V")


class BriefCache(t.Generic[K, V]):
    """Values read from a database, kept ``seconds`` per engine (tests run several
    platforms in one process), for reads that every call of a hot route repeats.

    :meth:`forget` empties an engine's entries; callers run it once a change commits. A
    value read before a :meth:`forget` and put after it is dropped (the read may have seen
    the old rows): pass :meth:`put` the :meth:`generation` taken before reading.
    """

    def __init__(self, seconds: float, max_entries: int = 10_000) -> None:
        self.seconds = seconds
        self.max_entries = max_entries
        self._entries: weakref.WeakKeyDictionary[Engine, dict[K, tuple[V, float]]] = (
            weakref.WeakKeyDictionary()
        )
        self._generations: weakref.WeakKeyDictionary[Engine, int] = weakref.WeakKeyDictionary()
        self._lock = threading.Lock()

    def get(self, engine: Engine, key: K) -> V | None:
        entries = self._entries.get(engine)
        entry = entries.get(key) if entries is not None else None
        if entry is None or entry[1] <= time.monotonic():
            return None
        return entry[0]

    def generation(self, engine: Engine) -> int:
        return self._generations.get(engine, 0)

    def put(self, engine: Engine, key: K, value: V, generation: int) -> None:
        with self._lock:
            if self._generations.get(engine, 0) != generation:
                return
            entries = self._entries.setdefault(engine, {})
            if len(entries) >= self.max_entries:
                entries.clear()
            entries[key] = (value, time.monotonic() + self.seconds)

    def forget(self, engine: Engine, key: K | None = None) -> None:
        """Drop one key's entry, or every entry of ``engine`` when ``key`` is None."""
        with self._lock:
            self._generations[engine] = self._generations.get(engine, 0) + 1
            entries = self._entries.get(engine)
            if entries is not None:
                if key is None:
                    entries.clear()
                else:
                    entries.pop(key, None)
