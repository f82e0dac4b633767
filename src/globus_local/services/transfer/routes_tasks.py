"""Task routes (§1.9 submission, §1.10 task management, §1.11 endpoint-manager task views and
pause rules). Paths are relative to ``/v0.10``; each parses its request and calls the task
logic (:mod:`.tasks`, :mod:`.task_queries`, :mod:`.task_control`, :mod:`.pause_rules`)."""

from __future__ import annotations

import typing as t

from fastapi import Body, Request
from fastapi.responses import JSONResponse, Response

from globus_local.kit.params import (
    SQL_BIGINT_MAX,
    InvalidValue,
    parse_bool,
    parse_csv,
    parse_filter,
    query_bool,
    query_int,
)
from globus_local.kit.router import ServiceRouter
from globus_local.kit.session import DbSession
from globus_local.kit.tokens import AuthContext
from globus_local.services.transfer import (
    pause_rules,
    task_control,
    task_queries,
    task_wait,
    tasks,
)
from globus_local.services.transfer.auth import TransferAuth
from globus_local.services.transfer.documents import result_doc
from globus_local.services.transfer.models_tasks import TransferTask
from globus_local.services.transfer.task_access import display_names, managed_task, own_task
from globus_local.services.transfer.task_documents import (
    pause_rule_document,
    pause_rule_limited_document,
    select_fields,
    task_document,
    task_link,
)

router = ServiceRouter()

AnyBody = t.Annotated[t.Any, Body()]
MAX_LIMIT = task_queries.MAX_LIMIT
MARKER_PAGE = task_queries.MARKER_PAGE
# The task list's own filters, each also given as ``filter_<key>``.
OWN_FILTERS = ("task_id", "type", "status", "label", "request_time", "completion_time")
MANAGER_FILTERS = ("status", "task_id", "owner_id", "endpoint", "completion_time", "min_faults")


# -- query parsing -------------------------------------------------------------------------------
def _values(request: Request, name: str) -> list[str]:
    """Every non-empty value of a query parameter that may be repeated."""
    return [v for v in request.query_params.getlist(name) if v != ""]


def _int(request: Request, name: str, default: int, maximum: int = SQL_BIGINT_MAX) -> int:
    return query_int(request.query_params.get(name), name, default, maximum=maximum)


def _filters(request: Request, keys: tuple[str, ...]) -> dict[str, str]:
    """``filter_<key>`` parameters (repeats joined as a comma-separated list)."""
    return {k: ",".join(v) for k in keys if (v := _values(request, f"filter_{k}"))}


def _fields(request: Request) -> list[str] | None:
    return [f for v in _values(request, "fields") for f in parse_csv(v)] or None


def _events(request: Request, db: DbSession, task: TransferTask) -> dict[str, t.Any]:
    """``filter_is_error=1|0`` (globus-sdk's endpoint manager call) or the REST form
    ``filter=is_error:1``; both may be given if they agree."""
    errors_only = query_bool(request.query_params.get("filter_is_error"), "filter_is_error")
    for text in _values(request, "filter"):
        if "is_error" in (found := parse_filter(text, keys=("is_error",))):
            in_filter = parse_bool(found["is_error"], "is_error")
            if errors_only is not None and in_filter != errors_only:
                raise InvalidValue(
                    "is_error is given more than once, with different values", "filter"
                )
            errors_only = in_filter
    limit = _int(request, "limit", 10, MAX_LIMIT)
    offset = _int(request, "offset", 0)
    return task_queries.event_list(db, task, limit, offset, errors_only)


def _file_page(
    request: Request, db: DbSession, task: TransferTask, skipped: bool
) -> dict[str, t.Any]:
    marker = _int(request, "marker", 0)
    limit = _int(request, "limit", MARKER_PAGE, MARKER_PAGE) or MARKER_PAGE
    return task_queries.file_page(db, task, skipped=skipped, marker=marker, limit=limit)


# -- submission ---------------------------------------------------------------------------------
@router.get("/submission_id")
def get_submission_id(ctx: TransferAuth) -> dict[str, t.Any]:
    return {"DATA_TYPE": "submission_id", "value": tasks.new_submission_id()}


def _submitted(
    request: Request, db: DbSession, ctx: AuthContext, body: t.Any, kind: str
) -> dict[str, t.Any]:
    task, created = tasks.submit(db, ctx, body, kind)
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
    return _submitted(request, db, ctx, body, "transfer")


