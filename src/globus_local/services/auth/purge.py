"""Dropping rows Auth will never use again, as a recurring job on the platform's queue.

Expired access tokens, revoked tokens (refresh tokens never expire, so revocation is
their end), spent authorization codes, ended login sessions and forgotten failed-login
counts would otherwise pile up for good. Rows go in batches, each its own short
transaction, so the purge never holds the database's write lock for long.
"""

from __future__ import annotations

import time
import typing as t

from sqlalchemy import Column, ColumnElement, delete, or_, select

from globus_local.db import Database
from globus_local.jobs import JobContext, recurring_job
from globus_local.services.auth import login_throttle
from globus_local.services.auth.models import (
    AuthorizationCode,
    LoginSession,
    LoginThrottle,
    Token,
)
from globus_local.services.auth.tokens import CODE_LIFETIME

if t.TYPE_CHECKING:
    from sqlalchemy import CursorResult

JOB_KIND = "auth.purge"
# Expired rows only cost space: looking once an hour keeps the tables small enough.
PURGE_EVERY = 3600.0
# Tokens are kept this long past expiry, so hosts whose clocks disagree a little never see
# a token vanish while they still count it live.
TOKEN_GRACE = 3600
# Rows deleted per transaction: small enough that requests waiting on the write lock wait
# little.
BATCH = 1000


def _delete_in_batches(
    db: Database,
    key: Column[t.Any],
    condition: ColumnElement[bool],
    heartbeat: t.Callable[[], None],
) -> int:
    """Delete the rows matching ``condition`` (by their primary key ``key``) ``BATCH`` at a
    time; returns how many went."""
    table = key.table
    total = 0
    while True:
        with db.session() as session:
            doomed = select(key).where(condition).limit(BATCH)
            result = t.cast(
                "CursorResult[t.Any]",  # a DELETE's result counts the rows it removed
                session.execute(delete(table).where(key.in_(doomed))),
            )
            deleted = int(result.rowcount or 0)
        total += deleted
        heartbeat()
        if deleted < BATCH:
            return total


def purge(
    db: Database, *, now: int | None = None, heartbeat: t.Callable[[], None] = lambda: None
) -> dict[str, int]:
    """Delete what has expired by ``now`` (epoch seconds); counts per kind of row."""
    now = int(time.time()) if now is None else now
    tokens = Token.__table__.c
    codes = AuthorizationCode.__table__.c
    sessions = LoginSession.__table__.c
    throttle = LoginThrottle.__table__.c
    return {
        "tokens": _delete_in_batches(
            db,
            tokens.token_hash,
            or_(tokens.revoked.is_(True), tokens.expires_at < now - TOKEN_GRACE),
            heartbeat,
        ),
        # Kept one lifetime past expiry, as issue_code does: a replayed code still revokes
        # its grant.
        "authorization_codes": _delete_in_batches(
            db, codes.code_hash, codes.expires_at < now - CODE_LIFETIME, heartbeat
        ),
        "login_sessions": _delete_in_batches(
            db, sessions.cookie_hash, sessions.expires_at < now, heartbeat
        ),
        "login_throttle": _delete_in_batches(
            db, throttle.key_hash, login_throttle.forgotten(now), heartbeat
        ),
    }


@recurring_job(JOB_KIND, every=PURGE_EVERY)
def run_purge(ctx: JobContext) -> dict[str, int]:
    """One run; between batches it keeps its lease and stops when asked (a stopping
    process hands the run to another worker, which purges what is left)."""

    def between_batches() -> None:
        ctx.heartbeat()
        ctx.raise_if_stopped()

    return purge(ctx.db, heartbeat=between_batches)
