"""Which full-text backend serves a database: chosen by its dialect, its schema ensured once
per process. Kept apart from ``base`` so the interface imports none of its implementations."""

from __future__ import annotations

import threading
import weakref

from globus_local.db import Database
from globus_local.services.search.backends.base import FullTextBackend
from globus_local.services.search.backends.postgres_fts import PostgresFtsBackend
from globus_local.services.search.backends.sqlite_fts5 import SqliteFts5Backend

_lock = threading.Lock()
_backends: weakref.WeakKeyDictionary[Database, FullTextBackend] = weakref.WeakKeyDictionary()


def backend_for(db: Database) -> FullTextBackend:
    """The backend for this platform database, its schema ensured once per process."""
    backend = _backends.get(db)
    if backend is not None:
        return backend
    with _lock:
        backend = _backends.get(db)
        if backend is None:
            backend = make_backend(db.dialect)
            with db.engine.begin() as conn:
                backend.ensure_schema(conn)
            _backends[db] = backend
    return backend


def make_backend(dialect: str) -> FullTextBackend:
    if dialect == "sqlite":
        return SqliteFts5Backend()
    if dialect == "postgresql":
        return PostgresFtsBackend()
    raise RuntimeError(f"no search backend for database dialect {dialect!r}")
