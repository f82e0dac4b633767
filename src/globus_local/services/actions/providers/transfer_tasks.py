"""Transfer and delete: actions that follow a Transfer task.

The task is submitted through Transfer's own logic as the caller's identity (with the
action id as its submission id, so the task cannot be submitted twice), and the action's
status is the task's: ACTIVE while it runs, then SUCCEEDED or FAILED with the task
document (and its events) as details. Cancelling the action cancels the task.
"""

from __future__ import annotations

import typing as t

from sqlalchemy.orm import Session

from globus_local.services.actions.models import Action, ActionState
from globus_local.services.actions.providers.base import (
    Description,
    Progress,
    Provider,
    StartCall,
)
from globus_local.services.actions.providers.schemas import (
    BOOLEAN,
    STRING,
    endpoint_of,
    endpoint_properties,
    object_schema,
    one_of_names,
)
from globus_local.services.transfer import task_queries, tasks
from globus_local.services.transfer.models_tasks import TaskStatus, TransferTask
from globus_local.services.transfer.task_control import request_cancel
from globus_local.services.transfer.task_documents import task_document

# Events shown with a finished task.
EVENTS_SHOWN = 100
TASK_BOOLEANS = (
    "verify_checksum",
    "preserve_timestamp",
    "encrypt_data",
    "delete_destination_extra",
    "skip_source_errors",
    "fail_on_quota_errors",
    "notify_on_succeeded",
    "notify_on_failed",
    "notify_on_inactive",
)
DELETE_BOOLEANS = (
    "recursive",
    "ignore_missing",
    "interpret_globs",
    "notify_on_succeeded",
    "notify_on_failed",
    "notify_on_inactive",
)
_STATUS = {
    TaskStatus.ACTIVE: ActionState.ACTIVE,
    TaskStatus.INACTIVE: ActionState.INACTIVE,
    TaskStatus.SUCCEEDED: ActionState.SUCCEEDED,
    TaskStatus.FAILED: ActionState.FAILED,
}

_TRANSFER_ITEMS = {
    "type": "array",
    "minItems": 1,
    "items": {
        "type": "object",
        "properties": {
            "DATA_TYPE": {"enum": ["transfer_item"]},
            "source_path": STRING,
            "destination_path": STRING,
            "recursive": BOOLEAN,
            "external_checksum": {"type": "string"},
            "checksum_algorithm": {"type": "string"},
        },
        "required": ["source_path", "destination_path"],
        "additionalProperties": False,
    },
}

TRANSFER_SCHEMA = object_schema(
    {
        "source_endpoint_id": STRING,
        "destination_endpoint_id": STRING,
        "source_endpoint": STRING,
        "destination_endpoint": STRING,
        "transfer_items": _TRANSFER_ITEMS,
        "DATA": _TRANSFER_ITEMS,
        "DATA_TYPE": {"enum": ["transfer"]},
        "label": {"type": "string", "maxLength": 128},
        "deadline": {"type": "string"},
        "sync_level": {"type": ["integer", "string"]},
        "recursive_symlinks": {"enum": ["ignore", "keep", "copy"]},
        "filter_rules": {"type": "array"},
        **{name: BOOLEAN for name in TASK_BOOLEANS},
    },
    all_of=[
        one_of_names("source_endpoint_id", "source_endpoint"),
        one_of_names("destination_endpoint_id", "destination_endpoint"),
        one_of_names("transfer_items", "DATA"),
    ],
)

_DELETE_PATHS = {"type": "array", "minItems": 1, "items": STRING}
_DELETE_DATA = {
    "type": "array",
    "minItems": 1,
    "items": {
        "type": "object",
        "properties": {"DATA_TYPE": {"enum": ["delete_item"]}, "path": STRING},
        "required": ["path"],
        "additionalProperties": False,
    },
}

DELETE_SCHEMA = object_schema(
    {
        **endpoint_properties(),
        "items": _DELETE_PATHS,
        "DATA": _DELETE_DATA,
        "DATA_TYPE": {"enum": ["delete"]},
        "label": {"type": "string", "maxLength": 128},
        "deadline": {"type": "string"},
        **{name: BOOLEAN for name in DELETE_BOOLEANS},
    },
    all_of=[one_of_names("endpoint_id", "endpoint"), one_of_names("items", "DATA")],
)

