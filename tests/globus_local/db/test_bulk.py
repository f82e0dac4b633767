"""insert_rows stores exactly what the ORM would, on both backends."""

from __future__ import annotations

import datetime as dt
import typing as t
import uuid

import pytest
from sqlalchemy import select

from globus_local.app import prepare_schema
from globus_local.db import Database
from globus_local.db.bulk import insert_rows
from globus_local.services.transfer.models_tasks import TaskFile, TransferTask


@pytest.fixture
def db(database_url: str) -> t.Iterator[Database]:
    database = Database(database_url)
    prepare_schema(database)
    try:
        yield database
    finally:
        database.dispose()


def _task(db: Database) -> str:
    task_id = str(uuid.uuid4())
    with db.session() as session:
        session.add(
            TransferTask(
                id=task_id,
                submission_id=task_id,
                type="TRANSFER",
                owner_id=str(uuid.uuid4()),
                username="bulk@example.org",
                deadline=dt.datetime(2030, 1, 1, tzinfo=dt.timezone.utc),
                source_endpoint_id=str(uuid.uuid4()),
            )
        )
    return task_id


def test_rows_read_back_as_the_orm_wrote_them(db: Database) -> None:
    task_id = _task(db)
    when = dt.datetime(2026, 11, 23, 12, 30, 1, tzinfo=dt.timezone.utc)
    rows = [
        {"task_id": task_id, "kind": "file", "source_path": "/a", "size": 7, "mtime": 1.5},
        {
            "task_id": task_id,
            "kind": "file",
            "source_path": "/b",
            "state": "skipped",
            "error_time": when,
            "error_code": "PERMISSION_DENIED",
        },
        {"task_id": task_id, "kind": "dir", "source_path": "/c", "is_directory": True},
    ]
    with db.session() as session:
        insert_rows(session, TaskFile.__table__, rows, {"state": "pending", "size": 0})
    with db.session() as session:
        found = session.scalars(
            select(TaskFile).where(TaskFile.task_id == task_id).order_by(TaskFile.source_path)
        ).all()
        got = [
            (f.kind, f.source_path, f.state, f.size, f.mtime, f.is_directory, f.error_time)
            for f in found
        ]
    assert got == [
        ("file", "/a", "pending", 7, 1.5, False, None),
        ("file", "/b", "skipped", 0, None, False, when),
        ("dir", "/c", "pending", 0, None, True, None),
    ]


def test_many_rows_in_chunks(db: Database) -> None:
    task_id = _task(db)
    rows = [{"task_id": task_id, "kind": "file", "source_path": f"/{n}"} for n in range(12001)]
    with db.session() as session:
        insert_rows(session, TaskFile.__table__, rows, {"state": "pending"})
    with db.session() as session:
        paths = set(
            session.scalars(select(TaskFile.source_path).where(TaskFile.task_id == task_id))
        )
    assert paths == {f"/{n}" for n in range(12001)}


def test_nothing_to_insert(db: Database) -> None:
    with db.session() as session:
        insert_rows(session, TaskFile.__table__, [])


def test_returned_ids_are_the_rows_own_in_order(db: Database) -> None:
    """Two inserts in one transaction, after rows of another task: each call's ids name
    its own rows, in the order given (a default fills the task id of every row)."""
    other, task_id = _task(db), _task(db)
    with db.session() as session:
        insert_rows(session, TaskFile.__table__, [{"task_id": other, "kind": "file"}] * 3)
    with db.session() as session:
        first, second = (
            insert_rows(
                session,
                TaskFile.__table__,
                [{"kind": kind, "source_path": f"/{kind}{n}"} for n in range(count)],
                {"task_id": task_id},
                returning_ids=True,
            )
            for kind, count in (("file", 7001), ("dir", 5))
        )
    with db.session() as session:
        stored = dict(
            session.execute(
                select(TaskFile.id, TaskFile.source_path).where(TaskFile.task_id == task_id)
            ).all()
        )
    assert [stored[i] for i in first] == [f"/file{n}" for n in range(7001)]
    assert [stored[i] for i in second] == [f"/dir{n}" for n in range(5)]
