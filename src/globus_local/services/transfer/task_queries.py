"""The queries behind the task views: the caller's task list with its filters and
order, a task's events, its successful transfers and skipped errors, the endpoint
manager's task list, pause information and administrator cancels."""

from __future__ import annotations

import typing as t

from sqlalchemy import ColumnElement, and_, func, not_, or_, select, true
from sqlalchemy.orm import Session

from globus_local.kit.errors import BadRequest, NotFound
from globus_local.kit.paging import split_page
from globus_local.kit.params import (
    SQL_INT_MAX,
    parse_bool,
    parse_csv,
    parse_datetime,
    parse_filter,
    parse_int,
)
from globus_local.kit.tokens import AuthContext
from globus_local.services.transfer import access, endpoints
from globus_local.services.transfer.models_tasks import (
    ACTIVE,
    FAILED,
    INACTIVE,
    KIND_FILE,
    ROW_DONE,
    ROW_SKIPPED,
    SUCCEEDED,
    AdminCancel,
    TaskEvent,
    TaskFile,
    TransferTask,
)
from globus_local.services.transfer.mover.control import pause_rules_for
from globus_local.services.transfer.task_access import (
    display_names,
    endpoint_names,
    show_settled,
    source_endpoints,
)
from globus_local.services.transfer.task_documents import (
    admin_cancel_document,
    event_document,
    manager_key,
    pause_rule_limited_document,
    select_fields,
    skipped_error_document,
    successful_transfer_document,
    task_document,
)

# Most tasks (or events) one page of a list holds, and how far an offset may reach.
MAX_LIMIT = 1000
# Rows per page of successful transfers and skipped errors.
MARKER_PAGE = 1000
# Most task ids the endpoint manager's list takes in ``filter_task_id``.
MANAGER_MAX_TASK_IDS = 50

FILTER_KEYS = (
    "task_id",
    "type",
    "status",
    "label",
    "request_time",
    "completion_time",
    "is_paused",
    "endpoint",
    "owner_id",
    "min_faults",
)
ORDER_FIELDS = {
    "request_time": TransferTask.request_time,
    "completion_time": TransferTask.completion_time,
    "deadline": TransferTask.deadline,
    "label": TransferTask.label,
    "status": TransferTask.status,
    "type": TransferTask.type,
    "task_id": TransferTask.id,
    "owner_id": TransferTask.owner_id,
    "faults": TransferTask.faults,
    "bytes_transferred": TransferTask.bytes_transferred,
    "files": TransferTask.files,
}


def parse_filters(values: t.Iterable[str]) -> dict[str, str]:
    """``k:v1,v2/k2:v`` strings (possibly several) into {key: value}."""
    found: dict[str, str] = {}
    for value in values:
        found.update(parse_filter(value, keys=FILTER_KEYS))
    return found


def _values(value: str, key: str, allowed: t.Collection[str] | None = None) -> list[str]:
    """A filter's comma-separated values: at least one, each among ``allowed`` if given."""
    found = parse_csv(value)
    if not found:
        raise BadRequest(f"Invalid filter on '{key}': no value given")
    unknown = [v for v in found if allowed is not None and v not in allowed]
    if unknown:
        raise BadRequest(
            f"Invalid filter on '{key}': {unknown[0]!r} is not one of {', '.join(allowed or ())}"
        )
    return found


def _like(pattern: str) -> str:
    escaped = pattern.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped.replace("*", "%").lower()


def _label_condition(value: str) -> ColumnElement[bool]:
    positives: list[ColumnElement[bool]] = []
    negatives: list[ColumnElement[bool]] = []
    label = func.lower(func.coalesce(TransferTask.label, ""))
    for part in value.split(","):
        if part.startswith("!~"):
            negatives.append(not_(label.like(_like(part[2:]), escape="\\")))
        elif part.startswith("~"):
            positives.append(label.like(_like(part[1:]), escape="\\"))
        elif part.startswith("!"):
            negatives.append(func.coalesce(TransferTask.label, "") != part[1:])
        else:
            exact = part[1:] if part.startswith("=") else part
            positives.append(TransferTask.label == exact)
    conditions = list(negatives)
    if positives:
        conditions.append(or_(*positives))
    return and_(*conditions) if conditions else true()


def _time_range(column: t.Any, value: str, what: str) -> list[ColumnElement[bool]]:
    start, _, end = value.partition(",")
    conditions = []
    if start.strip():
        conditions.append(column >= parse_datetime(start.strip(), what))
    if end.strip():
        conditions.append(column <= parse_datetime(end.strip(), what))
    if not conditions:
        conditions.append(column.is_not(None))
    return conditions


TASK_TYPES = ("TRANSFER", "DELETE")
TASK_STATUSES = (ACTIVE, INACTIVE, SUCCEEDED, FAILED)