@router.post("/delete", status_code=202)
def submit_delete(
    request: Request, db: DbSession, ctx: TransferAuth, body: AnyBody = None
) -> dict[str, t.Any]:
    return _submitted(request, db, ctx, body, "delete")


# -- the caller's own tasks ------------------------------------------------------------------------
@router.get("/task_list")
def task_list(request: Request, db: DbSession, ctx: TransferAuth) -> dict[str, t.Any]:
    filters = task_queries.parse_filters(_values(request, "filter"))
    filters.update(_filters(request, OWN_FILTERS))
    if is_paused := request.query_params.get("filter_is_paused"):
        filters["is_paused"] = is_paused
    return task_queries.task_list(
        db,
        ctx,
        filters,
        _values(request, "orderby"),
        limit=_int(request, "limit", 10, MAX_LIMIT),
        offset=_int(request, "offset", 0),
        fields=_fields(request),
    )


@router.get("/task/{task_id}", response_model=None)
def get_task(task_id: str, request: Request, db: DbSession, ctx: TransferAuth) -> JSONResponse:
    """The route clients poll: the document is encoded here, in the route's thread, rather
    than validated and encoded again on the event loop."""
    task = own_task(db, ctx, task_id)
    doc = task_document(task, display_names(db, [task]))
    return JSONResponse(select_fields(doc, _fields(request)), headers=task_wait.advertised())


@router.get("/task/{task_id}/wait", response_model=None)
async def wait_for_task(task_id: str, request: Request, ctx: TransferAuth) -> Response:
    """The task's document once it leaves ACTIVE, or after ``timeout`` seconds: a
    long-poll this platform adds (advertised by a header on the task GET)."""
    seconds = task_wait.parse_timeout(request.query_params.get("timeout"))
    return await task_wait.task_when_ended(request, ctx, task_id, seconds)


@router.put("/task/{task_id}")
def update_task(
    task_id: str, request: Request, db: DbSession, ctx: TransferAuth, body: AnyBody = None
) -> dict[str, t.Any]:
    task_control.update_task(db, ctx, task_id, body)
    return result_doc(request, "Updated", "Task updated successfully")


@router.post("/task/{task_id}/cancel")
def cancel_task(
    task_id: str, request: Request, db: DbSession, ctx: TransferAuth
) -> dict[str, t.Any]:
    code, message = task_control.cancel_task(db, request.app.state.db, ctx, task_id)
    return result_doc(request, code, message)


@router.get("/task/{task_id}/event_list")
def task_event_list(
    task_id: str, request: Request, db: DbSession, ctx: TransferAuth
) -> dict[str, t.Any]:
    return _events(request, db, own_task(db, ctx, task_id))


@router.get("/task/{task_id}/successful_transfers")
def successful_transfers(
    task_id: str, request: Request, db: DbSession, ctx: TransferAuth
) -> dict[str, t.Any]:
    return _file_page(request, db, own_task(db, ctx, task_id), skipped=False)


@router.get("/task/{task_id}/skipped_errors")
def skipped_errors(
    task_id: str, request: Request, db: DbSession, ctx: TransferAuth
) -> dict[str, t.Any]:
    return _file_page(request, db, own_task(db, ctx, task_id), skipped=True)


@router.get("/task/{task_id}/pause_info")
def task_pause_info(task_id: str, db: DbSession, ctx: TransferAuth) -> dict[str, t.Any]:
    return task_queries.pause_info(db, own_task(db, ctx, task_id))


@router.get("/endpoint/{endpoint_id}/my_effective_pause_rule_list")
def my_effective_pause_rule_list(
    endpoint_id: str, db: DbSession, ctx: TransferAuth
) -> dict[str, t.Any]:
    endpoint, rules = pause_rules.rules_on_endpoint(db, ctx, endpoint_id)
    return {
        "DATA_TYPE": "pause_rule_list",
        "DATA": [pause_rule_limited_document(r, endpoint.display_name) for r in rules],
    }


# -- endpoint manager ---------------------------------------------------------------------------
@router.get("/endpoint_manager/task_list")
def manager_task_list(request: Request, db: DbSession, ctx: TransferAuth) -> dict[str, t.Any]:
    filters = _filters(request, MANAGER_FILTERS)
    paused = query_bool(request.query_params.get("filter_is_paused"), "filter_is_paused")
    if paused is not None:
        filters["is_paused"] = "1" if paused else "0"
    return task_queries.manager_task_list(
        db,
        ctx,
        filters,
        limit=_int(request, "limit", MAX_LIMIT, MAX_LIMIT) or MAX_LIMIT,
        last_key=request.query_params.get("last_key"),
        local_user=request.query_params.get("filter_local_user"),
    )


