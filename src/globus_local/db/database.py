"""Engine and session handling for SQLite (default) and PostgreSQL."""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import typing as t
from contextlib import contextmanager

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker


def normalize_url(url: str) -> str:
    """Let users write ``postgresql://``; we drive PostgreSQL with psycopg 3."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


log = logging.getLogger("globus_local.db")

# SQLite moves its write-ahead log into the database file (a checkpoint, with an fsync) in
# whichever commit finds the log past wal_autocheckpoint pages, so that commit (a transfer's
# flush, say) pays for everyone's writes. Where job workers run, a thread checkpoints every
# CHECKPOINT_SECONDS instead; the commits' own limit stays as a backstop.
CHECKPOINT_SECONDS = 1.0
AUTOCHECKPOINT_PAGES = 8000  # 32 MiB of log at the default page size
# How long a writer waits for its turn (the gate, then SQLite's lock) before giving up.
BUSY_TIMEOUT = 30.0
# Connections when the caller does not size the pool (tools, tests).
DEFAULT_CONNECTIONS = 16


def _configure_sqlite(engine: Engine, gate: WriteGate | None) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: t.Any, _record: t.Any) -> None:
        cur = dbapi_conn.cursor()
        # WAL lets API readers and job workers proceed while one writer commits.
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT * 1000)}")
        cur.execute(f"PRAGMA wal_autocheckpoint={AUTOCHECKPOINT_PAGES}")
        cur.close()

    if gate is None:
        return

    @event.listens_for(engine, "before_cursor_execute")
    def _before_write(
        conn: t.Any, _cursor: t.Any, statement: str, _params: t.Any, _ctx: t.Any, _many: bool
    ) -> None:
        dbapi_conn = conn.connection.dbapi_connection
        if _is_write(statement) and not dbapi_conn.holds_gate:
            gate.acquire()
            dbapi_conn.holds_gate = True


_WRITE_VERBS = ("INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER")


def _is_write(statement: str) -> bool:
    return statement.lstrip()[:7].upper().startswith(_WRITE_VERBS)


class WriteGate:
    """One writer at a time per SQLite file in this process, the others queued in order.

    SQLite has a single writer; a connection that finds the write lock taken polls for it
    with growing sleeps, so under contention writers wake late and out of turn. Here a
    connection takes the gate at its first write and gives it back when its transaction
    ends, so writers in one process hand over at once. Other processes still meet at
    SQLite's own lock (``busy_timeout``).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()

    def acquire(self) -> None:
        if not self._lock.acquire(timeout=BUSY_TIMEOUT):
            raise sqlite3.OperationalError("database is locked (no turn to write in time)")

    def release(self) -> None:
        self._lock.release()


_gates: dict[str, WriteGate] = {}
_gates_lock = threading.Lock()


def _gate_for(path: str) -> WriteGate:
    """The gate of one database file, shared by every engine on it in this process."""
    key = os.path.realpath(path)
    with _gates_lock:
        return _gates.setdefault(key, WriteGate())


def _gated_connection_class(gate: WriteGate) -> type[sqlite3.Connection]:
    """A sqlite3 connection that gives the gate back once its transaction has ended."""

    class GatedConnection(sqlite3.Connection):
        holds_gate = False

        def _end(self) -> None:
            if self.holds_gate:
                self.holds_gate = False
                gate.release()

        def commit(self) -> None:
            try:
                super().commit()
            finally:
                self._end()

        def rollback(self) -> None:
            try:
                super().rollback()
            finally:
                self._end()

        def close(self) -> None:
            try:
                super().close()
            finally:
                self._end()

    return GatedConnection


