"""Search ingest and delete: actions that follow a Search task.

The write goes through Search's own logic as the caller (so only an index's writers may
use it) and queues a Search task; the action is ACTIVE until that task ends, then
SUCCEEDED or FAILED with the task document as details. A Search task cannot be stopped,
so neither can these actions.
"""

from __future__ import annotations

import json
import typing as t

from sqlalchemy import select
from sqlalchemy.orm import Session

from globus_local.services.actions.models import Action, ActionState
from globus_local.services.actions.providers.base import (
    Description,
    Progress,
    Provider,
    StartCall,
)
from globus_local.services.actions.providers.schemas import STRING, object_schema
from globus_local.services.search import writes
from globus_local.services.search.access import caller_for
from globus_local.services.search.documents import task_document
from globus_local.services.search.models import SearchTask, TaskState

_PRINCIPALS = {"type": "array", "minItems": 1, "items": STRING}

INGEST_SCHEMA = object_schema(
    {
        "search_index": STRING,
        "subject": STRING,
        "id": {"type": ["string", "null"]},
        "visible_to": _PRINCIPALS,
        "content": {"type": "object"},
    },
    required=["search_index", "subject", "visible_to", "content"],
)
DELETE_SCHEMA = object_schema(
    {
        "delete_by": {"enum": ["subject", "entry", "query"]},
        "search_index": STRING,
        "subject": STRING,
        "entry_id": {"type": ["string", "null"]},
        "q": {"type": "string"},
        "advanced": {"type": "boolean"},
        "filters": {"type": "array"},
    },
    required=["delete_by", "search_index"],
    all_of=[
        {
            "if": {"properties": {"delete_by": {"enum": ["subject", "entry"]}}},
            "then": {"required": ["subject"]},
        },
        {
            "if": {"properties": {"delete_by": {"const": "query"}}},
            "then": {"required": ["q"]},
        },
    ],
)

INGEST = Description(
    title="Globus Search Ingest",
    subtitle="Add or replace an entry in a Globus Search index",
    input_schema=INGEST_SCHEMA,
    synchronous=False,
    keywords=("search", "ingest"),
)
DELETE = Description(
    title="Globus Search Delete",
    subtitle="Delete entries from a Globus Search index",
    input_schema=DELETE_SCHEMA,
    synchronous=False,
    keywords=("search", "delete"),
)

_STATUS = {
    TaskState.PENDING: ActionState.ACTIVE,
    TaskState.PROGRESS: ActionState.ACTIVE,
    TaskState.SUCCESS: ActionState.SUCCEEDED,
    TaskState.FAILED: ActionState.FAILED,
}


def _ingest(call: StartCall, body: dict[str, t.Any]) -> dict[str, t.Any]:
    entry = {k: body[k] for k in ("subject", "id", "visible_to", "content") if k in body}
    document = {"ingest_type": "GMetaEntry", "ingest_data": entry}
    size = len(json.dumps(document).encode())
    caller = caller_for(call.session, call.ctx)
    return writes.ingest(call.session, body["search_index"], caller, document, size)


def _delete(call: StartCall, body: dict[str, t.Any]) -> dict[str, t.Any]:
    session, index_id = call.session, body["search_index"]
    caller = caller_for(session, call.ctx)
    if body["delete_by"] == "subject":
        return writes.delete_subjects(session, index_id, caller, {"subjects": [body["subject"]]})
    if body["delete_by"] == "entry":
        entry_id = body.get("entry_id")
        return writes.delete_entry(session, index_id, caller, body["subject"], entry_id)
    query = {k: body[k] for k in ("q", "advanced", "filters") if k in body}
    return writes.delete_by_query(session, index_id, caller, query)


def _progress(task: SearchTask) -> Progress:
    status = _STATUS[TaskState(task.state)]
    return Progress(status, task_document(task), display_status=str(task.state))


class SearchTaskProvider(Provider):
    """Ingest (``kind="ingest"``) or delete (``kind="delete"``) as a Search task."""

    def __init__(self, key: str, scope: str, kind: str) -> None:
        super().__init__(key, scope, INGEST if kind == "ingest" else DELETE)
        self.kind = kind

    def start(self, call: StartCall, body: dict[str, t.Any]) -> Progress:
        submitted = (_ingest if self.kind == "ingest" else _delete)(call, body)
        task = self._task(call.session, submitted["task_id"])
        progress = _progress(task)
        return Progress(
            progress.status,
            progress.details,
            progress.display_status,
            state={"task_id": task.task_id},
        )

    def _task(self, session: Session, task_id: str) -> SearchTask:
        task = session.scalar(select(SearchTask).where(SearchTask.task_id == task_id))
        if task is None:
            raise RuntimeError(f"search task {task_id} is gone")
        return task

    def refresh(self, session: Session, action: Action) -> Progress | None:
        return _progress(self._task(session, action.state["task_id"]))
