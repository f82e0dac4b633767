"""Task routes (§1.9 submission, §1.10 task management, §1.11 endpoint-manager task views and
pause rules). Paths are relative to ``/v0.10``."""

from __future__ import annotations

import time
import typing as t
import uuid

from fastapi import Body, Request
from fastapi.responses import JSONResponse
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from globus_local.db import Database, utcnow
from globus_local.jobs import RUNNING, get_job
from globus_local.kit.errors import ServiceError
from globus_local.kit.router import ServiceRouter
from globus_local.kit.session import DbSession
from globus_local.kit.tokens import AuthContext
from globus_local.services.transfer import access, endpoints, params, tasks
from globus_local.services.transfer.auth import TransferAuth
from globus_local.services.transfer.documents import result_doc
from globus_local.services.transfer.models_endpoints import Endpoint
from globus_local.services.transfer.models_tasks import (
    ACTIVE,
    FAILED,
    KIND_FILE,
    PAUSE_FLAGS,
    ROW_DONE,
    ROW_SKIPPED,
    AdminCancel,
    PauseRule,
    TaskFile,
    TransferTask,
)
from globus_local.services.transfer.mover import progress
from globus_local.services.transfer.mover.control import is_paused_now, pause_rules_for
from globus_local.services.transfer.task_documents import (
    admin_cancel_document,
    event_document,
    manager_key,
    pause_rule_document,
    pause_rule_limited_document,
    select_fields,
    skipped_error_document,
    successful_transfer_document,
    task_document,
    task_link,
)

router = ServiceRouter()

AnyBody = t.Annotated[t.Any, Body()]
MAX_LIMIT = 1000
MARKER_PAGE = 1000
CANCEL_WAIT = 10.0
MANAGER_ROLES = frozenset({"administrator", "activity_manager"})


# -- query helpers -------------------------------------------------------------------------------
def _int(request: Request, name: str, default: int, maximum: int = params.SQL_BIGINT_MAX) -> int:
    return params.query_int(request.query_params.get(name), name, default, maximum=maximum)


def _list_param(request: Request, name: str) -> list[str]:
    return [v for v in request.query_params.getlist(name) if v != ""]


def _opt_bool(request: Request, name: str) -> bool | None:
    raw = request.query_params.get(name)
    return None if raw in (None, "") else tasks.parse_bool(raw, name)


def _fields(request: Request) -> list[str] | None:
    values = _list_param(request, "fields")
    return [f.strip() for v in values for f in v.split(",") if f.strip()] or None


# -- submission ---------------------------------------------------------------------------------
@router.get("/submission_id")
def get_submission_id(ctx: TransferAuth) -> dict[str, t.Any]:
    return {"DATA_TYPE": "submission_id", "value": tasks.new_submission_id()}


def _submission_response(
    request: Request, task: TransferTask, created: bool, kind: str
) -> dict[str, t.Any]:
    noun = "transfer" if kind == "transfer" else "delete"
    if created:
        code = "Accepted"
        message = (
            f"The {noun} has been accepted and a task has been created and queued for execution"
        )
    else:
        code = "Duplicate"
        message = f"A {noun} with id '{task.submission_id}' was already submitted"
    return result_doc(
        request,
        code,
        message,
        f"{noun}_result",
        task_id=task.id,
        submission_id=task.submission_id,
        task_link=task_link(task.id),
    )


@router.post("/transfer", status_code=202)
def submit_transfer(
    request: Request, db: DbSession, ctx: TransferAuth, body: AnyBody = None
) -> dict[str, t.Any]:
    task, created = tasks.submit(db, ctx, body, "transfer")
    return _submission_response(request, task, created, "transfer")


@router.post("/delete", status_code=202)
def submit_delete(
    request: Request, db: DbSession, ctx: TransferAuth, body: AnyBody = None
) -> dict[str, t.Any]:
    task, created = tasks.submit(db, ctx, body, "delete")
    return _submission_response(request, task, created, "delete")


