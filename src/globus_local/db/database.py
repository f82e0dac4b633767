"""Engine and session handling for SQLite (default) and PostgreSQL."""

from __future__ import annotations

import logging
import threading
import typing as t
from contextlib import contextmanager

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
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
# whichever commit finds the log past wal_autocheckpoint pages: here such a commit took
# 14-19 ms instead of under 2, inside a transfer's flush. Where job workers run, a thread
# checkpoints every CHECKPOINT_SECONDS instead; the commits' own limit stays as a backstop.
CHECKPOINT_SECONDS = 1.0
AUTOCHECKPOINT_PAGES = 8000  # 32 MiB of log at the default page size


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: t.Any, _record: t.Any) -> None:
        cur = dbapi_conn.cursor()
        # WAL lets API readers and job workers proceed while one writer commits.
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute(f"PRAGMA wal_autocheckpoint={AUTOCHECKPOINT_PAGES}")
        cur.close()


class Database:
    """One engine and session factory per platform instance."""

    def __init__(self, url: str) -> None:
        self.url = normalize_url(url)
        parsed = make_url(self.url)
        self.dialect = parsed.get_backend_name()
        kwargs: dict[str, t.Any] = {"future": True}
        if self.dialect == "sqlite":
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
        else:
            kwargs.update(pool_size=10, max_overflow=20, pool_pre_ping=True)
        self.engine = create_engine(self.url, **kwargs)
        if self.dialect == "sqlite":
            _configure_sqlite(self.engine)
        self.sessionmaker = sessionmaker(self.engine, expire_on_commit=False)
        self._checkpoints: tuple[threading.Thread, threading.Event] | None = None
        self._checkpoint_users = 0
        self._checkpoint_lock = threading.Lock()

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
            _discard(session)
            raise
        _commit(session)

    def dispose(self) -> None:
        self.stop_checkpoints(every_user=True)
        self.engine.dispose()


async def get_session(request: Request) -> t.AsyncIterator[Session]:
    """FastAPI dependency: one session per request, committed when the route returns.

    Async, so opening the session (no I/O: the connection is taken at its first query,
    in the route's thread) costs no trip to the thread pool; the commit, which does I/O,
    takes one. Every request pays this, and a trip costs the event loop about as much as
    a cheap route's own work."""
    db: Database = request.app.state.db
    session = db.sessionmaker()
    try:
        yield session
    except BaseException:
        await run_in_threadpool(_discard, session)
        raise
    await run_in_threadpool(_commit, session)


def _commit(session: Session) -> None:
    """Commit and close; on failure roll back and close, and raise."""
    try:
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def _discard(session: Session) -> None:
    """Roll back and close."""
    try:
        session.rollback()
    finally:
        session.close()


# The session is committed before the response leaves, so a client that sees a 2xx can
# rely on the change being stored.
DbSession = t.Annotated[Session, Depends(get_session, scope="function")]
