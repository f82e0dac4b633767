"""Transfer tasks: submission (validation, idempotency, enqueueing on the job queue), a
new job for a resumed task, and which endpoints the caller's unfinished tasks use."""

from __future__ import annotations

import datetime as dt
import typing as t
import uuid

from sqlalchemy import bindparam, exists, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from globus_local.db import utcnow
from globus_local.jobs import Job, JobStatus, enqueue
from globus_local.kit.errors import BadRequest, Forbidden, ServiceError
from globus_local.kit.params import check_fits, parse_bool, parse_datetime
from globus_local.kit.tokens import AuthContext
from globus_local.services.transfer import access
from globus_local.services.transfer.models_endpoints import Endpoint
from globus_local.services.transfer.models_tasks import ACTIVE, TaskFile, TransferTask
from globus_local.services.transfer.mover import JOB_KIND
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


# -- value parsing -----------------------------------------------------------------------------
def parse_label(value: t.Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise BadRequest("Invalid value for 'label': expected a string")
    if len(value) > MAX_LABEL:
        raise BadRequest(f"Invalid value for 'label': longer than {MAX_LABEL} characters")
    if any(ord(c) < 32 for c in value):
        raise BadRequest("Invalid value for 'label': control characters are not allowed")
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
    raise BadRequest("Invalid value for 'sync_level': expected 0, 1, 2 or 3")


def item_path(value: t.Any, what: str) -> str:
    """A normalised endpoint path; paths leaving the endpoint are refused, never used."""
    if not isinstance(value, str) or not value:
        raise BadRequest(f"Invalid transfer item: '{what}' must be a non-empty string")
    try:
        return normalize(value)
    except StorageError:
        raise Forbidden(
            f"Invalid {what} {value!r}: path leads outside the endpoint", code="PermissionDenied"
        ) from None


def _checksum_algorithm(value: t.Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or value.upper().replace("-", "") not in CHECKSUM_ALGORITHMS:
        raise BadRequest(
            f"Invalid checksum_algorithm {value!r}; supported: {', '.join(CHECKSUM_ALGORITHMS)}"
        )
    return value.upper().replace("-", "")


def _filter_rules(value: t.Any) -> list[dict[str, t.Any]] | None:
    if value is None:
        return None
    if not isinstance(value, list):
        raise BadRequest("Invalid value for 'filter_rules': expected a list")
    rules = []
    for rule in value:
        if not isinstance(rule, dict):
            raise BadRequest("Invalid filter rule: expected an object")
        method = rule.get("method", "exclude")
        kind = rule.get("type")
        name = rule.get("name")
        if method not in ("include", "exclude"):
            raise BadRequest("Invalid filter rule: 'method' must be include or exclude")
        if kind not in (None, "file", "dir"):
            raise BadRequest("Invalid filter rule: 'type' must be file or dir")
        if not isinstance(name, str) or not name:
            raise BadRequest("Invalid filter rule: 'name' must be a non-empty string")
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
        raise BadRequest(
            "A transfer requires at least one item", code="ClientError.BadRequest.NoTransferItems"
        )
    items = []
    for raw in data:
        if not isinstance(raw, dict):
            raise BadRequest("Invalid transfer item: expected an object")
        kind = raw.get("DATA_TYPE", "transfer_item")
        if kind not in ("transfer_item", "transfer_symlink_item"):
            raise BadRequest(f"Invalid transfer item DATA_TYPE {kind!r}")
        item: dict[str, t.Any] = {
            "DATA_TYPE": kind,
            "source_path": item_path(raw.get("source_path"), "source_path"),
            "destination_path": item_path(raw.get("destination_path"), "destination_path"),
        }
        if kind == "transfer_item":
            item["recursive"] = parse_bool(raw.get("recursive") or False, "recursive")
            checksum = raw.get("external_checksum")
            if checksum is not None and (not isinstance(checksum, str) or not checksum.strip()):
                raise BadRequest("Invalid value for 'external_checksum'")
            item["external_checksum"] = checksum.strip().lower() if checksum else None
            check_fits(item["external_checksum"], TaskFile.external_checksum, "checksum")
            item["checksum_algorithm"] = _checksum_algorithm(raw.get("checksum_algorithm"))
            if item["recursive"] and checksum:
                raise BadRequest("external_checksum is only allowed on file items")
        items.append(item)
    return items


def _delete_items(data: t.Any) -> list[dict[str, t.Any]]:
    if not isinstance(data, list) or not data:
        raise BadRequest(
            "A delete requires at least one item", code="ClientError.BadRequest.NoDeleteItems"
        )
    items = []
    for raw in data:
        if not isinstance(raw, dict):
            raise BadRequest("Invalid delete item: expected an object")
        if raw.get("DATA_TYPE", "delete_item") != "delete_item":
            raise BadRequest(f"Invalid delete item DATA_TYPE {raw.get('DATA_TYPE')!r}")
        path = item_path(raw.get("path"), "path")
        if path == "/":
            raise Forbidden("The endpoint root cannot be deleted", code="PermissionDenied")
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
        raise BadRequest(f"The request body must be a {kind} document")
    data_type = body.get("DATA_TYPE")
    if data_type is not None and data_type != kind:
        raise BadRequest(f"Invalid DATA_TYPE {data_type!r}: expected {kind!r}")
    submission_id = body.get("submission_id") or new_submission_id()
    if not isinstance(submission_id, str) or len(submission_id) > 100:
        raise BadRequest("Invalid value for 'submission_id'")
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
            raise BadRequest("Invalid value for 'recursive_symlinks': ignore, keep or copy")
        options["recursive_symlinks"] = links
        options["filter_rules"] = _filter_rules(body.get("filter_rules"))
        if options.get("delete_destination_extra") and not any(i.get("recursive") for i in items):
            raise BadRequest("delete_destination_extra requires a recursive transfer item")
        src_id, dst_id = body.get("source_endpoint"), body.get("destination_endpoint")
        if not src_id or not dst_id:
            raise BadRequest("source_endpoint and destination_endpoint are required")
        source = access.endpoint_for(session, ctx, str(src_id), need="read")
        destination = access.endpoint_for(session, ctx, str(dst_id), need="read")
        _check_paths(session, ctx, source, [i["source_path"] for i in items], "r")
        _check_paths(session, ctx, destination, [i["destination_path"] for i in items], "rw")
    else:
        items = _delete_items(body.get("DATA"))
        options = _common_options(body, DELETE_BOOLS)
        endpoint_id = body.get("endpoint")
        if not endpoint_id:
            raise BadRequest("endpoint is required")
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
        owner_identity_set=access.identities(ctx),
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
        if job is not None and job.state in (JobStatus.PENDING, JobStatus.RUNNING):
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
