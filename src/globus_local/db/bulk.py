"""Inserting many rows at once (a task's expanded files, an ingest's entries).

On SQLite the rows go straight to the driver as one ``INSERT`` of many rows per statement
(``VALUES (...), (...), ...``), each value passed through its column type's bind processor
as SQLAlchemy would, without the generic path's per-row work: ``executemany`` steps the
statement once per row and gives the GIL up and back each time, which the mover's threads
and the API wait for (see docs/decisions.md). Other databases take SQLAlchemy's own bulk
insert, which already batches rows into multi-row ``VALUES`` there.

``returning_ids`` gives the new rows' primary keys in the order of ``rows``, so a caller
can go on working with the rows it holds instead of reading them back.
"""

from __future__ import annotations

import sqlite3
import typing as t

from sqlalchemy import Column, Table, func, insert, select
from sqlalchemy.orm import Session

CHUNK = 5000
# Rows per SQLite statement: each row binds a value per column, within the driver's
# bound-variable limit (999 in SQLite builds before 3.32).
STATEMENT_ROWS = 500


def insert_rows(
    session: Session,
    table: Table,
    rows: t.Sequence[t.Mapping[str, t.Any]],
    defaults: t.Mapping[str, t.Any] | None = None,
    *,
    returning_ids: bool = False,
) -> list[int]:
    """Insert ``rows`` (column name -> value). A key a row lacks takes ``defaults``, else
    the column's own scalar default, else NULL, whichever rows carry it. With
    ``returning_ids``, the new primary keys in row order (else an empty list)."""
    if not rows:
        return []
    with_default = {c.name for c in table.columns if getattr(c.default, "is_scalar", False)}
    carried = {k for row in rows for k in row}
    # A column no row carries and whose default is NULL is left out: the database makes
    # it NULL anyway, and each value bound costs the driver time.
    keys = sorted(
        carried
        | {
            k
            for k in set(defaults or {}) | with_default
            if _default(table.c[k], defaults or {}) is not None
        }
    )
    columns = [table.c[k] for k in keys]
    fallback = [_default(c, defaults or {}) for c in columns]
    connection = session.connection()
    dialect = connection.dialect
    (key_column,) = table.primary_key.columns
    ids: list[int] = []
    if dialect.name != "sqlite":
        pairs = list(zip(keys, fallback, strict=True))
        statement = insert(table)
        if returning_ids:
            statement = statement.returning(key_column, sort_by_parameter_order=True)
        for start in range(0, len(rows), CHUNK):
            batch = rows[start : start + CHUNK]
            result = session.execute(statement, [{k: r.get(k, d) for k, d in pairs} for r in batch])
            if returning_ids:
                ids.extend(result.scalars())
        return ids
    # Only a few column types convert their values (booleans, times): each row's values
    # are taken in one pass at C speed, and just those columns are converted.
    processed = [
        (n, process)
        for n, process in enumerate(c.type.bind_processor(dialect) for c in columns)
        if process is not None
    ]
    names = ", ".join(f'"{c.name}"' for c in columns)
    marks = "(" + ", ".join("?" for _ in columns) + ")"
    per = max(1, min(STATEMENT_ROWS, _variable_limit(connection) // len(columns)))
    statements: dict[int, str] = {}

    head = f'INSERT INTO "{table.name}" ({names}) VALUES '

    def sql(count: int) -> str:
        found = statements.get(count)
        if found is None:
            found = statements[count] = head + ", ".join([marks] * count)
        return found

    def values(row: t.Mapping[str, t.Any]) -> tuple[t.Any, ...]:
        if not processed:
            return tuple(map(row.get, keys, fallback))
        out = list(map(row.get, keys, fallback))
        for n, process in processed:
            value = out[n]
            if value is not None:
                out[n] = process(value)
        return tuple(out)

    for start in range(0, len(rows), per):  # through SQLAlchemy: its hooks take the write gate
        batch = rows[start : start + per]
        connection.exec_driver_sql(sql(len(batch)), tuple(v for r in batch for v in values(r)))
    if returning_ids:
        # Since the first INSERT this transaction holds SQLite's only write lock, and a new
        # rowid is the largest so far plus one: these rows' keys are the len(rows) numbers
        # up to the largest key now.
        last = connection.execute(select(func.max(key_column))).scalar_one()
        ids = list(range(last - len(rows) + 1, last + 1))
    return ids


# SQLite's own id of the limit (``sqlite3`` names it only from Python 3.11 on, and the type
# checker targets an older Python).
_SQLITE_LIMIT_VARIABLE_NUMBER = 9


def _variable_limit(connection: t.Any) -> int:
    """How many values one statement may bind on this SQLite connection."""
    driver = connection.connection.driver_connection
    try:
        return int(driver.getlimit(_SQLITE_LIMIT_VARIABLE_NUMBER))
    except (AttributeError, sqlite3.Error):  # Python before 3.11: the oldest builds' limit
        return 999


def _default(column: Column[t.Any], defaults: t.Mapping[str, t.Any]) -> t.Any:
    if column.name in defaults:
        return defaults[column.name]
    default = column.default
    if default is not None and getattr(default, "is_scalar", False):
        return default.arg  # type: ignore[attr-defined]
    return None
