"""Task-side JSON documents of the Transfer API (task, event, successful transfer, skipped
error, pause rule...), built from the stored rows."""

from __future__ import annotations

import datetime as dt
import typing as t

from globus_local.db import utcnow
from globus_local.kit.documents import iso
from globus_local.services.transfer.documents import API_PREFIX
from globus_local.services.transfer.models_tasks import (
    ACTIVE,
    PAUSE_FLAGS,
    AdminCancel,
    PauseRule,
    TaskEvent,
    TaskFile,
    TransferTask,
)


def task_link(task_id: str) -> dict[str, str]:
    return {
        "DATA_TYPE": "link",
        "href": f"{API_PREFIX}/task/{task_id}?format=json",
        "rel": "related",
        "resource": "task",
        "title": "related task",
    }


def _bytes_per_second(task: TransferTask) -> int:
    end = task.completion_time or utcnow()
    elapsed = (end - task.request_time).total_seconds()
    if task.bytes_transferred <= 0 or elapsed <= 0:
        return 0
    return int(task.bytes_transferred / max(elapsed, 0.001))


_NULL_ENDPOINT_SIDE = (
    "host_endpoint",
    "host_endpoint_id",
    "host_endpoint_display_name",
    "host_path",
    "base_path",
    "mapped_collection_id",
    "mapped_collection_display_name",
)


def task_document(
    task: TransferTask,
    display_names: t.Mapping[str, str | None] | None = None,
    *,
    for_manager: bool = False,
) -> dict[str, t.Any]:
    """The §1.10 task document; ``display_names`` maps endpoint ids to current names."""
    names = display_names or {}
    opts = task.options or {}
    is_transfer = task.type == "TRANSFER"
    active = task.status == ACTIVE
    src_name = names.get(task.source_endpoint_id) or task.source_display_name
    dst_id = task.destination_endpoint_id
    dst_name = (names.get(dst_id) if dst_id else None) or task.destination_display_name
    doc: dict[str, t.Any] = {
        "DATA_TYPE": "task",
        "task_id": task.id,
        "type": task.type,
        "status": task.status,
        "label": task.label,
        "command": "API 0.10",
        "owner_id": task.owner_id,
        "username": task.username,
        "owner_string": task.username,
        "request_time": iso(task.request_time),
        "completion_time": iso(task.completion_time),
        "deadline": iso(task.deadline),
        "source_endpoint": src_name or task.source_endpoint_id,
        "source_endpoint_id": task.source_endpoint_id,
        "source_endpoint_display_name": src_name,
        "destination_endpoint": (dst_name or dst_id) if dst_id else None,
        "destination_endpoint_id": dst_id,
        "destination_endpoint_display_name": dst_name if dst_id else None,
    }
    for side in ("source", "destination"):
        for key in _NULL_ENDPOINT_SIDE:
            doc[f"{side}_{key}"] = None
        local_user = opts.get(f"{side}_local_user") if is_transfer else None
        if not is_transfer and side == "source":
            local_user = opts.get("local_user")
        doc[f"{side}_local_user"] = local_user
        doc[f"{side}_local_user_status"] = "OK" if (is_transfer or side == "source") else None
    doc["source_host_endpoint_id"] = task.source_host_endpoint_id
    doc["destination_host_endpoint_id"] = task.destination_host_endpoint_id
    doc.update(
        {
            "sync_level": opts.get("sync_level") if is_transfer else None,
            "verify_checksum": bool(opts.get("verify_checksum")) if is_transfer else False,
            "encrypt_data": bool(opts.get("encrypt_data")),
            "preserve_timestamp": bool(opts.get("preserve_timestamp")),
            "delete_destination_extra": bool(opts.get("delete_destination_extra")),
            "recursive_symlinks": opts.get("recursive_symlinks") if is_transfer else None,
            "skip_source_errors": bool(opts.get("skip_source_errors")),
            "fail_on_quota_errors": bool(opts.get("fail_on_quota_errors")),
            "filter_rules": opts.get("filter_rules") or None,
            "files": task.files,
            "directories": task.directories,
            "symlinks": task.symlinks,
            "files_skipped": task.files_skipped,
            "files_transferred": task.files_transferred,
            "bytes_transferred": task.bytes_transferred,
            "bytes_checksummed": task.bytes_checksummed,
            "effective_bytes_per_second": _bytes_per_second(task),
            "subtasks_total": task.subtasks_total,
            "subtasks_pending": task.subtasks_pending,
            "subtasks_retrying": task.subtasks_retrying,
            "subtasks_succeeded": task.subtasks_succeeded,
            "subtasks_expired": task.subtasks_expired,
            "subtasks_canceled": task.subtasks_canceled,
            "subtasks_failed": task.subtasks_failed,
            "subtasks_skipped_errors": task.subtasks_skipped_errors,
            "faults": task.faults,
            "fatal_error": task.fatal_error,
            "is_ok": (task.nice_status in ("OK", "Queued")) if active else None,
            "is_paused": task.is_paused,
            "history_deleted": task.history_deleted,
            "nice_status": task.nice_status if active else None,
            "nice_status_details": task.nice_status_details if active else None,
            "nice_status_short_description": (
                (task.nice_status_short_description or task.nice_status) if active else None
            ),
            "nice_status_expires_in": -1 if active else None,
            "canceled_by_admin": task.canceled_by_admin,
            "canceled_by_admin_message": task.canceled_by_admin_message,
        }
    )
    if not is_transfer:
        doc["ignore_missing"] = bool(opts.get("ignore_missing"))
        doc["interpret_globs"] = bool(opts.get("interpret_globs"))
        doc["recursive"] = bool(opts.get("recursive"))
    if for_manager:
        doc["key"] = manager_key(task)
    return doc