# -- the caller's own tasks ------------------------------------------------------------------------
def _task_filters(request: Request) -> dict[str, str]:
    filters = tasks.parse_filter_strings(_list_param(request, "filter"))
    for key in ("task_id", "type", "status", "label", "request_time", "completion_time"):
        values = _list_param(request, f"filter_{key}")
        if values:
            filters[key] = ",".join(values)
    is_paused = request.query_params.get("filter_is_paused")
    if is_paused:
        filters["is_paused"] = is_paused
    return filters


@router.get("/task_list")
def task_list(request: Request, db: DbSession, ctx: TransferAuth) -> dict[str, t.Any]:
    limit = _int(request, "limit", 10, MAX_LIMIT)
    offset = _int(request, "offset", 0)
    if offset + limit > MAX_LIMIT:
        raise tasks.bad_request(f"offset + limit must not exceed {MAX_LIMIT}")
    owners = list(ctx.identity_set or (ctx.identity_id,))
    conditions = [TransferTask.owner_id.in_(owners), TransferTask.history_deleted.is_(False)]
    conditions += tasks.filter_conditions(_task_filters(request))
    found, total = tasks.list_tasks(db, conditions, _list_param(request, "orderby"), limit, offset)
    names = tasks.display_names(db, found)
    fields = _fields(request)
    return {
        "DATA_TYPE": "task_list",
        "length": len(found),
        "limit": limit,
        "offset": offset,
        "total": total,
        "DATA": [select_fields(task_document(x, names), fields) for x in found],
    }


@router.get("/task/{task_id}", response_model=None)
def get_task(task_id: str, request: Request, db: DbSession, ctx: TransferAuth) -> JSONResponse:
    """The route clients poll: the document is rendered here, in the route's thread,
    instead of being validated and encoded again on the event loop (a tenth of the
    request's cost there)."""
    task = tasks.own_task(db, ctx, task_id)
    doc = task_document(task, tasks.display_names(db, [task]))
    return JSONResponse(select_fields(doc, _fields(request)))


@router.put("/task/{task_id}")
def update_task(
    task_id: str, request: Request, db: DbSession, ctx: TransferAuth, body: AnyBody = None
) -> dict[str, t.Any]:
    task = tasks.own_task(db, ctx, task_id, writing=True)
    if not isinstance(body, dict):
        raise tasks.bad_request("The request body must be a task document")
    if body.get("DATA_TYPE", "task") != "task":
        raise tasks.bad_request("Invalid DATA_TYPE: expected 'task'")
    if task.status != ACTIVE:
        raise ServiceError(409, "ClientError.Conflict", "Only active tasks can be updated")
    if "label" in body:
        task.label = tasks.parse_label(body["label"])
    if body.get("deadline"):
        task.deadline = tasks.parse_datetime(body["deadline"], "deadline")
    return result_doc(request, "Updated", "Task updated successfully")


def _wait_final(db: Database, task_id: str, timeout: float) -> TransferTask | None:
    """Poll (fresh transactions) until the task has ended, up to ``timeout`` seconds."""
    end = time.monotonic() + timeout
    while True:
        with db.session() as session:
            task = session.get(TransferTask, task_id)
            if task is None or task.status != ACTIVE:
                return task
        if time.monotonic() >= end:
            return None
        time.sleep(0.05)


def request_cancel(
    session: Session, task: TransferTask, *, admin_side: str | None = None, message: str = ""
) -> None:
    """Mark a task for cancellation; one no worker is running is finalized right away."""
    task.cancel_requested = True
    if admin_side is not None:
        task.canceled_by_admin = admin_side
        task.canceled_by_admin_message = message or None
    job = get_job(session, task.job_id) if task.job_id else None
    if job is None or job.state != RUNNING:
        session.flush()
        progress.finish(
            session,
            task.id,
            FAILED,
            fatal_error={"code": "CANCELED", "description": "canceled"},
            event=("CANCELED", message or "The task was canceled", False),
            leftover="subtasks_canceled",
        )


