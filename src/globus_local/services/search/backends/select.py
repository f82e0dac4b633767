"""Which full-text backend serves a database: chosen by its dialect, its schema ensured once
per process. Kept apart from ``base`` so the interface imports none of its implementations.

Also which engine answers searches: ``tantivy`` (a copy of each index beside a SQLite
database, ``tantivy_store.py``; the default on SQLite) or ``sql`` (the full-text backend
alone; the only one on PostgreSQL, whose API servers may run on many hosts).
``GLOBUS_LOCAL_SEARCH_ENGINE`` chooses; ``use_engine`` sets it for one database.
"""

from __future__ import annotations

import os
import threading
import weakref

from sqlalchemy.engine import make_url

from globus_local.db import Database
from globus_local.services.search.backends.base import FullTextBackend
from globus_local.services.search.backends.postgres_fts import PostgresFtsBackend
from globus_local.services.search.backends.sqlite_fts5 import SqliteFts5Backend
from globus_local.services.search.tantivy_store import TantivyStore, store_root

ENGINES = ("tantivy", "sql")
ENGINE_VARIABLE = "GLOBUS_LOCAL_SEARCH_ENGINE"

_lock = threading.Lock()
_backends: weakref.WeakKeyDictionary[Database, FullTextBackend] = weakref.WeakKeyDictionary()
_stores: weakref.WeakKeyDictionary[Database, TantivyStore | None] = weakref.WeakKeyDictionary()
_chosen: weakref.WeakKeyDictionary[Database, str] = weakref.WeakKeyDictionary()


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


def use_engine(db: Database, engine: str) -> None:
    """Answer this database's searches with ``engine`` (one of ENGINES) from now on."""
    if engine not in ENGINES:
        raise ValueError(f"unknown search engine {engine!r}; one of {', '.join(ENGINES)}")
    with _lock:
        _chosen[db] = engine
        _stores.pop(db, None)


def engine_name(db: Database) -> str:
    """The engine answering this database's searches."""
    chosen = _chosen.get(db) or os.environ.get(ENGINE_VARIABLE, "").strip().lower()
    if chosen and chosen not in ENGINES:
        raise RuntimeError(f"{ENGINE_VARIABLE}={chosen!r}: expected one of {', '.join(ENGINES)}")
    if db.dialect != "sqlite" or _database_file(db) is None:
        return "sql"  # the copies live beside a SQLite file: every process reaches them
    return chosen or "tantivy"


def store_for(db: Database) -> TantivyStore | None:
    """The tantivy copies of this database's indices, or None when SQL answers alone."""
    if db in _stores:
        return _stores[db]
    with _lock:
        if db not in _stores:
            path = _database_file(db)
            use = engine_name(db) == "tantivy" and path is not None
            _stores[db] = TantivyStore(store_root(path)) if use and path else None
        return _stores[db]


def _database_file(db: Database) -> str | None:
    database = make_url(db.url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return database
