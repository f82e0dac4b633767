"""Full-text index backends (SQLite FTS5, PostgreSQL tsvector) behind one interface."""

from globus_local.services.search.backends.base import FullTextBackend
from globus_local.services.search.backends.select import backend_for

__all__ = ["FullTextBackend", "backend_for"]
