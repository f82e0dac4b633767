"""Database access shared by every service: one declarative Base, one engine, one session scope."""

from globus_local.db.base import Base, StrEnum, UTCDateTime, utcnow
from globus_local.db.database import Database

__all__ = ["Base", "Database", "StrEnum", "UTCDateTime", "utcnow"]
