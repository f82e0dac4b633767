"""Fixtures of the job queue's tests: a database holding the queue's tables, on each
backend, and handlers registered under kinds unique to each test."""

from __future__ import annotations

import typing as t
import uuid

import pytest

from globus_local.db import Base, Database
from globus_local.jobs import Job, JobContext, JobEvent, job_handler, recurring, recurring_job
from globus_local.jobs.registry import unregister
from tests.globus_local.jobs.support import HOUR


@pytest.fixture
def db(database_url: str) -> t.Iterator[Database]:
    database = Database(database_url)
    Base.metadata.create_all(database.engine, tables=[Job.__table__, JobEvent.__table__])
    try:
        yield database
    finally:
        database.dispose()


@pytest.fixture
def register() -> t.Iterator[t.Callable[..., str]]:
    """Register a handler under a kind unique to the test; returns the kind."""
    kinds: list[str] = []

    def _register(fn: t.Callable[[JobContext], t.Any]) -> str:
        kind = f"test.{uuid.uuid4().hex[:12]}"
        job_handler(kind)(fn)
        kinds.append(kind)
        return kind

    yield _register
    for kind in kinds:
        unregister(kind)


@pytest.fixture
def register_recurring() -> t.Iterator[t.Callable[..., str]]:
    """Register a recurring handler under a kind unique to the test; returns the kind."""
    kinds: list[str] = []

    def _register(fn: t.Callable[[JobContext], t.Any], every: float = HOUR) -> str:
        kind = f"test.{uuid.uuid4().hex[:12]}"
        recurring_job(kind, every)(fn)
        kinds.append(kind)
        return kind

    yield _register
    for kind in kinds:
        unregister(kind)
        recurring._EVERY.pop(kind, None)