@router.post("/task/{task_id}/cancel")
def cancel_task(
    task_id: str, request: Request, db: DbSession, ctx: TransferAuth
) -> dict[str, t.Any]:
    task = tasks.own_task(db, ctx, task_id, writing=True)
    if task.status != ACTIVE:
        return result_doc(request, "TaskComplete", "The task has already completed")
    request_cancel(db, task)
    db.commit()
    final = _wait_final(request.app.state.db, task.id, CANCEL_WAIT)
    if final is None:
        return result_doc(
            request, "CancelAccepted", "The task cancellation has been accepted and is in progress"
        )
    if final.status == FAILED and (final.fatal_error or {}).get("code") == "CANCELED":
        return result_doc(request, "Canceled", "The task has been cancelled successfully.")
    return result_doc(request, "TaskComplete", "The task completed before it could be cancelled")


def _events(request: Request, session: Session, task: TransferTask) -> dict[str, t.Any]:
    limit = _int(request, "limit", 10, MAX_LIMIT)
    offset = _int(request, "offset", 0)
    errors_only = _opt_bool(request, "filter_is_error")
    for clause in _list_param(request, "filter"):
        key, _, value = clause.partition(":")
        if key != "is_error":
            raise tasks.bad_request(f"Invalid filter clause {clause!r}")
        errors_only = tasks.parse_bool(value, "is_error")
    found, total = tasks.events(session, task, limit, offset, errors_only)
    return {
        "DATA_TYPE": "event_list",
        "length": len(found),
        "limit": limit,
        "offset": offset,
        "total": total,
        "DATA": [event_document(e) for e in found],
    }


@router.get("/task/{task_id}/event_list")
def task_event_list(
    task_id: str, request: Request, db: DbSession, ctx: TransferAuth
) -> dict[str, t.Any]:
    return _events(request, db, tasks.own_task(db, ctx, task_id))


