"""Bulk inserts straight through the database driver (one ``executemany`` per table).

Ingest writes tens of rows per entry; handing SQLAlchemy a dict per row costs more than
the database's own work, so rows go to the driver as tuples instead.
"""

from __future__ import annotations

import typing as t

from sqlalchemy.orm import Session


def insert_many(
    session: Session,
    table: str,
    columns: t.Sequence[str],
    rows: t.Sequence[t.Sequence[t.Any]],
    casts: t.Mapping[str, str] | None = None,
) -> None:
    """``INSERT INTO table (columns)`` each row; ``casts`` wraps a column's marker in
    ``CAST(... AS type)``."""
    if not rows:
        return
    conn = session.connection()
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"  # else (py)format
    markers = [f"CAST({mark} AS {casts[c]})" if casts and c in casts else mark for c in columns]
    conn.exec_driver_sql(
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(markers)})",
        list(rows),
    )
