"""Activity: the user's Transfer tasks, with live progress while they run, a task's details,
events and files, and cancelling it. Every call is Transfer's task API (``task_list``,
``task/<id>`` and its ``event_list``, ``successful_transfers``, ``skipped_errors``, ``cancel``)."""

from __future__ import annotations

import typing as t
import uuid

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from globus_local.webapp import pages
from globus_local.webapp.pages import User
from globus_local.webapp.platform_api import ApiError
from globus_local.webapp.session import WebSession

router = APIRouter(prefix="/app", include_in_schema=False)

PER_PAGE = 20
EVENTS = 20
FILES = 100
STATUSES = ("ACTIVE", "INACTIVE", "SUCCEEDED", "FAILED")
DEEPEST = 1000  # Transfer's bound on offset + limit in task_list
REFRESH_MS = 1000


def _checked_task_id(value: str) -> str:
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise ApiError(404, "TaskNotFound", f"No task has the id {value!r}.") from None


def progress(task: dict[str, t.Any]) -> dict[str, t.Any]:
    """How far a task got: the share of its subtasks (or files) done, what it says."""
    total = int(task.get("subtasks_total") or 0)
    if total:
        done = int(task.get("subtasks_succeeded") or 0) + int(
            task.get("subtasks_skipped_errors") or 0
        )
    else:
        total = int(task.get("files") or 0)
        done = int(task.get("files_transferred") or 0) + int(task.get("files_skipped") or 0)
    if task.get("status") == "SUCCEEDED":
        percent = 100
    elif total:
        percent = max(0, min(100, int(done * 100 / total)))
    else:
        percent = 0
    return {"percent": percent, "done": done, "total": total}


def _status_words(task: dict[str, t.Any]) -> str:
    """The one line a list says about a task's state (``nice_status`` while it runs)."""
    if task.get("status") == "ACTIVE":
        if task.get("is_paused"):
            return "Paused"
        return str(task.get("nice_status_short_description") or task.get("nice_status") or "")
    if task.get("status") == "FAILED" and task.get("fatal_error"):
        return str((task["fatal_error"] or {}).get("description") or "")
    return ""


def _rows(tasks: list[dict[str, t.Any]]) -> list[dict[str, t.Any]]:
    return [{"task": x, "progress": progress(x), "words": _status_words(x)} for x in tasks]


# -- the task list ------------------------------------------------------------------------------
async def _task_page(
    request: Request, user: WebSession, status: str, offset: int
) -> dict[str, t.Any]:
    page = await pages.services(request, user).get(
        "transfer",
        "/task_list",
        limit=PER_PAGE,
        offset=offset,
        orderby="request_time DESC",
        filter_status=status or None,
    )
    tasks = page.get("DATA", [])
    return {
        "rows": _rows(tasks),
        "total": int(page.get("total") or 0),
        "offset": offset,
        "per_page": PER_PAGE,
        "deepest": DEEPEST,
        "shown_status": status,
        "any_active": any(x.get("status") == "ACTIVE" for x in tasks),
    }


def _status_of(value: str) -> str:
    value = value.upper()
    return value if value in STATUSES else ""


def _offset_of(value: str) -> int:
    try:
        offset = int(value)
    except ValueError:
        return 0
    return max(0, min(offset - offset % PER_PAGE, DEEPEST - PER_PAGE))


@router.get("/activity", response_class=HTMLResponse)
async def activity_page(
    request: Request, user: User, status: str = "", offset: str = "0"
) -> HTMLResponse:
    view = await _task_page(request, user, _status_of(status), _offset_of(offset))
    return pages.render(
        request,
        "activity.html",
        user,
        section="activity",
        title="Activity",
        statuses=STATUSES,
        refresh_ms=REFRESH_MS,
        **view,
    )


@router.get("/activity/live")
async def activity_fragment(
    request: Request, user: User, status: str = "", offset: str = "0"
) -> JSONResponse:
    """The list's rows for the live refresh; ``final`` once none of them is active."""
    view = await _task_page(request, user, _status_of(status), _offset_of(offset))
    html = pages.templates.get_template("activity_rows.html").render(**view)
    return JSONResponse(
        {"html": html, "final": not view["any_active"]}, headers={"Cache-Control": "no-store"}
    )


# -- one task -----------------------------------------------------------------------------------
async def _task_view(request: Request, user: WebSession, task_id: str) -> dict[str, t.Any]:
    calls = pages.services(request, user)
    task = await calls.get("transfer", f"/task/{task_id}")
    events = await calls.get("transfer", f"/task/{task_id}/event_list", limit=EVENTS)
    done = await calls.get("transfer", f"/task/{task_id}/successful_transfers", limit=FILES)
    skipped = await calls.get("transfer", f"/task/{task_id}/skipped_errors", limit=FILES)
    return {
        "task": task,
        "progress": progress(task),
        "words": _status_words(task),
        "events": events.get("DATA", []),
        "events_total": int(events.get("total") or 0),
        "transfers": done.get("DATA", []),
        "transfers_more": bool(done.get("has_next_page")),
        "skipped": skipped.get("DATA", []),
        "skipped_more": bool(skipped.get("has_next_page")),
        "final": task.get("status") != "ACTIVE",
    }


@router.get("/activity/{task_id}", response_class=HTMLResponse)
async def task_page(request: Request, user: User, task_id: str) -> HTMLResponse:
    view = await _task_view(request, user, _checked_task_id(task_id))
    task = view["task"]
    return pages.render(
        request,
        "activity_task.html",
        user,
        section="activity",
        title=task.get("label") or f"Task {task['task_id']}",
        refresh_ms=REFRESH_MS,
        **view,
    )


@router.get("/activity/{task_id}/live")
async def task_fragment(request: Request, user: User, task_id: str) -> JSONResponse:
    """The task's details for the page's live refresh; ``final`` once it has ended."""
    view = await _task_view(request, user, _checked_task_id(task_id))
    html = pages.templates.get_template("activity_task_live.html").render(csrf=user.csrf, **view)
    return JSONResponse(
        {"html": html, "final": view["final"]}, headers={"Cache-Control": "no-store"}
    )


@router.post("/activity/{task_id}/cancel")
async def cancel_task(request: Request, user: User, task_id: str) -> Response:
    await pages.checked_form(request, user)
    task_id = _checked_task_id(task_id)
    to = f"/app/activity/{task_id}"
    try:
        answer = await pages.services(request, user).post("transfer", f"/task/{task_id}/cancel")
    except ApiError as err:
        if err.status in (401, 403, 404):
            raise
        return pages.redirect(request, to, ("error", pages.error_message(err)))
    kind = "ok" if answer.get("code") in ("Canceled", "CancelAccepted") else "error"
    return pages.redirect(request, to, (kind, str(answer.get("message") or "Cancel requested.")))
