"""PostgreSQL full-text search: a tsvector per entry with a GIN index; ranked by ts_rank.

Vectors and queries are written as tsvector/tsquery literals built from our own tokens,
so no text-search configuration (stemming, stop words) changes what matches.
"""

from __future__ import annotations

import typing as t

from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

from globus_local.services.search.backends.base import FullTextBackend
from globus_local.services.search.bulk import insert_many

FTS_TABLE = "search_fts"
MAX_POSITION = 16383  # PostgreSQL's largest tsvector position
MAX_VECTOR_CHARS = 900_000  # stay under the 1 MB tsvector limit


def tsvector_literal(body: str) -> str:
    """``'tok':1 'tok2':2 ...`` with positions (so phrases work), clamped to PG's limits."""
    parts: list[str] = []
    size = 0
    for position, token in enumerate(body.split(), start=1):
        part = f"'{token}':{min(position, MAX_POSITION)}"
        size += len(part) + 1
        if size > MAX_VECTOR_CHARS:
            break
        parts.append(part)
    return " ".join(parts)


class PostgresFtsBackend(FullTextBackend):
    name = "postgres_fts"

    def ensure_schema(self, conn: Connection) -> None:
        # Serialize concurrent first starts (CREATE ... IF NOT EXISTS can race in PostgreSQL).
        conn.execute(text("SELECT pg_advisory_xact_lock(72731001)"))
        conn.execute(
            text(
                f"CREATE TABLE IF NOT EXISTS {FTS_TABLE} ("
                "entry_pk INTEGER PRIMARY KEY REFERENCES search_entries(pk) ON DELETE CASCADE, "
                "tsv tsvector NOT NULL)"
            )
        )
        conn.execute(
            text(f"CREATE INDEX IF NOT EXISTS ix_{FTS_TABLE}_tsv ON {FTS_TABLE} USING GIN (tsv)")
        )

    def add(self, session: Session, rows: t.Sequence[tuple[int, str]]) -> None:
        insert_many(
            session,
            FTS_TABLE,
            ("entry_pk", "tsv"),
            [(pk, tsvector_literal(body)) for pk, body in rows],
            casts={"tsv": "tsvector"},
        )

    def remove(self, session: Session, pks: t.Sequence[int]) -> None:
        for start in range(0, len(pks), 1000):
            chunk = [int(pk) for pk in pks[start : start + 1000]]
            session.execute(
                text(f"DELETE FROM {FTS_TABLE} WHERE entry_pk = ANY(:pks)"), {"pks": chunk}
            )

    def scored_sql(self, param: str) -> str:
        return (
            f"SELECT entry_pk AS pk, ts_rank(tsv, CAST(:{param} AS tsquery)) AS score "
            f"FROM {FTS_TABLE} WHERE tsv @@ CAST(:{param} AS tsquery)"
        )

    def ids_sql(self, param: str) -> str:
        return f"SELECT entry_pk AS pk FROM {FTS_TABLE} WHERE tsv @@ CAST(:{param} AS tsquery)"

    def group_ids(self, expr: str) -> str:
        return f"string_agg(CAST({expr} AS TEXT), ',')"

    def floor_int(self, expr: str) -> str:
        return f"CAST(FLOOR({expr}) AS INTEGER)"

    def fence(self, condition: str) -> str:
        # only bare IN sublinks become semi-joins; IS TRUE keeps it one hashed subplan
        return f"({condition}) IS TRUE"

    def float_sum(self, expr: str) -> str:
        # a double precision SUM past 1.8e308 is an error in PostgreSQL; numeric holds it
        return f"SUM(CAST({expr} AS NUMERIC))"

    def phrase(self, tokens: list[str], prefix: bool) -> str:
        quoted = [f"'{tok}'" for tok in tokens]
        if prefix:
            quoted[-1] += ":*"
        return quoted[0] if len(quoted) == 1 else "(" + " <-> ".join(quoted) + ")"

    def conj(self, parts: list[str]) -> str:
        return "(" + " & ".join(parts) + ")"

    def disj(self, parts: list[str]) -> str:
        return "(" + " | ".join(parts) + ")"

    def exclude(self, positive: str, negatives: list[str]) -> str:
        return "(" + positive + "".join(f" & !{neg}" for neg in negatives) + ")"
