"""Full-text index backends (SQLite FTS5, PostgreSQL tsvector) behind one interface."""

from globus_local.services.search.backends.base import FullTextBackend, backend_for

__all__ = ["FullTextBackend", "backend_for"]