TRANSFER = Description(
    title="Globus Transfer Transfer",
    subtitle="Transfer data between collections with Globus Transfer",
    input_schema=TRANSFER_SCHEMA,
    synchronous=False,
    keywords=("transfer", "files"),
)
DELETE = Description(
    title="Globus Transfer Delete",
    subtitle="Delete files and directories on a collection with Globus Transfer",
    input_schema=DELETE_SCHEMA,
    synchronous=False,
    keywords=("transfer", "delete"),
)


def _options(body: dict[str, t.Any], names: t.Iterable[str]) -> dict[str, t.Any]:
    return {name: body[name] for name in names if name in body}


def transfer_document(action_id: str, body: dict[str, t.Any]) -> dict[str, t.Any]:
    """The Transfer API submission an action's input stands for."""
    items = body.get("DATA") or body.get("transfer_items") or []
    return {
        "DATA_TYPE": "transfer",
        "submission_id": action_id,
        "source_endpoint": body.get("source_endpoint") or body.get("source_endpoint_id"),
        "destination_endpoint": (
            body.get("destination_endpoint") or body.get("destination_endpoint_id")
        ),
        "DATA": [{**item, "DATA_TYPE": "transfer_item"} for item in items],
        "label": body.get("label") or f"For Action id {action_id}",
        **_options(body, (*TASK_BOOLEANS, "deadline", "sync_level", "recursive_symlinks")),
        **_options(body, ("filter_rules",)),
    }


def delete_document(action_id: str, body: dict[str, t.Any]) -> dict[str, t.Any]:
    paths = [{"path": p} for p in body.get("items") or []] or body.get("DATA") or []
    return {
        "DATA_TYPE": "delete",
        "submission_id": action_id,
        "endpoint": endpoint_of(body),
        "DATA": [{**item, "DATA_TYPE": "delete_item"} for item in paths],
        "label": body.get("label") or f"For Action id {action_id}",
        **_options(body, (*DELETE_BOOLEANS, "deadline")),
    }


def task_progress(session: Session, task: TransferTask) -> Progress:
    """The action's status as its task stands."""
    status = _STATUS[TaskStatus(task.status)]
    details = task_document(task)
    if status in (ActionState.SUCCEEDED, ActionState.FAILED):
        events = task_queries.event_list(session, task, EVENTS_SHOWN, 0, None)
        details["event_list"] = events["DATA"]
    display = task.nice_status if status == ActionState.ACTIVE else None
    return Progress(status, details, display_status=display or status.value)


class TaskProvider(Provider):
    """A provider whose action is one Transfer task (``kind`` transfer or delete)."""

    def __init__(self, key: str, scope: str, kind: str) -> None:
        super().__init__(key, scope, TRANSFER if kind == "transfer" else DELETE)
        self.kind = kind

    def start(self, call: StartCall, body: dict[str, t.Any]) -> Progress:
        build = transfer_document if self.kind == "transfer" else delete_document
        task, _ = tasks.submit(call.session, call.ctx, build(call.action_id, body), self.kind)
        progress = task_progress(call.session, task)
        return Progress(
            progress.status,
            progress.details,
            progress.display_status,
            state={"task_id": task.id},
        )

    def _task(self, session: Session, action: Action) -> TransferTask | None:
        return session.get(TransferTask, action.state.get("task_id"))

    def refresh(self, session: Session, action: Action) -> Progress | None:
        task = self._task(session, action)
        if task is None:
            return None
        return task_progress(session, task)

    def cancel(self, session: Session, action: Action) -> Progress:
        task = self._task(session, action)
        if task is None:
            raise RuntimeError(f"action {action.id} lost its task")
        if task.status == TaskStatus.ACTIVE:
            request_cancel(session, task)
            session.flush()
            session.refresh(task)
        return task_progress(session, task)
