"""Timers' routes: the v2 create and the job routes (``/jobs/...``) every other operation
goes through. Each takes a token for the Timers scope and acts for its identity."""

from __future__ import annotations

import typing as t

from fastapi import Body, Depends, Request

from globus_local.config import Settings
from globus_local.kit.params import query_bool, query_int
from globus_local.kit.router import ServiceRouter
from globus_local.kit.session import DbSession
from globus_local.kit.tokens import AuthContext, bearer_token, require_token
from globus_local.services.auth.scopes import TIMER, TIMER_RS
from globus_local.services.timer import documents, timers
from globus_local.services.timer.errors import invalid

router = ServiceRouter()

Caller = t.Annotated[AuthContext, Depends(require_token(TIMER_RS, TIMER))]
AnyBody = t.Annotated[t.Any, Body()]


def _settings(request: Request) -> Settings:
    return t.cast(Settings, request.app.state.settings)


def _token(request: Request) -> str:
    return bearer_token(request) or ""


@router.post("/v2/timer", status_code=201)
def create_timer(
    request: Request, db: DbSession, ctx: Caller, body: AnyBody = None
) -> dict[str, t.Any]:
    timer = timers.create_timer(db, _settings(request), ctx, _token(request), body)
    return {"timer": documents.timer_document(db, timer)}


@router.post("/jobs/", status_code=201)
@router.post("/jobs", status_code=201, include_in_schema=False)
def create_job(
    request: Request, db: DbSession, ctx: Caller, body: AnyBody = None
) -> dict[str, t.Any]:
    timer = timers.create_job(db, _settings(request), ctx, _token(request), body)
    return documents.job_document(db, timer)


@router.get("/jobs/")
@router.get("/jobs", include_in_schema=False)
def list_jobs(request: Request, db: DbSession, ctx: Caller) -> dict[str, t.Any]:
    query = dict(request.query_params)
    count = query_int(query.get("result_count"), "result_count", default=0, maximum=100)
    found = timers.list_timers(db, ctx, query)
    return {"jobs": [documents.job_document(db, timer, count) for timer in found]}


@router.get("/jobs/{job_id}")
def get_job(
    job_id: str, db: DbSession, ctx: Caller, page_size: str | None = None
) -> dict[str, t.Any]:
    size = query_int(page_size, "page_size", default=documents.DEFAULT_RESULTS, maximum=100)
    return documents.job_document(db, timers.get_timer(db, ctx, job_id), size)


@router.patch("/jobs/{job_id}")
def update_job(job_id: str, db: DbSession, ctx: Caller, body: AnyBody = None) -> dict[str, t.Any]:
    timer = timers.update_timer(timers.get_timer(db, ctx, job_id, lock=True), body)
    return documents.job_document(db, timer)


@router.delete("/jobs/{job_id}")
def delete_job(job_id: str, db: DbSession, ctx: Caller) -> dict[str, t.Any]:
    timer = timers.get_timer(db, ctx, job_id, lock=True)
    timers.delete_timer(db, timer)
    return documents.job_document(db, timer)


@router.post("/jobs/{job_id}/pause")
def pause_job(job_id: str, db: DbSession, ctx: Caller) -> dict[str, t.Any]:
    timers.pause_timer(timers.get_timer(db, ctx, job_id, lock=True))
    return {"message": f"Successfully paused job {job_id}."}


@router.post("/jobs/{job_id}/resume")
def resume_job(
    job_id: str,
    request: Request,
    db: DbSession,
    ctx: Caller,
    update_credentials: str | None = None,
    body: AnyBody = None,
) -> dict[str, t.Any]:
    """``update_credentials`` comes in the JSON body (the SDK) or the query (the schema)."""
    wanted = query_bool(update_credentials, "update_credentials")
    if isinstance(body, dict) and body.get("update_credentials") is not None:
        if not isinstance(body["update_credentials"], bool):
            raise invalid("update_credentials must be a boolean", ["body", "update_credentials"])
        wanted = body["update_credentials"]
    timer = timers.get_timer(db, ctx, job_id, lock=True)
    timers.resume_timer(db, _settings(request), timer, _token(request), wanted)
    return {"message": f"Successfully resumed job {job_id}."}
