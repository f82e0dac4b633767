"""Database access shared by every service: one declarative Base, one engine, one session scope."""

from globus_local.db.base import Base, UTCDateTime, utcnow
from globus_local.db.database import Database, DbSession, get_session

__all__ = ["Base", "Database", "DbSession", "UTCDateTime", "get_session", "utcnow"]
