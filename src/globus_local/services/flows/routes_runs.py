"""HTTP routes for runs (``/flows/runs...``): list, read, change, cancel, resume,
release, their definition and their log."""

from __future__ import annotations

import typing as t

from fastapi import Body, Depends, Request

from globus_local.kit.params import query_bool
from globus_local.kit.router import ServiceRouter
from globus_local.kit.session import DbSession
from globus_local.kit.tokens import AuthContext, bearer_token, require_token
from globus_local.services.flows import documents, listing, runs
from globus_local.services.flows.access import caller_of, check_scopes, load_run, run_accesses
from globus_local.services.flows.request_parts import query_of, settings_of
from globus_local.services.flows.routes_flows import RUN_MANAGE, RUN_STATUS

router = ServiceRouter()

AnyToken = t.Annotated[AuthContext, Depends(require_token(None))]
AnyBody = t.Annotated[t.Any, Body()]


def _run(db: DbSession, ctx: AuthContext, run_id: str, scopes: tuple[str, ...]) -> runs.RunAccess:
    """The run, for a token with one of ``scopes`` or for the run's own flow's scope."""
    caller = caller_of(db, ctx)
    access = load_run(db, run_id, caller)
    check_scopes(ctx, *scopes, flow_id=access.run.flow_id)
    return access


@router.get("/runs")
def list_runs(request: Request, db: DbSession, ctx: AnyToken) -> dict[str, t.Any]:
    check_scopes(ctx, *RUN_STATUS)
    caller = caller_of(db, ctx)
    rows, page = listing.list_runs(db, caller, query_of(request))
    docs = [documents.run_document(a) for a in run_accesses(db, rows[: page.per_page], caller)]
    return page.document("runs", rows, docs)


@router.get("/runs/{run_id}")
def get_run(
    run_id: str, db: DbSession, ctx: AnyToken, include_flow_description: str | None = None
) -> dict[str, t.Any]:
    access = _run(db, ctx, run_id, RUN_STATUS)
    include = bool(query_bool(include_flow_description, "include_flow_description"))
    return documents.run_document(access, include_flow_description=include)


@router.put("/runs/{run_id}")
def update_run(run_id: str, db: DbSession, ctx: AnyToken, body: AnyBody = None) -> dict[str, t.Any]:
    access = _run(db, ctx, run_id, RUN_MANAGE)
    return documents.run_document(runs.update_run(db, access, body))


@router.get("/runs/{run_id}/definition")
def get_run_definition(run_id: str, db: DbSession, ctx: AnyToken) -> dict[str, t.Any]:
    access = _run(db, ctx, run_id, RUN_STATUS)
    return documents.run_definition_document(access.run)


@router.post("/runs/{run_id}/cancel", status_code=202)
def cancel_run(run_id: str, db: DbSession, ctx: AnyToken) -> dict[str, t.Any]:
    access = _run(db, ctx, run_id, RUN_MANAGE)
    return documents.run_document(runs.cancel_run(db, access))


@router.post("/runs/{run_id}/resume")
def resume_run(run_id: str, request: Request, db: DbSession, ctx: AnyToken) -> dict[str, t.Any]:
    access = _run(db, ctx, run_id, RUN_MANAGE)
    token = bearer_token(request) or ""
    return documents.run_document(runs.resume_run(db, settings_of(request), access, ctx, token))


@router.post("/runs/{run_id}/release")
def release_run(run_id: str, db: DbSession, ctx: AnyToken) -> dict[str, t.Any]:
    access = _run(db, ctx, run_id, RUN_MANAGE)
    return documents.run_document(runs.release_run(db, access))


@router.get("/runs/{run_id}/log")
def get_run_log(run_id: str, request: Request, db: DbSession, ctx: AnyToken) -> dict[str, t.Any]:
    access = _run(db, ctx, run_id, RUN_STATUS)
    return runs.log_document(db, access, query_of(request))