class Database:
    """One engine and session factory per platform instance."""

    def __init__(self, url: str, *, connections: int = DEFAULT_CONNECTIONS) -> None:
        """``connections``: how many this process may hold at once (see
        ``Settings.database_connections``); a few more may open in a burst."""
        self.url = normalize_url(url)
        parsed = make_url(self.url)
        self.dialect = parsed.get_backend_name()
        kwargs: dict[str, t.Any] = {"future": True}
        gate: WriteGate | None = None
        if self.dialect == "sqlite":
            connect_args: dict[str, t.Any] = {"check_same_thread": False, "timeout": BUSY_TIMEOUT}
            if parsed.database not in (None, "", ":memory:"):
                gate = _gate_for(parsed.database)
                connect_args["factory"] = _gated_connection_class(gate)
            kwargs["connect_args"] = connect_args
        else:
            # No ping before each checkout (a round trip per request): a connection the
            # server dropped fails its request, which is answered 503, and SQLAlchemy then
            # replaces every pooled connection older than the failure.
            kwargs["pool_pre_ping"] = False
        if self.dialect != "sqlite" or gate is not None:
            # A full pool makes a caller wait: briefly, then an error the app answers 503.
            kwargs.update(pool_size=connections, max_overflow=connections, pool_timeout=10)
        self.engine = create_engine(self.url, **kwargs)
        if self.dialect == "sqlite":
            _configure_sqlite(self.engine, gate)
        self.sessionmaker = sessionmaker(self.engine, expire_on_commit=False)
        self._checkpoints: tuple[threading.Thread, threading.Event] | None = None
        self._checkpoint_users = 0
        self._checkpoint_lock = threading.Lock()
        self._thread_readers = threading.local()
        self._opened_readers: list[sqlite3.Connection] = []

    def thread_reader(self) -> sqlite3.Connection | None:
        """SQLite files only: this thread's own read-only connection, outside the pool.

        For a few short reads on the event loop (see ``globus_local.db.lean.read``): it
        never waits for a lock (``busy_timeout`` 0: a busy database raises at once and the
        caller takes the pooled path), and it cannot write. None for PostgreSQL and for
        in-memory databases, whose reads take the pool's connections in the thread pool.
        """
        if self.dialect != "sqlite" or self.engine.url.database in (None, "", ":memory:"):
            return None
        connection: sqlite3.Connection | None = getattr(self._thread_readers, "connection", None)
        if connection is None:
            connection = sqlite3.connect(
                self.engine.url.database,
                isolation_level=None,  # transactions begun and ended by the reader itself
                check_same_thread=False,  # so dispose() may close it from any thread
            )
            connection.execute("PRAGMA busy_timeout=0")
            connection.execute("PRAGMA query_only=ON")
            self._thread_readers.connection = connection
            with self._checkpoint_lock:
                self._opened_readers.append(connection)
        return connection

    def start_checkpoints(self) -> None:
        """SQLite: checkpoint the write-ahead log from a background thread (see
        CHECKPOINT_SECONDS); each call needs a :meth:`stop_checkpoints`."""
        if self.dialect != "sqlite" or self.engine.url.database in (None, "", ":memory:"):
            return
        with self._checkpoint_lock:
            self._checkpoint_users += 1
            if self._checkpoints is not None:
                return
            stop = threading.Event()
            thread = threading.Thread(
                target=self._checkpoint_loop, args=(stop,), name="sqlite-checkpoints", daemon=True
            )
            self._checkpoints = (thread, stop)
            thread.start()

    def stop_checkpoints(self, *, every_user: bool = False) -> None:
        """End one :meth:`start_checkpoints` (``every_user``: all of them); the thread
        stops with the last."""
        with self._checkpoint_lock:
            self._checkpoint_users = 0 if every_user else max(0, self._checkpoint_users - 1)
            if self._checkpoint_users or self._checkpoints is None:
                return
            (thread, stop), self._checkpoints = self._checkpoints, None
        stop.set()
        thread.join(timeout=30)

    def _checkpoint_loop(self, stop: threading.Event) -> None:
        # PASSIVE: copies what no reader still needs and never waits for or blocks anyone.
        while not stop.wait(CHECKPOINT_SECONDS):
            try:
                with self.engine.connect() as connection:
                    connection.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")
            except Exception:  # the next round tries again; commits keep their backstop
                log.debug("background checkpoint failed", exc_info=True)

    @contextmanager
    def session(self) -> t.Iterator[Session]:
        """A unit of work: committed when the block ends, rolled back if it raises."""
        session = self.sessionmaker()
        try:
            yield session
        except BaseException:
            discard_session(session)
            raise
        commit_session(session)

    def dispose(self) -> None:
        self.stop_checkpoints(every_user=True)
        with self._checkpoint_lock:
            opened, self._opened_readers = self._opened_readers, []
        for connection in opened:
            connection.close()
        self._thread_readers = threading.local()
        self.engine.dispose()


def commit_session(session: Session) -> None:
    """Commit and close; on failure roll back and close, and raise."""
    try:
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def discard_session(session: Session) -> None:
    """Roll back and close."""
    try:
        session.rollback()
    finally:
        session.close()