def _marker_page(
    request: Request, session: Session, task: TransferTask, skipped: bool
) -> dict[str, t.Any]:
    marker = _int(request, "marker", 0)
    limit = _int(request, "limit", MARKER_PAGE, MARKER_PAGE) or MARKER_PAGE
    query = select(TaskFile).where(TaskFile.task_id == task.id, TaskFile.id > marker)
    if skipped:
        query = query.where(TaskFile.state == ROW_SKIPPED, TaskFile.outcome == "error")
    else:
        query = query.where(TaskFile.state == ROW_DONE, TaskFile.kind == KIND_FILE)
    rows = list(session.scalars(query.order_by(TaskFile.id).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    next_marker = rows[-1].id if more and rows else None
    render = skipped_error_document if skipped else successful_transfer_document
    return {
        "DATA_TYPE": "skipped_errors" if skipped else "successful_transfers",
        # SDK 3.2's paginator sends back ``marker`` while ``has_next_page``; newer ones
        # read ``next_marker`` — both name the next page.
        "marker": next_marker if next_marker is not None else marker,
        "next_marker": next_marker,
        "has_next_page": next_marker is not None,
        "DATA": [render(r) for r in rows],
    }


@router.get("/task/{task_id}/successful_transfers")
def successful_transfers(
    task_id: str, request: Request, db: DbSession, ctx: TransferAuth
) -> dict[str, t.Any]:
    return _marker_page(request, db, tasks.own_task(db, ctx, task_id), skipped=False)


@router.get("/task/{task_id}/skipped_errors")
def skipped_errors(
    task_id: str, request: Request, db: DbSession, ctx: TransferAuth
) -> dict[str, t.Any]:
    return _marker_page(request, db, tasks.own_task(db, ctx, task_id), skipped=True)


def _pause_info(session: Session, task: TransferTask) -> dict[str, t.Any]:
    rules = pause_rules_for(session, task) if task.status == ACTIVE else []
    names = tasks.display_names(session, [task])
    ids = {r.endpoint_id for r in rules}
    if ids:
        rows = session.execute(
            select(Endpoint.id, Endpoint.display_name).where(Endpoint.id.in_(sorted(ids)))
        ).all()
        names.update({row.id: row.display_name for row in rows})
    src_ids = {task.source_endpoint_id, task.source_host_endpoint_id} - {None}
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


@router.get("/task/{task_id}/pause_info")
def task_pause_info(task_id: str, db: DbSession, ctx: TransferAuth) -> dict[str, t.Any]:
    return _pause_info(db, tasks.own_task(db, ctx, task_id))


@router.get("/endpoint/{endpoint_id}/my_effective_pause_rule_list")
def my_effective_pause_rule_list(
    endpoint_id: str, db: DbSession, ctx: TransferAuth
) -> dict[str, t.Any]:
    endpoint = access.endpoint_for(db, ctx, endpoint_id, need="read")
    ids = list(ctx.identity_set or (ctx.identity_id,))
    endpoint_ids = [endpoint.id] + (
        [endpoint.host_endpoint_id] if endpoint.host_endpoint_id else []
    )
    rules = db.scalars(
        select(PauseRule).where(
            PauseRule.endpoint_id.in_(endpoint_ids),
            or_(PauseRule.identity_id.is_(None), PauseRule.identity_id.in_(ids)),
        )
    )
    return {
        "DATA_TYPE": "pause_rule_list",
        "DATA": [pause_rule_limited_document(r, endpoint.display_name) for r in rules],
    }


# -- endpoint manager ---------------------------------------------------------------------------
def _endpoint_roles(session: Session, ctx: AuthContext, endpoint_ids: set[str]) -> set[str]:
    roles: set[str] = set()
    urns = access.principal_urns(session, ctx)
    for endpoint_id in endpoint_ids:
        endpoint = session.get(Endpoint, endpoint_id)
        if endpoint is not None:
            roles |= access.effective_roles(session, ctx, endpoint, urns)
    return roles


def _task_endpoint_ids(task: TransferTask) -> set[str]:
    return {
        e
        for e in (
            task.source_endpoint_id,
            task.destination_endpoint_id,
            task.source_host_endpoint_id,
            task.destination_host_endpoint_id,
        )
        if e
    }


def managed_task(
    session: Session, ctx: AuthContext, task_id: str, *, manage: bool = False
) -> TransferTask:
    """A task on an endpoint the caller monitors (``manage``: may cancel/pause it, and the
    request writes, so a failure found is stored rather than only shown)."""
    task = session.get(TransferTask, str(task_id))
    if task is None:
        raise tasks.task_not_found(task_id)
    roles = _endpoint_roles(session, ctx, _task_endpoint_ids(task))
    wanted = MANAGER_ROLES if manage else access.MONITOR_ROLES
    if not roles & wanted:
        if roles & access.MONITOR_ROLES:
            raise ServiceError(
                403, "PermissionDenied", "You need the activity_manager role for this task"
            )
        raise tasks.task_not_found(task_id)
    (tasks.settle if manage else tasks.show_settled)(session, [task])
    return task


def _monitored_ids(session: Session, ctx: AuthContext) -> list[str]:
    return [e.id for e in endpoints.endpoints_with_roles(session, ctx, access.MONITOR_ROLES)]


@router.get("/endpoint_manager/task_list")
def manager_task_list(request: Request, db: DbSession, ctx: TransferAuth) -> dict[str, t.Any]:
    limit = _int(request, "limit", MAX_LIMIT, MAX_LIMIT) or MAX_LIMIT
    monitored = _monitored_ids(db, ctx)
    filters: dict[str, str] = {}
    for key in ("status", "task_id", "owner_id", "endpoint", "completion_time", "min_faults"):
        values = _list_param(request, f"filter_{key}")
        if values:
            filters[key] = ",".join(values)
    if len(tasks._csv(filters.get("task_id", ""))) > 50:
        raise tasks.bad_request("filter_task_id accepts at most 50 task ids")
    paused = _opt_bool(request, "filter_is_paused")
    if paused is not None:
        filters["is_paused"] = "1" if paused else "0"
    conditions = tasks.filter_conditions(filters)
    conditions.append(
        or_(
            TransferTask.source_endpoint_id.in_(monitored),
            TransferTask.destination_endpoint_id.in_(monitored),
            TransferTask.source_host_endpoint_id.in_(monitored),
            TransferTask.destination_host_endpoint_id.in_(monitored),
        )
    )
    local_user = request.query_params.get("filter_local_user")
    last_key = request.query_params.get("last_key")
    if last_key:
        stamp, _, last_id = last_key.partition(",")
        when = tasks.parse_datetime(stamp, "last_key")
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
    found = list(db.scalars(query))
    if local_user:
        found = [
            x
            for x in found
            if local_user
            in {(x.options or {}).get(k) for k in ("source_local_user", "destination_local_user")}
        ]
    more = len(found) > limit
    found = found[:limit]
    tasks.show_settled(db, found)
    names = tasks.display_names(db, found)
    return {
        "DATA_TYPE": "task_list",
        "has_next_page": more,
        "last_key": manager_key(found[-1]) if more and found else None,
        "DATA": [task_document(x, names, for_manager=True) for x in found],
    }


@router.get("/endpoint_manager/task/{task_id}")
def manager_get_task(task_id: str, db: DbSession, ctx: TransferAuth) -> dict[str, t.Any]:
    task = managed_task(db, ctx, task_id)
    return task_document(task, tasks.display_names(db, [task]), for_manager=True)


@router.get("/endpoint_manager/task/{task_id}/event_list")
def manager_task_events(
    task_id: str, request: Request, db: DbSession, ctx: TransferAuth
) -> dict[str, t.Any]:
    return _events(request, db, managed_task(db, ctx, task_id))


@router.get("/endpoint_manager/task/{task_id}/pause_info")
def manager_pause_info(task_id: str, db: DbSession, ctx: TransferAuth) -> dict[str, t.Any]:
    info = _pause_info(db, managed_task(db, ctx, task_id))
    info["DATA_TYPE"] = "pause_info"
    return info


@router.get("/endpoint_manager/task/{task_id}/successful_transfers")
def manager_successful_transfers(
    task_id: str, request: Request, db: DbSession, ctx: TransferAuth
) -> dict[str, t.Any]:
    return _marker_page(request, db, managed_task(db, ctx, task_id), skipped=False)


@router.get("/endpoint_manager/task/{task_id}/skipped_errors")
def manager_skipped_errors(
    task_id: str, request: Request, db: DbSession, ctx: TransferAuth
) -> dict[str, t.Any]:
    return _marker_page(request, db, managed_task(db, ctx, task_id), skipped=True)


def _task_ids(body: t.Any) -> list[str]:
    if not isinstance(body, dict) or not isinstance(body.get("task_id_list"), list):
        raise tasks.bad_request("The request body needs a 'task_id_list'")
    ids = [str(x) for x in body["task_id_list"]]
    if not ids:
        raise tasks.bad_request("'task_id_list' is empty")
    return ids


def _admin_side(session: Session, ctx: AuthContext, task: TransferTask) -> str:
    src = {task.source_endpoint_id, task.source_host_endpoint_id} - {None}
    dst = {task.destination_endpoint_id, task.destination_host_endpoint_id} - {None}
    on_src = bool(_endpoint_roles(session, ctx, src) & MANAGER_ROLES)  # type: ignore[arg-type]
    on_dst = bool(_endpoint_roles(session, ctx, dst) & MANAGER_ROLES)  # type: ignore[arg-type]
    return "BOTH" if on_src and on_dst else ("SOURCE" if on_src else "DESTINATION")


@router.post("/endpoint_manager/admin_cancel")
def admin_cancel(
    request: Request, db: DbSession, ctx: TransferAuth, body: AnyBody = None
) -> dict[str, t.Any]:
    ids = _task_ids(body)
    message = str(body.get("message") or "")
    found = [managed_task(db, ctx, task_id, manage=True) for task_id in ids]
    for task in found:
        if task.status == ACTIVE:
            request_cancel(db, task, admin_side=_admin_side(db, ctx, task), message=message)
    cancel = AdminCancel(
        id=str(uuid.uuid4()), requested_by=ctx.identity_id, message=message, task_id_list=ids
    )
    db.add(cancel)
    db.flush()
    done = all(task.status != ACTIVE for task in found)
    return admin_cancel_document(cancel, done)


@router.get("/endpoint_manager/admin_cancel/{cancel_id}")
def admin_cancel_status(cancel_id: str, db: DbSession, ctx: TransferAuth) -> dict[str, t.Any]:
    cancel = db.get(AdminCancel, cancel_id)
    if cancel is None or cancel.requested_by not in (ctx.identity_set or (ctx.identity_id,)):
        raise ServiceError(404, "ClientError.NotFound", f"No admin cancel '{cancel_id}'")
    statuses = db.scalars(
        select(TransferTask.status).where(TransferTask.id.in_(cancel.task_id_list))
    )
    return admin_cancel_document(cancel, all(s != ACTIVE for s in statuses))


@router.post("/endpoint_manager/admin_pause")
def admin_pause(
    request: Request, db: DbSession, ctx: TransferAuth, body: AnyBody = None
) -> dict[str, t.Any]:
    ids = _task_ids(body)
    message = str(body.get("message") or "") or None
    for task in [managed_task(db, ctx, task_id, manage=True) for task_id in ids]:
        if task.status == ACTIVE and not task.admin_paused:
            task.admin_paused = True
            task.admin_pause_message = message
            task.is_paused = True
            task.nice_status = "PAUSED_BY_ADMIN"
            task.nice_status_details = message
    return result_doc(request, "PauseAccepted", "The tasks have been paused")


def resume_if_free(session: Session, task: TransferTask) -> None:
    """Un-pause and requeue a paused task once nothing pauses it any more."""
    if task.status != ACTIVE or is_paused_now(session, task):
        return
    if task.is_paused:
        task.is_paused = False
        task.nice_status = "Queued"
        task.nice_status_details = None
        progress.add_event(session, task.id, "UNPAUSED", "")
    tasks.requeue(session, task)


@router.post("/endpoint_manager/admin_resume")
def admin_resume(
    request: Request, db: DbSession, ctx: TransferAuth, body: AnyBody = None
) -> dict[str, t.Any]:
    ids = _task_ids(body)
    for task in [managed_task(db, ctx, task_id, manage=True) for task_id in ids]:
        if task.status == ACTIVE and task.admin_paused:
            task.admin_paused = False
            task.admin_pause_message = None
            db.flush()
            resume_if_free(db, task)
    return result_doc(request, "ResumeAccepted", "The tasks have been resumed")


# -- pause rules --------------------------------------------------------------------------------
def _rule_endpoint(session: Session, ctx: AuthContext, endpoint_id: t.Any) -> Endpoint:
    if not endpoint_id:
        raise tasks.bad_request("A pause rule needs 'endpoint_id'")
    endpoint = access.endpoint_for(session, ctx, str(endpoint_id), need="monitor")
    if not access.effective_roles(session, ctx, endpoint) & MANAGER_ROLES:
        raise ServiceError(
            403, "PermissionDenied", "You need the activity_manager role on this endpoint"
        )
    return endpoint


def _apply_rule(rule: PauseRule, body: dict[str, t.Any]) -> None:
    if "message" in body:
        message = body["message"]
        if message is not None and not isinstance(message, str):
            raise tasks.bad_request("Invalid value for 'message'")
        rule.message = message
    if "identity_id" in body:
        identity = body["identity_id"]
        rule.identity_id = endpoints.parse_uuid(identity, "identity_id") if identity else None
    if "start_time" in body:
        rule.start_time = (
            tasks.parse_datetime(body["start_time"], "start_time") if body["start_time"] else None
        )
    for flag in PAUSE_FLAGS:
        if flag in body:
            setattr(rule, flag, tasks.parse_bool(body[flag], flag))


def _get_rule(session: Session, ctx: AuthContext, rule_id: str) -> PauseRule:
    rule = session.get(PauseRule, rule_id)
    if rule is None:
        raise ServiceError(404, "PauseRuleNotFound", f"No pause rule '{rule_id}'")
    _rule_endpoint(session, ctx, rule.endpoint_id)
    return rule


def _resume_endpoint_tasks(session: Session, endpoint_id: str) -> None:
    session.flush()
    paused = session.scalars(
        select(TransferTask).where(
            TransferTask.status == ACTIVE,
            TransferTask.is_paused.is_(True),
            or_(
                TransferTask.source_endpoint_id == endpoint_id,
                TransferTask.destination_endpoint_id == endpoint_id,
                TransferTask.source_host_endpoint_id == endpoint_id,
                TransferTask.destination_host_endpoint_id == endpoint_id,
            ),
        )
    )
    for task in list(paused):
        resume_if_free(session, task)


@router.get("/endpoint_manager/pause_rule_list")
def pause_rule_list(request: Request, db: DbSession, ctx: TransferAuth) -> dict[str, t.Any]:
    """Rules on endpoints where the caller is (at least) an activity monitor.

    ``filter_endpoint`` narrows to that endpoint and the endpoints it hosts; the caller
    must monitor the filter endpoint itself, as the Transfer docs say.
    """
    monitored = {e.id: e for e in endpoints.endpoints_with_roles(db, ctx, access.MONITOR_ROLES)}
    wanted = set(tasks._csv(request.query_params.get("filter_endpoint") or ""))
    ids = [
        eid
        for eid, endpoint in monitored.items()
        if not wanted or eid in wanted or endpoint.host_endpoint_id in wanted & monitored.keys()
    ]
    rules = db.scalars(
        select(PauseRule).where(PauseRule.endpoint_id.in_(ids)).order_by(PauseRule.created)
    )
    return {"DATA_TYPE": "pause_rule_list", "DATA": [pause_rule_document(r) for r in rules]}


@router.post("/endpoint_manager/pause_rule")
def create_pause_rule(db: DbSession, ctx: TransferAuth, body: AnyBody = None) -> dict[str, t.Any]:
    if not isinstance(body, dict):
        raise tasks.bad_request("The request body must be a pause_rule document")
    endpoint = _rule_endpoint(db, ctx, body.get("endpoint_id"))
    rule = PauseRule(
        id=str(uuid.uuid4()),
        endpoint_id=endpoint.id,
        modified_by_id=ctx.identity_id,
        created=utcnow(),
        created_by_host_manager=False,
        editable=True,
        # A flag the document leaves out pauses: the real service creates a rule given none
        # of them with all six set (seen in the Globus SDK's integration tests against it).
        **dict.fromkeys(PAUSE_FLAGS, True),
    )
    _apply_rule(rule, body)
    db.add(rule)
    db.flush()
    return pause_rule_document(rule)


@router.get("/endpoint_manager/pause_rule/{rule_id}")
def get_pause_rule(rule_id: str, db: DbSession, ctx: TransferAuth) -> dict[str, t.Any]:
    return pause_rule_document(_get_rule(db, ctx, rule_id))


@router.put("/endpoint_manager/pause_rule/{rule_id}")
def update_pause_rule(
    rule_id: str, db: DbSession, ctx: TransferAuth, body: AnyBody = None
) -> dict[str, t.Any]:
    rule = _get_rule(db, ctx, rule_id)
    if not isinstance(body, dict):
        raise tasks.bad_request("The request body must be a pause_rule document")
    _apply_rule(rule, body)
    rule.modified_by_id = ctx.identity_id
    _resume_endpoint_tasks(db, rule.endpoint_id)
    return pause_rule_document(rule)


@router.delete("/endpoint_manager/pause_rule/{rule_id}")
def delete_pause_rule(
    rule_id: str, request: Request, db: DbSession, ctx: TransferAuth
) -> dict[str, t.Any]:
    rule = _get_rule(db, ctx, rule_id)
    endpoint_id = rule.endpoint_id
    db.delete(rule)
    _resume_endpoint_tasks(db, endpoint_id)
    return result_doc(request, "Deleted", "The pause rule has been deleted")
