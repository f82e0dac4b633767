"""Search's ingest jobs on the lifecycle: they stop between tasks when asked, record their
progress under the lease, and leave their task in a state that tells what happened."""

from __future__ import annotations

import dataclasses
import typing as t
import uuid

import pytest
from sqlalchemy import select

from globus_local.db import Base, Database, utcnow
from globus_local.jobs import CANCELED, RUNNING, SUCCEEDED, Job, Worker
from globus_local.services.search import tasks
from globus_local.services.search.models import SearchIndex, SearchTask


@pytest.fixture
def platform_db(database_url: str) -> t.Iterator[Database]:
    """A database holding the queue's tables and every table imported so far (Search's)."""
    database = Database(database_url)
    Base.metadata.create_all(database.engine)
    try:
        yield database
    finally:
        database.dispose()


def submit(db: Database) -> tuple[str, str]:
    """A task (deleting a subject no entry has) on a new index; its id and its job's."""
    with db.session() as session:
        index = SearchIndex(id=str(uuid.uuid4()), display_name="jobs", creator_id=str(uuid.uuid4()))
        session.add(index)
        session.flush()
        task = tasks.submit_task(session, index, tasks.DELETE_BY_SUBJECT, {"subjects": ["nobody"]})
        task_id = task.task_id
    with db.session() as session:
        jobs = session.scalars(select(Job).where(Job.kind == tasks.JOB_KIND)).all()
        (job_id,) = [j.id for j in jobs if j.payload["task_id"] == task_id]
    return task_id, job_id


def rows(db: Database, task_id: str, job_id: str) -> tuple[SearchTask, Job]:
    with db.session() as session:
        task = session.scalars(select(SearchTask).where(SearchTask.task_id == task_id)).one()
        job = session.get(Job, job_id)
        assert job is not None
        return task, job


def test_an_ingest_job_stopping_with_its_process_is_resumed_by_another_worker(
    platform_db: Database,
) -> None:
    task_id, job_id = submit(platform_db)
    stopping = Worker(platform_db, kinds=[tasks.JOB_KIND])
    stopping.stopping.set()  # the process is stopping before the job reaches its task
    assert stopping.run_once() is True
    task, job = rows(platform_db, task_id, job_id)
    assert task.state == "PENDING"
    assert (job.state, job.progress) == (RUNNING, {"applied": 0, "left": 1})
    assert job.lease_expires_at is not None and job.lease_expires_at <= utcnow()

    assert Worker(platform_db, kinds=[tasks.JOB_KIND]).run_once() is True
    task, job = rows(platform_db, task_id, job_id)
    assert (task.state, job.state, job.attempts) == ("SUCCESS", SUCCEEDED, 2)
    assert job.progress == {"applied": 1, "left": 0}


def test_a_canceled_ingest_job_fails_the_task_it_did_not_reach(
    platform_db: Database,
) -> None:
    task_id, job_id = submit(platform_db)
    worker = Worker(platform_db, kinds=[tasks.JOB_KIND])
    claim = worker.claim()
    assert claim is not None and claim.job_id == job_id
    # As the lease keeper brings a cancel requested meanwhile.
    worker.execute(dataclasses.replace(claim, cancel_requested=True))
    task, job = rows(platform_db, task_id, job_id)
    assert (task.state, task.message) == ("FAILED", "Task canceled")
    assert (job.state, job.result) == (CANCELED, {"applied": 0})