def manager_key(task: TransferTask) -> str:
    """Position of a task in the endpoint manager list (newest first)."""
    stamp = task.request_time.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")
    return f"{stamp},{task.id}"


def select_fields(doc: dict[str, t.Any], fields: list[str] | None) -> dict[str, t.Any]:
    """Only the requested keys (the CLI's ``fields=task_id,...``), always with DATA_TYPE."""
    if not fields:
        return doc
    keep = {"DATA_TYPE", *fields}
    return {k: v for k, v in doc.items() if k in keep}


def event_document(event: TaskEvent) -> dict[str, t.Any]:
    return {
        "DATA_TYPE": "event",
        "code": event.code,
        "description": event.description,
        "details": event.details,
        "is_error": event.is_error,
        "time": iso(event.time),
    }


def successful_transfer_document(row: TaskFile) -> dict[str, t.Any]:
    return {
        "DATA_TYPE": "successful_transfer",
        "source_path": row.source_path,
        "destination_path": row.destination_path,
    }


def skipped_error_document(row: TaskFile) -> dict[str, t.Any]:
    return {
        "DATA_TYPE": "skipped_error",
        "source_path": row.source_path,
        "destination_path": row.destination_path,
        "error_code": row.error_code,
        "error_details": row.error_details,
        "error_time": iso(row.error_time),
        "is_directory": row.kind == "dir",
        "is_symlink": row.kind == "symlink",
        "is_delete_destination_extra": row.kind == "delete_extra",
        "external_checksum": row.external_checksum,
        "checksum_algorithm": row.checksum_algorithm,
    }


def pause_rule_document(rule: PauseRule) -> dict[str, t.Any]:
    doc: dict[str, t.Any] = {
        "DATA_TYPE": "pause_rule",
        "id": rule.id,
        "message": rule.message,
        "start_time": iso(rule.start_time),
        "endpoint_id": rule.endpoint_id,
        "identity_id": rule.identity_id,
        "modified_by_id": rule.modified_by_id,
        "created_by_host_manager": rule.created_by_host_manager,
        "editable": rule.editable,
    }
    for flag in PAUSE_FLAGS:
        doc[flag] = getattr(rule, flag)
    return doc


def pause_rule_limited_document(rule: PauseRule, display_name: str | None) -> dict[str, t.Any]:
    doc = pause_rule_document(rule)
    doc["DATA_TYPE"] = "pause_rule_limited"
    doc["endpoint_display_name"] = display_name
    for key in ("modified_by_id", "created_by_host_manager", "editable"):
        doc.pop(key, None)
    return doc


def admin_cancel_document(cancel: AdminCancel, done: bool) -> dict[str, t.Any]:
    return {
        "DATA_TYPE": "admin_cancel",
        "id": cancel.id,
        "done": done,
        "message": cancel.message,
        "task_id_list": list(cancel.task_id_list),
    }
