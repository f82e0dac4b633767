"""Transfer tasks: submission (validation, idempotency, enqueueing on the job queue) and
the queries behind the task views (lists with filters, events, transfers, errors)."""

from __future__ import annotations

import datetime as dt
import typing as t
import uuid

from sqlalchemy import ColumnElement, and_, bindparam, exists, func, not_, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from globus_local.db import utcnow
from globus_local.jobs import FAILED as JOB_FAILED
from globus_local.jobs import Job, enqueue
from globus_local.kit.errors import ServiceError
from globus_local.kit.tokens import AuthContext
from globus_local.services.transfer import access, params
from globus_local.services.transfer.models_endpoints import Endpoint
from globus_local.services.transfer.models_tasks import (
    ACTIVE,
    FAILED,
    FINAL_STATUSES,
    INACTIVE,
    SUCCEEDED,
    TaskEvent,
    TaskFile,
    TransferTask,
)
from globus_local.services.transfer.mover import JOB_KIND, progress
from globus_local.storage import CHECKSUM_ALGORITHMS, normalize
from globus_local.storage.errors import StorageError

DEFAULT_DEADLINE = dt.timedelta(days=1)
SYNC_LEVELS = {"exists": 0, "size": 1, "mtime": 2, "checksum": 3}
RECURSIVE_SYMLINKS = ("ignore", "keep", "copy")
MAX_LABEL = 128
JOB_ATTEMPTS = 20

TRANSFER_BOOLS = (
    "verify_checksum",
    "preserve_timestamp",
    "encrypt_data",
    "skip_source_errors",
    "fail_on_quota_errors",
    "delete_destination_extra",
    "notify_on_succeeded",
    "notify_on_failed",
    "notify_on_inactive",
    "skip_activation_check",
)
DELETE_BOOLS = (
    "recursive",
    "ignore_missing",
    "interpret_globs",
    "notify_on_succeeded",
    "notify_on_failed",
    "notify_on_inactive",
    "skip_activation_check",
)


# Routes call these through this module (``tasks.bad_request``, ``tasks.parse_datetime``).
bad_request = params.bad_request
parse_datetime = params.parse_datetime


def task_not_found(task_id: str) -> ServiceError:
    return ServiceError(404, "TaskNotFound", f"Task '{task_id}' not found")


