"""The one interface every full-text backend implements (picking one: ``select.py``).

A backend owns a table mapping entry ``pk`` → indexed tokens and knows its own query
language. Everything else (entries, visibility, field values, filters, facets, sorting,
grouping by subject) is plain SQL shared by all backends.

Text queries reach a backend as the text-only part of a parsed query (``Term`` leaves
combined by ``And``/``Or``, with ``Not`` only as an exclusion inside an ``And`` that has
a positive part); ``query.text_match.render_text`` spells that with the backend's
``phrase``/``conj``/``disj``/``exclude``.
"""

from __future__ import annotations

import abc
import typing as t

from sqlalchemy import Connection
from sqlalchemy.orm import Session


class FullTextBackend(abc.ABC):
    name: str

    # -- schema and writes ------------------------------------------------------------------

    @abc.abstractmethod
    def ensure_schema(self, conn: Connection) -> None:
        """Create the backend's table(s) if missing (idempotent)."""

    @abc.abstractmethod
    def add(self, session: Session, rows: t.Sequence[tuple[int, str]]) -> None:
        """Index ``(entry_pk, space-separated tokens)`` pairs."""

    @abc.abstractmethod
    def remove(self, session: Session, pks: t.Sequence[int]) -> None:
        """Drop the indexed text of these entries."""

    # -- queries ----------------------------------------------------------------------------

    @abc.abstractmethod
    def scored_sql(self, param: str) -> str:
        """``SELECT pk, score`` of entries matching bound query ``:param``; higher is better."""

    @abc.abstractmethod
    def ids_sql(self, param: str) -> str:
        """``SELECT pk`` (a column named ``pk``) of entries matching bound query ``:param``."""

    @abc.abstractmethod
    def group_ids(self, expr: str) -> str:
        """An aggregate joining integer ``expr`` values of a group with commas."""

    @abc.abstractmethod
    def floor_int(self, expr: str) -> str:
        """Integer floor of a non-negative numeric ``expr``."""

    def fence(self, condition: str) -> str:
        """``condition`` in a form the planner evaluates as it stands rather than turning it
        into a join (where planning many of them costs more than running them)."""
        return condition

    def float_sum(self, expr: str) -> str:
        """``SUM`` of float ``expr`` that never fails: one past a float's range may give
        infinity, never an error."""
        return f"SUM({expr})"

    @abc.abstractmethod
    def phrase(self, tokens: list[str], prefix: bool) -> str: ...

    @abc.abstractmethod
    def conj(self, parts: list[str]) -> str: ...

    @abc.abstractmethod
    def disj(self, parts: list[str]) -> str: ...

    @abc.abstractmethod
    def exclude(self, positive: str, negatives: list[str]) -> str: ...
