"""The JSON documents Search returns: GSearchIndex, Task, Role, GMetaResult."""

from __future__ import annotations

import datetime as dt
import json
import typing as t

from globus_local.services.search.models import IndexStatus, SearchIndex, SearchRole, SearchTask


def _utc(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo is None else value.astimezone(dt.timezone.utc)


def index_date(value: dt.datetime | None) -> str | None:
    """Index and role dates: ``2018-04-20 19:23:46``."""
    return None if value is None else _utc(value).strftime("%Y-%m-%d %H:%M:%S")


def task_date(value: dt.datetime | None) -> str | None:
    """Task dates: ``2021-10-05T18:42:49``."""
    return None if value is None else _utc(value).strftime("%Y-%m-%dT%H:%M:%S")


def index_document(
    index: SearchIndex,
    *,
    num_entries: int,
    num_subjects: int,
    size_bytes: int,
    permissions: list[str] | None = None,
) -> dict[str, t.Any]:
    doc: dict[str, t.Any] = {
        "@datatype": "GSearchIndex",
        "@version": "2017-09-01",
        "id": index.id,
        "index_id": index.id,  # the SDK 3.2 documentation reads index["index_id"]
        "display_name": index.display_name,
        "description": index.description,
        "creation_date": index_date(index.creation_date),
        "is_trial": index.is_trial,
        "subscription_id": None,
        "max_size_in_mb": index.max_size_in_mb,
        "size_in_mb": round(size_bytes / (1024 * 1024), 3),
        "num_entries": num_entries,
        "num_subjects": num_subjects,
        "status": index.status,
        "available": index.status == IndexStatus.OPEN,
        "content_last_modified_date": index_date(index.content_last_modified),
    }
    if permissions is not None:
        doc["permissions"] = permissions
    return doc


def task_document(task: SearchTask) -> dict[str, t.Any]:
    return {
        "task_id": task.task_id,
        "state": task.state,
        "state_description": task.state_description,
        "task_type": task.task_type,
        "index_id": task.index_id,
        "creation_date": task_date(task.creation_date),
        "completion_date": task_date(task.completion_date),
        "message": task.message,
        "additional_details": task.additional_details,
    }


def role_document(role: SearchRole) -> dict[str, t.Any]:
    kind = "group" if role.principal.startswith("urn:globus:groups:id:") else "identity"
    return {
        "id": role.id,
        "role_name": role.role_name,
        "index_id": role.index_id,
        "principal": role.principal,
        "principal_type": kind,
        "creation_date": index_date(role.creation_date),
    }


def entry_result(entry_id: str | None, content: str) -> dict[str, t.Any]:
    return {"entry_id": entry_id, "matched_principal_sets": [], "content": json.loads(content)}


def meta_result(subject: str, entries: list[dict[str, t.Any]]) -> dict[str, t.Any]:
    return {
        "@datatype": "GMetaResult",
        "@version": "2019-08-27",
        "subject": subject,
        "entries": entries,
    }
