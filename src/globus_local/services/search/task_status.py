"""What a writer of an index may read of its tasks: one by id, or the latest of the index."""

from __future__ import annotations

import typing as t

from sqlalchemy import select
from sqlalchemy.orm import Session

from globus_local.services.search import access
from globus_local.services.search.access import Caller, get_index
from globus_local.services.search.documents import task_document
from globus_local.services.search.errors import not_found
from globus_local.services.search.models import SearchTask

# Tasks a task list shows, newest first.
TASK_LIST_SIZE = 1000


def get_task(session: Session, task_id: str, caller: Caller) -> dict[str, t.Any]:
    task = None
    if "\x00" not in task_id:  # no task has one, and PostgreSQL refuses to compare it
        task = session.scalar(select(SearchTask).where(SearchTask.task_id == task_id))
    if task is None:
        raise not_found(f"No task {task_id}")
    index = get_index(session, task.index_id)
    access.require_role(session, index, caller, "writer")
    return task_document(task)


def list_tasks(session: Session, index_id: str, caller: Caller) -> dict[str, t.Any]:
    index = get_index(session, index_id)
    access.require_role(session, index, caller, "writer")
    tasks = session.scalars(
        select(SearchTask)
        .where(SearchTask.index_id == index.id)
        .order_by(SearchTask.seq.desc())
        .limit(TASK_LIST_SIZE)
    )
    return {"index_id": index.id, "tasks": [task_document(x) for x in tasks]}