@router.get("/endpoint_manager/task/{task_id}")
def manager_get_task(task_id: str, db: DbSession, ctx: TransferAuth) -> dict[str, t.Any]:
    task = managed_task(db, ctx, task_id)
    return task_document(task, display_names(db, [task]), for_manager=True)


@router.get("/endpoint_manager/task/{task_id}/event_list")
def manager_task_events(
    task_id: str, request: Request, db: DbSession, ctx: TransferAuth
) -> dict[str, t.Any]:
    return _events(request, db, managed_task(db, ctx, task_id))


@router.get("/endpoint_manager/task/{task_id}/pause_info")
def manager_pause_info(task_id: str, db: DbSession, ctx: TransferAuth) -> dict[str, t.Any]:
    return {
        **task_queries.pause_info(db, managed_task(db, ctx, task_id)),
        "DATA_TYPE": "pause_info",
    }


@router.get("/endpoint_manager/task/{task_id}/successful_transfers")
def manager_successful_transfers(
    task_id: str, request: Request, db: DbSession, ctx: TransferAuth
) -> dict[str, t.Any]:
    return _file_page(request, db, managed_task(db, ctx, task_id), skipped=False)


@router.get("/endpoint_manager/task/{task_id}/skipped_errors")
def manager_skipped_errors(
    task_id: str, request: Request, db: DbSession, ctx: TransferAuth
) -> dict[str, t.Any]:
    return _file_page(request, db, managed_task(db, ctx, task_id), skipped=True)


@router.post("/endpoint_manager/admin_cancel")
def admin_cancel(db: DbSession, ctx: TransferAuth, body: AnyBody = None) -> dict[str, t.Any]:
    return task_control.admin_cancel(db, ctx, body)


@router.get("/endpoint_manager/admin_cancel/{cancel_id}")
def admin_cancel_status(cancel_id: str, db: DbSession, ctx: TransferAuth) -> dict[str, t.Any]:
    return task_queries.admin_cancel_status(db, ctx, cancel_id)


@router.post("/endpoint_manager/admin_pause")
def admin_pause(
    request: Request, db: DbSession, ctx: TransferAuth, body: AnyBody = None
) -> dict[str, t.Any]:
    task_control.admin_pause(db, ctx, body)
    return result_doc(request, "PauseAccepted", "The tasks have been paused")


@router.post("/endpoint_manager/admin_resume")
def admin_resume(
    request: Request, db: DbSession, ctx: TransferAuth, body: AnyBody = None
) -> dict[str, t.Any]:
    task_control.admin_resume(db, ctx, body)
    return result_doc(request, "ResumeAccepted", "The tasks have been resumed")


# -- pause rules --------------------------------------------------------------------------------
@router.get("/endpoint_manager/pause_rule_list")
def pause_rule_list(request: Request, db: DbSession, ctx: TransferAuth) -> dict[str, t.Any]:
    rules = pause_rules.rules_monitored(db, ctx, request.query_params.get("filter_endpoint"))
    return {"DATA_TYPE": "pause_rule_list", "DATA": [pause_rule_document(r) for r in rules]}


@router.post("/endpoint_manager/pause_rule")
def create_pause_rule(db: DbSession, ctx: TransferAuth, body: AnyBody = None) -> dict[str, t.Any]:
    return pause_rule_document(pause_rules.create_rule(db, ctx, body))


@router.get("/endpoint_manager/pause_rule/{rule_id}")
def get_pause_rule(rule_id: str, db: DbSession, ctx: TransferAuth) -> dict[str, t.Any]:
    return pause_rule_document(pause_rules.get_rule(db, ctx, rule_id))


@router.put("/endpoint_manager/pause_rule/{rule_id}")
def update_pause_rule(
    rule_id: str, db: DbSession, ctx: TransferAuth, body: AnyBody = None
) -> dict[str, t.Any]:
    return pause_rule_document(pause_rules.update_rule(db, ctx, rule_id, body))


@router.delete("/endpoint_manager/pause_rule/{rule_id}")
def delete_pause_rule(
    rule_id: str, request: Request, db: DbSession, ctx: TransferAuth
) -> dict[str, t.Any]:
    pause_rules.delete_rule(db, ctx, rule_id)
    return result_doc(request, "Deleted", "The pause rule has been deleted")