def filter_conditions(filters: dict[str, str]) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    for key, value in filters.items():
        if key == "task_id":
            ids = _values(value, key)
            if len(ids) > 1000:
                raise BadRequest("Too many task ids in the filter")
            conditions.append(TransferTask.id.in_(ids))
        elif key == "type":
            kinds = _values(value.upper(), key, TASK_TYPES)
            conditions.append(TransferTask.type.in_(kinds))
        elif key == "status":
            statuses = _values(value.upper(), key, TASK_STATUSES)
            conditions.append(TransferTask.status.in_(statuses))
        elif key == "label":
            conditions.append(_label_condition(value))
        elif key == "request_time":
            conditions.extend(_time_range(TransferTask.request_time, value, "request_time"))
        elif key == "completion_time":
            conditions.extend(_time_range(TransferTask.completion_time, value, "completion_time"))
        elif key == "is_paused":
            conditions.append(TransferTask.is_paused.is_(parse_bool(value, "is_paused")))
        elif key == "endpoint":
            ids = _values(value, key)
            conditions.append(_on_endpoints(ids))
        elif key == "owner_id":
            conditions.append(TransferTask.owner_id.in_(_values(value, key)))
        elif key == "min_faults":
            faults = parse_int(value, "min_faults", maximum=SQL_INT_MAX)
            conditions.append(TransferTask.faults >= faults)
    return conditions


def order_clauses(orderby: t.Iterable[str] | None) -> list[t.Any]:
    clauses: list[t.Any] = []
    for spec in orderby or ():
        for part in spec.split(","):
            words = part.split()
            if not words:
                continue
            column = ORDER_FIELDS.get(words[0])
            direction = words[1].upper() if len(words) > 1 else "ASC"
            if column is None or direction not in ("ASC", "DESC") or len(words) > 2:
                raise BadRequest(f"Invalid orderby {part.strip()!r}")
            clauses.append(column.desc() if direction == "DESC" else column.asc())
    if not clauses:
        clauses.append(TransferTask.request_time.desc())
    clauses.append(TransferTask.id.desc())
    return clauses


def _count(session: Session, query: t.Any) -> int:
    return int(session.scalar(select(func.count()).select_from(query.subquery())) or 0)


def task_list(
    session: Session,
    ctx: AuthContext,
    filters: dict[str, str],
    orderby: list[str],
    limit: int,
    offset: int,
    fields: list[str] | None,
) -> dict[str, t.Any]:
    """The caller's tasks (history not deleted), one offset/limit page."""
    if offset + limit > MAX_LIMIT:
        raise BadRequest(f"offset + limit must not exceed {MAX_LIMIT}")
    conditions = [
        TransferTask.owner_id.in_(access.identities(ctx)),
        TransferTask.history_deleted.is_(False),
        *filter_conditions(filters),
    ]
    base = select(TransferTask).where(*conditions)
    total = _count(session, base)
    found = list(
        session.scalars(base.order_by(*order_clauses(orderby)).limit(limit).offset(offset))
    )
    show_settled(session, found)
    names = display_names(session, found)
    return {
        "DATA_TYPE": "task_list",
        "length": len(found),
        "limit": limit,
        "offset": offset,
        "total": total,
        "DATA": [select_fields(task_document(x, names), fields) for x in found],
    }


def event_list(
    session: Session, task: TransferTask, limit: int, offset: int, errors_only: bool | None
) -> dict[str, t.Any]:
    """The task's events, newest first; ``errors_only`` keeps only errors (or non-errors)."""
    query = select(TaskEvent).where(TaskEvent.task_id == task.id)
    if errors_only is not None:
        query = query.where(TaskEvent.is_error.is_(errors_only))
    total = _count(session, query)
    found = list(
        session.scalars(
            query.order_by(TaskEvent.time.desc(), TaskEvent.id.desc()).limit(limit).offset(offset)
        )
    )
    return {
        "DATA_TYPE": "event_list",
        "length": len(found),
        "limit": limit,
        "offset": offset,
        "total": total,
        "DATA": [event_document(e) for e in found],
    }


def file_page(
    session: Session, task: TransferTask, *, skipped: bool, marker: int, limit: int
) -> dict[str, t.Any]:
    """One page of the task's successful transfers (files done) or skipped errors, after
    the row id ``marker``."""
    query = select(TaskFile).where(TaskFile.task_id == task.id, TaskFile.id > marker)
    if skipped:
        query = query.where(TaskFile.state == ROW_SKIPPED, TaskFile.outcome == "error")
    else:
        query = query.where(TaskFile.state == ROW_DONE, TaskFile.kind == KIND_FILE)
    rows, more = split_page(
        list(session.scalars(query.order_by(TaskFile.id).limit(limit + 1))), limit
    )
    next_marker = rows[-1].id if more and rows else None
    render = skipped_error_document if skipped else successful_transfer_document
    return {
        "DATA_TYPE": "skipped_errors" if skipped else "successful_transfers",
        # SDK 3.2's paginator sends back ``marker`` while ``has_next_page``; newer ones
        # read ``next_marker``: both name the next page.
        "marker": next_marker if next_marker is not None else marker,
        "next_marker": next_marker,
        "has_next_page": next_marker is not None,
        "DATA": [render(r) for r in rows],
    }