# -- value parsing -----------------------------------------------------------------------------
def parse_bool(value: t.Any, what: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.lower() in ("true", "false", "1", "0"):
        return value.lower() in ("true", "1")
    raise bad_request(f"Invalid value for '{what}': expected a boolean")


def parse_label(value: t.Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise bad_request("Invalid value for 'label': expected a string")
    if len(value) > MAX_LABEL:
        raise bad_request(f"Invalid value for 'label': longer than {MAX_LABEL} characters")
    if any(ord(c) < 32 for c in value):
        raise bad_request("Invalid value for 'label': control characters are not allowed")
    return value


def parse_sync_level(value: t.Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, str) and value.lower() in SYNC_LEVELS:
        return SYNC_LEVELS[value.lower()]
    if isinstance(value, str) and value.isascii() and value.isdigit():  # "²" is a digit too
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 3:
        return value
    raise bad_request("Invalid value for 'sync_level': expected 0, 1, 2 or 3")


def item_path(value: t.Any, what: str) -> str:
    """A normalised endpoint path; paths leaving the endpoint are refused, never used."""
    if not isinstance(value, str) or not value:
        raise bad_request(f"Invalid transfer item: '{what}' must be a non-empty string")
    try:
        return normalize(value)
    except StorageError:
        raise ServiceError(
            403, "PermissionDenied", f"Invalid {what} {value!r}: path leads outside the endpoint"
        )


def _checksum_algorithm(value: t.Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or value.upper().replace("-", "") not in CHECKSUM_ALGORITHMS:
        raise bad_request(
            f"Invalid checksum_algorithm {value!r}; supported: {', '.join(CHECKSUM_ALGORITHMS)}"
        )
    return value.upper().replace("-", "")


def _filter_rules(value: t.Any) -> list[dict[str, t.Any]] | None:
    if value is None:
        return None
    if not isinstance(value, list):
        raise bad_request("Invalid value for 'filter_rules': expected a list")
    rules = []
    for rule in value:
        if not isinstance(rule, dict):
            raise bad_request("Invalid filter rule: expected an object")
        method = rule.get("method", "exclude")
        kind = rule.get("type")
        name = rule.get("name")
        if method not in ("include", "exclude"):
            raise bad_request("Invalid filter rule: 'method' must be include or exclude")
        if kind not in (None, "file", "dir"):
            raise bad_request("Invalid filter rule: 'type' must be file or dir")
        if not isinstance(name, str) or not name:
            raise bad_request("Invalid filter rule: 'name' must be a non-empty string")
        rules.append({"DATA_TYPE": "filter_rule", "method": method, "type": kind, "name": name})
    return rules


# -- submission ----------------------------------------------------------------------------------
def new_submission_id() -> str:
    return str(uuid.uuid4())


def _find_submission(session: Session, ctx: AuthContext, submission_id: str) -> TransferTask | None:
    return session.scalars(
        select(TransferTask).where(
            TransferTask.owner_id == ctx.identity_id,
            TransferTask.submission_id == submission_id,
        )
    ).first()


def _check_paths(
    session: Session, ctx: AuthContext, endpoint: Endpoint, paths: list[str], need: str
) -> None:
    """Access for every path (one check when the caller may use the whole endpoint)."""
    try:
        access.check_path_access(session, ctx, endpoint, "/", need)  # type: ignore[arg-type]
        return
    except ServiceError:
        pass
    for path in paths:
        access.check_path_access(session, ctx, endpoint, path, need)  # type: ignore[arg-type]


def _transfer_items(data: t.Any) -> list[dict[str, t.Any]]:
    if not isinstance(data, list) or not data:
        raise bad_request(
            "A transfer requires at least one item", "ClientError.BadRequest.NoTransferItems"
        )
    items = []
    for raw in data:
        if not isinstance(raw, dict):
            raise bad_request("Invalid transfer item: expected an object")
        kind = raw.get("DATA_TYPE", "transfer_item")
        if kind not in ("transfer_item", "transfer_symlink_item"):
            raise bad_request(f"Invalid transfer item DATA_TYPE {kind!r}")
        item: dict[str, t.Any] = {
            "DATA_TYPE": kind,
            "source_path": item_path(raw.get("source_path"), "source_path"),
            "destination_path": item_path(raw.get("destination_path"), "destination_path"),
        }
        if kind == "transfer_item":
            item["recursive"] = parse_bool(raw.get("recursive") or False, "recursive")
            checksum = raw.get("external_checksum")
            if checksum is not None and (not isinstance(checksum, str) or not checksum.strip()):
                raise bad_request("Invalid value for 'external_checksum'")
            item["external_checksum"] = checksum.strip().lower() if checksum else None
            params.check_fits(item["external_checksum"], TaskFile.external_checksum, "checksum")
            item["checksum_algorithm"] = _checksum_algorithm(raw.get("checksum_algorithm"))
            if item["recursive"] and checksum:
                raise bad_request("external_checksum is only allowed on file items")
        items.append(item)
    return items


def _delete_items(data: t.Any) -> list[dict[str, t.Any]]:
    if not isinstance(data, list) or not data:
        raise bad_request(
            "A delete requires at least one item", "ClientError.BadRequest.NoDeleteItems"
        )
    items = []
    for raw in data:
        if not isinstance(raw, dict):
            raise bad_request("Invalid delete item: expected an object")
        if raw.get("DATA_TYPE", "delete_item") != "delete_item":
            raise bad_request(f"Invalid delete item DATA_TYPE {raw.get('DATA_TYPE')!r}")
        path = item_path(raw.get("path"), "path")
        if path == "/":
            raise ServiceError(403, "PermissionDenied", "The endpoint root cannot be deleted")
        items.append({"DATA_TYPE": "delete_item", "path": path})
    return items


def _common_options(body: dict[str, t.Any], bools: tuple[str, ...]) -> dict[str, t.Any]:
    options: dict[str, t.Any] = {}
    for key in bools:
        if key in body and body[key] is not None:
            options[key] = parse_bool(body[key], key)
    for key in ("source_local_user", "destination_local_user", "local_user"):
        if isinstance(body.get(key), str):
            options[key] = body[key]
    return options


def submit(session: Session, ctx: AuthContext, body: t.Any, kind: str) -> tuple[TransferTask, bool]:
    """Validate and store a transfer (``kind="transfer"``) or delete submission and enqueue
    its job; returns (task, created) — created is False for a resubmitted submission id."""
    if not isinstance(body, dict):
        raise bad_request(f"The request body must be a {kind} document")
    data_type = body.get("DATA_TYPE")
    if data_type is not None and data_type != kind:
        raise bad_request(f"Invalid DATA_TYPE {data_type!r}: expected {kind!r}")
    submission_id = body.get("submission_id") or new_submission_id()
    if not isinstance(submission_id, str) or len(submission_id) > 100:
        raise bad_request("Invalid value for 'submission_id'")
    existing = _find_submission(session, ctx, submission_id)
    if existing is not None:
        return existing, False

    now = utcnow()
    label = parse_label(body.get("label"))
    deadline = (
        parse_datetime(body["deadline"], "deadline")
        if body.get("deadline")
        else now + DEFAULT_DEADLINE
    )
    if kind == "transfer":
        items = _transfer_items(body.get("DATA"))
        options = _common_options(body, TRANSFER_BOOLS)
        options["sync_level"] = parse_sync_level(body.get("sync_level"))
        links = body.get("recursive_symlinks") or "ignore"
        if links not in RECURSIVE_SYMLINKS:
            raise bad_request("Invalid value for 'recursive_symlinks': ignore, keep or copy")
        options["recursive_symlinks"] = links
        options["filter_rules"] = _filter_rules(body.get("filter_rules"))
        if options.get("delete_destination_extra") and not any(i.get("recursive") for i in items):
            raise bad_request("delete_destination_extra requires a recursive transfer item")
        src_id, dst_id = body.get("source_endpoint"), body.get("destination_endpoint")
        if not src_id or not dst_id:
            raise bad_request("source_endpoint and destination_endpoint are required")
        source = access.endpoint_for(session, ctx, str(src_id), need="read")
        destination = access.endpoint_for(session, ctx, str(dst_id), need="read")
        _check_paths(session, ctx, source, [i["source_path"] for i in items], "r")
        _check_paths(session, ctx, destination, [i["destination_path"] for i in items], "rw")
    else:
        items = _delete_items(body.get("DATA"))
        options = _common_options(body, DELETE_BOOLS)
        endpoint_id = body.get("endpoint")
        if not endpoint_id:
            raise bad_request("endpoint is required")
        source = access.endpoint_for(session, ctx, str(endpoint_id), need="read")
        destination = None
        _check_paths(session, ctx, source, [i["path"] for i in items], "rw")

    task_id = str(uuid.uuid4())
    task = TransferTask(
        id=task_id,
        job_id=f"transfer-{task_id}-1",  # set before the insert: no UPDATE after enqueue
        submission_id=submission_id,
        type="TRANSFER" if kind == "transfer" else "DELETE",
        status=ACTIVE,
        label=label,
        owner_id=ctx.identity_id,
        username=ctx.username,
        owner_identity_set=list(ctx.identity_set or (ctx.identity_id,)),
        request_time=now,
        deadline=deadline,
        source_endpoint_id=source.id,
        destination_endpoint_id=destination.id if destination is not None else None,
        source_host_endpoint_id=source.host_endpoint_id,
        destination_host_endpoint_id=destination.host_endpoint_id if destination else None,
        source_display_name=source.display_name,
        destination_display_name=destination.display_name if destination else None,
        options=options,
        items=items,
        nice_status="Queued",
        subtasks_total=len(items),
        subtasks_pending=len(items),
    )
    try:
        with session.begin_nested():
            session.add(task)
            session.flush()
    except IntegrityError:  # the same submission id raced in
        existing = _find_submission(session, ctx, submission_id)
        if existing is None:
            raise
        return existing, False
    enqueue(
        session,
        JOB_KIND,
        {"task_id": task.id},
        job_id=task.job_id,
        max_attempts=JOB_ATTEMPTS,
    )
    access.record_use(session, ctx, *(e for e in (source, destination) if e is not None))
    return task, True


def requeue(session: Session, task: TransferTask) -> bool:
    """Give a resumable (paused) task a new job unless one is already waiting or running."""
    if task.status != ACTIVE:
        return False
    if task.job_id:
        job = session.get(Job, task.job_id)
        if job is not None and job.state in ("pending", "running"):
            return False
    n = (task.runs or 0) + 1
    task.job_id = enqueue(
        session,
        JOB_KIND,
        {"task_id": task.id},
        job_id=f"transfer-{task.id}-{n}-{uuid.uuid4().hex[:6]}",
        max_attempts=JOB_ATTEMPTS,
    )
    return True


# -- reading tasks -------------------------------------------------------------------------------
GaveUp = tuple[TransferTask, str, dt.datetime]


def _given_up(session: Session, tasks: t.Iterable[TransferTask]) -> list[GaveUp]:
    """ACTIVE tasks whose job the queue gave up on (its workers kept dying), with the
    job's error and when it ended."""
    active = {task.job_id: task for task in tasks if task.status == ACTIVE and task.job_id}
    if not active:
        return []
    rows = session.execute(
        select(Job.id, Job.error, Job.finished_at).where(
            Job.id.in_(sorted(active)), Job.state == JOB_FAILED
        )
    ).all()
    return [(active[row.id], row.error or "", row.finished_at or utcnow()) for row in rows]


def _failure(error: str) -> dict[str, str]:
    return {"code": "INTERNAL_ERROR", "description": error or "the task failed"}


def show_settled(session: Session, tasks: t.Iterable[TransferTask]) -> None:
    """Show tasks whose job the queue gave up on as FAILED, writing nothing: reads must
    not take the database's write lock. Their rows stay ACTIVE until a request that
    writes anyway stores the failure (:func:`settle`)."""
    for task, error, ended in _given_up(session, tasks):
        values = {
            "status": FAILED,
            "completion_time": ended,
            "fatal_error": _failure(error),
            "nice_status": None,
            "nice_status_details": None,
            "nice_status_short_description": None,
            "is_paused": False,
        }
        for key, value in values.items():
            set_committed_value(task, key, value)


def settle(session: Session, tasks: t.Iterable[TransferTask]) -> None:
    """Store the failure of tasks whose job the queue gave up on, for requests that write."""
    for task, error, ended in _given_up(session, tasks):
        progress.finish(
            session,
            task.id,
            FAILED,
            fatal_error=_failure(error),
            event=("INTERNAL_ERROR", error, True),
            extra={"completion_time": ended},
        )
        session.refresh(task)


def display_names(session: Session, tasks: t.Iterable[TransferTask]) -> dict[str, str]:
    ids = set()
    for task in tasks:
        ids.add(task.source_endpoint_id)
        if task.destination_endpoint_id:
            ids.add(task.destination_endpoint_id)
    if not ids:
        return {}
    rows = session.execute(
        select(Endpoint.id, Endpoint.display_name).where(Endpoint.id.in_(sorted(ids)))
    ).all()
    return {row.id: row.display_name for row in rows}


def own_task(
    session: Session, ctx: AuthContext, task_id: str, *, writing: bool = False
) -> TransferTask:
    """The caller's task; a request ``writing`` anyway stores a failure it finds
    (:func:`settle`), a read only shows it (:func:`show_settled`)."""
    task = session.get(TransferTask, str(task_id))
    if task is None or task.owner_id not in (ctx.identity_set or (ctx.identity_id,)):
        raise task_not_found(task_id)
    (settle if writing else show_settled)(session, [task])
    return task


# -- task list filters ---------------------------------------------------------------------------
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


def parse_filter_strings(values: t.Iterable[str]) -> dict[str, str]:
    """``k:v1,v2/k2:v`` strings (possibly several) into {key: value}."""
    found: dict[str, str] = {}
    for value in values:
        for clause in value.split("/"):
            if not clause.strip():
                continue
            key, sep, rest = clause.partition(":")
            key = key.strip()
            if not sep or key not in FILTER_KEYS:
                raise bad_request(f"Invalid filter clause {clause!r}")
            found[key] = rest
    return found


def _csv(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def _values(value: str, key: str, allowed: t.Collection[str] | None = None) -> list[str]:
    """A filter's comma-separated values: at least one, each among ``allowed`` if given."""
    found = _csv(value)
    if not found:
        raise bad_request(f"Invalid filter on '{key}': no value given")
    unknown = [v for v in found if allowed is not None and v not in allowed]
    if unknown:
        raise bad_request(
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
    return and_(*conditions) if conditions else and_(True)  # type: ignore[arg-type]


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
                raise bad_request("Too many task ids in the filter")
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
            conditions.append(
                or_(
                    TransferTask.source_endpoint_id.in_(ids),
                    TransferTask.destination_endpoint_id.in_(ids),
                    TransferTask.source_host_endpoint_id.in_(ids),
                    TransferTask.destination_host_endpoint_id.in_(ids),
                )
            )
        elif key == "owner_id":
            conditions.append(TransferTask.owner_id.in_(_values(value, key)))
        elif key == "min_faults":
            faults = params.parse_int(value, "min_faults", maximum=params.SQL_INT_MAX)
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
                raise bad_request(f"Invalid orderby {part.strip()!r}")
            clauses.append(column.desc() if direction == "DESC" else column.asc())
    if not clauses:
        clauses.append(TransferTask.request_time.desc())
    clauses.append(TransferTask.id.desc())
    return clauses


def list_tasks(
    session: Session,
    conditions: list[ColumnElement[bool]],
    orderby: t.Iterable[str] | None,
    limit: int,
    offset: int,
) -> tuple[list[TransferTask], int]:
    base = select(TransferTask).where(*conditions)
    total = session.scalar(select(func.count()).select_from(base.subquery())) or 0
    tasks = list(
        session.scalars(base.order_by(*order_clauses(orderby)).limit(limit).offset(offset))
    )
    show_settled(session, tasks)
    return tasks, int(total)


def events(
    session: Session, task: TransferTask, limit: int, offset: int, errors_only: bool | None
) -> tuple[list[TaskEvent], int]:
    query = select(TaskEvent).where(TaskEvent.task_id == task.id)
    if errors_only is not None:
        query = query.where(TaskEvent.is_error.is_(errors_only))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(TaskEvent.time.desc(), TaskEvent.id.desc()).limit(limit).offset(offset)
    )
    return list(rows), int(total)


def is_final(task: TransferTask) -> bool:
    return task.status in FINAL_STATUSES


def endpoints_in_use(session: Session, identity_ids: t.Iterable[str]) -> set[str]:
    """Endpoints with unfinished tasks of these identities (the ``in-use`` search scope)."""
    ids = sorted(set(identity_ids))
    if not ids:
        return set()
    rows = session.execute(
        select(TransferTask.source_endpoint_id, TransferTask.destination_endpoint_id).where(
            TransferTask.owner_id.in_(ids), TransferTask.status == ACTIVE
        )
    ).all()
    found: set[str] = set()
    for src, dst in rows:
        found.add(src)
        if dst:
            found.add(dst)
    return found


access.register_in_use_provider(endpoints_in_use)

_ACTIVE_ON_ENDPOINT = select(
    exists().where(
        TransferTask.owner_id.in_(bindparam("owners", expanding=True)),
        TransferTask.status == ACTIVE,
        or_(
            TransferTask.source_endpoint_id == bindparam("endpoint_id"),
            TransferTask.destination_endpoint_id == bindparam("endpoint_id"),
        ),
    )
)


@access.register_in_use_check
def endpoint_in_use(session: Session, identity_ids: t.Iterable[str], endpoint_id: str) -> bool:
    """Whether these identities have an unfinished task on ``endpoint_id`` (one endpoint's
    document: an EXISTS, not every active task of theirs)."""
    owners = sorted(set(identity_ids))
    if not owners:
        return False
    params = {"owners": owners, "endpoint_id": endpoint_id}
    return bool(session.execute(_ACTIVE_ON_ENDPOINT, params).scalar())
