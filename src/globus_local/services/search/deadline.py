"""A time limit on one search's SQL, so no query, however heavy for its index, runs on.

Globus Search aborts a query after 30 seconds and answers 504; so does this. On SQLite a
progress handler interrupts the statement running past the deadline; on PostgreSQL each
statement gets the time still left as its ``statement_timeout``.
"""

from __future__ import annotations

import time
import typing as t

from sqlalchemy import text
from sqlalchemy.engine import Result
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from globus_local.kit.errors import ServiceError
from globus_local.services.search.limits import MAX_QUERY_SECONDS

if t.TYPE_CHECKING:
    from typing_extensions import Unpack

# SQLite virtual-machine steps between two looks at the clock.
_CHECK_EVERY = 10_000
# PostgreSQL's code for a statement cancelled by statement_timeout.
_QUERY_CANCELED = "57014"


class Deadline:
    """Runs a search's statements, each stopped once the search's time is up.

    Use as a context manager around every statement of one search, through :meth:`execute`
    (outside the context, statements run without a limit).
    """

    def __init__(self, session: Session, seconds: float | None = None) -> None:
        self.session = session
        self.seconds = MAX_QUERY_SECONDS if seconds is None else seconds
        self.ends: float | None = None
        self.sqlite: t.Any = None  # the sqlite3 connection, when that is the database
        self.postgres = False

    def __enter__(self) -> Deadline:
        self.ends = time.monotonic() + self.seconds
        conn = self.session.connection()
        if conn.dialect.name == "sqlite":
            self.sqlite = conn.connection.driver_connection
            self.sqlite.set_progress_handler(self._expired, _CHECK_EVERY)
        self.postgres = conn.dialect.name == "postgresql"
        return self

    def __exit__(self, kind: type[BaseException] | None, *rest: t.Any) -> None:
        self.ends = None
        if self.sqlite is not None:
            self.sqlite.set_progress_handler(None, 0)
            self.sqlite = None
        elif self.postgres and kind is None:  # after an error the transaction is gone anyway
            self.session.execute(text("SET LOCAL statement_timeout TO DEFAULT"))

    def _expired(self) -> int:
        return int(self.ends is not None and time.monotonic() > self.ends)

    def execute(
        self, sql: str, params: t.Mapping[str, t.Any] | None = None
    ) -> Result[Unpack[tuple[t.Any, ...]]]:
        """``session.execute(text(sql), params)`` within the time left."""
        if self.ends is None:
            return self.session.execute(text(sql), params)
        left = self.ends - time.monotonic()
        if left <= 0:
            raise timed_out(self.seconds)
        if self.postgres:
            ms = max(int(left * 1000), 1)
            self.session.execute(text(f"SET LOCAL statement_timeout = {ms}"))
        return self.session.execute(text(sql), params)


def is_timeout(err: DBAPIError) -> bool:
    """Whether the database stopped a statement because the deadline passed."""
    if getattr(err.orig, "sqlstate", None) == _QUERY_CANCELED:
        return True
    return "interrupted" in str(err.orig).lower()


def timed_out(seconds: float) -> ServiceError:
    return ServiceError(
        504,
        "GatewayTimeout",
        f"The query did not finish within {seconds:g} seconds; narrow it down "
        "(fewer terms, ranges or facets) and try again.",
    )