def _on_endpoints(endpoint_ids: t.Collection[str]) -> ColumnElement[bool]:
    """Tasks with any of ``endpoint_ids`` on either side, host endpoints of shares included."""
    ids = list(endpoint_ids)
    return or_(
        TransferTask.source_endpoint_id.in_(ids),
        TransferTask.destination_endpoint_id.in_(ids),
        TransferTask.source_host_endpoint_id.in_(ids),
        TransferTask.destination_host_endpoint_id.in_(ids),
    )


def manager_task_list(
    session: Session,
    ctx: AuthContext,
    filters: dict[str, str],
    *,
    limit: int,
    last_key: str | None,
    local_user: str | None,
) -> dict[str, t.Any]:
    """Tasks on the endpoints the caller monitors, newest first, paged by ``last_key``."""
    if len(parse_csv(filters.get("task_id"))) > MANAGER_MAX_TASK_IDS:
        raise BadRequest(f"filter_task_id accepts at most {MANAGER_MAX_TASK_IDS} task ids")
    monitored = [e.id for e in endpoints.endpoints_with_roles(session, ctx, access.MONITOR_ROLES)]
    conditions = [*filter_conditions(filters), _on_endpoints(monitored)]
    if last_key:
        stamp, _, last_id = last_key.partition(",")
        when = parse_datetime(stamp, "last_key")
        conditions.append(
            or_(
                TransferTask.request_time < when,
                and_(TransferTask.request_time == when, TransferTask.id < last_id),
            )
        )
    query = (
        select(TransferTask)
        .where(*conditions)
        .order_by(TransferTask.request_time.desc(), TransferTask.id.desc())
        .limit(limit + 1)
    )
    found = list(session.scalars(query))
    if local_user:
        found = [x for x in found if local_user in _local_users(x)]
    found, more = split_page(found, limit)
    show_settled(session, found)
    names = display_names(session, found)
    return {
        "DATA_TYPE": "task_list",
        "has_next_page": more,
        "last_key": manager_key(found[-1]) if more and found else None,
        "DATA": [task_document(x, names, for_manager=True) for x in found],
    }


def _local_users(task: TransferTask) -> set[str | None]:
    options = task.options or {}
    return {options.get(k) for k in ("source_local_user", "destination_local_user")}


def paused_tasks_on(session: Session, endpoint_id: str) -> list[TransferTask]:
    """Active tasks now paused that have ``endpoint_id`` on either side."""
    return list(
        session.scalars(
            select(TransferTask).where(
                TransferTask.status == ACTIVE,
                TransferTask.is_paused.is_(True),
                _on_endpoints([endpoint_id]),
            )
        )
    )


def pause_info(session: Session, task: TransferTask) -> dict[str, t.Any]:
    """Why the task is paused: the endpoint manager's message and the rules in force."""
    rules = pause_rules_for(session, task) if task.status == ACTIVE else []
    names = display_names(session, [task])
    names.update(endpoint_names(session, {r.endpoint_id for r in rules}))
    src_ids = source_endpoints(task)
    src_msgs = [r.message for r in rules if r.endpoint_id in src_ids and r.message]
    dst_msgs = [r.message for r in rules if r.endpoint_id not in src_ids and r.message]
    message = task.admin_pause_message if task.admin_paused else None
    first = rules[0] if rules else None
    return {
        "DATA_TYPE": "pause_info_limited",
        "endpoint_display_name": names.get(first.endpoint_id) if first else None,
        "message": message or (first.message if first else None),
        "source_pause_message": src_msgs[0] if src_msgs else None,
        "source_pause_message_share": None,
        "destination_pause_message": dst_msgs[0] if dst_msgs else None,
        "destination_pause_message_share": None,
        "pause_rules": [pause_rule_limited_document(r, names.get(r.endpoint_id)) for r in rules],
    }


def admin_cancel_status(session: Session, ctx: AuthContext, cancel_id: str) -> dict[str, t.Any]:
    """An administrator cancel the caller requested, and whether all its tasks have ended."""
    cancel = session.get(AdminCancel, cancel_id)
    if cancel is None or cancel.requested_by not in access.identities(ctx):
        raise NotFound(f"No admin cancel '{cancel_id}'", code="ClientError.NotFound")
    statuses = session.scalars(
        select(TransferTask.status).where(TransferTask.id.in_(cancel.task_id_list))
    )
    return admin_cancel_document(cancel, all(s != ACTIVE for s in statuses))
