"""Kept for callers that adopted it early: Auth's session dependency is now simply the
platform's ``globus_local.db.DbSession`` (one session shared by every dependency of a request).
"""

from __future__ import annotations

from globus_local.db import DbSession, get_session

AuthDb = DbSession
auth_session = get_session

__all__ = ["AuthDb", "auth_session"]
