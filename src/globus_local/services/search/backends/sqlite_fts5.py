"""SQLite FTS5: an FTS5 table whose rowid is the entry pk; ranked by bm25."""

from __future__ import annotations

import typing as t

from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

from globus_local.services.search.backends.base import FullTextBackend
from globus_local.services.search.bulk import insert_many

FTS_TABLE = "search_fts"


class SqliteFts5Backend(FullTextBackend):
    name = "sqlite_fts5"

    def ensure_schema(self, conn: Connection) -> None:
        # Tokens arrive already normalized (text.tokenize); unicode61 only splits on spaces.
        conn.execute(
            text(
                f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} "
                "USING fts5(body, tokenize = 'unicode61 remove_diacritics 0')"
            )
        )

    def add(self, session: Session, rows: t.Sequence[tuple[int, str]]) -> None:
        insert_many(session, FTS_TABLE, ("rowid", "body"), rows)

    def remove(self, session: Session, pks: t.Sequence[int]) -> None:
        for start in range(0, len(pks), 500):
            chunk = list(pks[start : start + 500])
            marks = ", ".join(str(int(pk)) for pk in chunk)
            session.execute(text(f"DELETE FROM {FTS_TABLE} WHERE rowid IN ({marks})"))

    def scored_sql(self, param: str) -> str:
        return (
            f"SELECT rowid AS pk, -rank AS score FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :{param}"
        )

    def ids_sql(self, param: str) -> str:
        return f"SELECT rowid AS pk FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :{param}"

    def group_ids(self, expr: str) -> str:
        return f"group_concat({expr}, ',')"

    def floor_int(self, expr: str) -> str:
        return f"CAST({expr} AS INTEGER)"

    def phrase(self, tokens: list[str], prefix: bool) -> str:
        return '"' + " ".join(tokens) + '"' + ("*" if prefix else "")

    def conj(self, parts: list[str]) -> str:
        return "(" + " AND ".join(parts) + ")"

    def disj(self, parts: list[str]) -> str:
        return "(" + " OR ".join(parts) + ")"

    def exclude(self, positive: str, negatives: list[str]) -> str:
        negative = negatives[0] if len(negatives) == 1 else self.disj(negatives)
        return f"({positive} NOT {negative})"
