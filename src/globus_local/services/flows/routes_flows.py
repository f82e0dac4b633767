"""HTTP routes for flows (``/flows/flows...``): create, read, list, change, delete,
validate, start runs, and the legacy Automate routes that name a flow."""

from __future__ import annotations

import typing as t

from fastapi import Body, Depends, Request

from globus_local.kit.router import ServiceRouter
from globus_local.kit.session import DbSession
from globus_local.kit.tokens import AuthContext, bearer_token, require_token
from globus_local.services.auth.scopes import (
    FLOWS_ALL,
    FLOWS_MANAGE_FLOWS,
    FLOWS_RUN,
    FLOWS_RUN_MANAGE,
    FLOWS_RUN_STATUS,
    FLOWS_VIEW_FLOWS,
)
from globus_local.services.flows import documents, flows, listing, runs
from globus_local.services.flows.access import (
    Caller,
    FlowAccess,
    caller_of,
    check_scopes,
    flow_access,
    load_flow,
    load_run,
    run_accesses,
)
from globus_local.services.flows.request_parts import query_of, settings_of

router = ServiceRouter()

AnyToken = t.Annotated[AuthContext, Depends(require_token(None))]
AnyBody = t.Annotated[t.Any, Body()]
MANAGE = (FLOWS_ALL, FLOWS_MANAGE_FLOWS)
VIEW = (FLOWS_ALL, FLOWS_VIEW_FLOWS, FLOWS_MANAGE_FLOWS, FLOWS_RUN)
RUN_STATUS = (FLOWS_ALL, FLOWS_RUN_STATUS, FLOWS_RUN_MANAGE, FLOWS_RUN)
RUN_MANAGE = (FLOWS_ALL, FLOWS_RUN_MANAGE, FLOWS_RUN)


def _flow_doc(request: Request, access: FlowAccess) -> dict[str, t.Any]:
    return documents.flow_document(access, settings_of(request).service_url("flows"))


@router.post("/flows", status_code=201)
def create_flow(
    request: Request, db: DbSession, ctx: AnyToken, body: AnyBody = None
) -> dict[str, t.Any]:
    check_scopes(ctx, *MANAGE)
    access = flows.create_flow(db, caller_of(db, ctx), body, settings_of(request).root_url)
    return _flow_doc(request, access)


@router.get("/flows")
def list_flows(request: Request, db: DbSession, ctx: AnyToken) -> dict[str, t.Any]:
    check_scopes(ctx, *VIEW)
    caller = caller_of(db, ctx)
    rows, page = listing.list_flows(db, caller, query_of(request))
    docs = [_flow_doc(request, flow_access(f, caller)) for f in rows[: page.per_page]]
    return page.document("flows", rows, docs)


@router.post("/flows/validate")
def validate_flow(request: Request, ctx: AnyToken, body: AnyBody = None) -> dict[str, t.Any]:
    check_scopes(ctx, *VIEW)
    return flows.validate_flow(body, settings_of(request).root_url)


@router.post("/flows/dry-run")
def dry_run_definition(request: Request, ctx: AnyToken, body: AnyBody = None) -> dict[str, t.Any]:
    """Legacy Automate: check a definition without storing or running it."""
    check_scopes(ctx, *VIEW)
    return flows.validate_flow(body, settings_of(request).root_url)


@router.get("/flows/{flow_id}")
def get_flow(flow_id: str, request: Request, db: DbSession, ctx: AnyToken) -> dict[str, t.Any]:
    check_scopes(ctx, *VIEW, flow_id=flow_id)
    return _flow_doc(request, load_flow(db, flow_id, caller_of(db, ctx)))


@router.put("/flows/{flow_id}")
def update_flow(
    flow_id: str, request: Request, db: DbSession, ctx: AnyToken, body: AnyBody = None
) -> dict[str, t.Any]:
    check_scopes(ctx, *MANAGE)
    access = load_flow(db, flow_id, caller_of(db, ctx))
    return _flow_doc(request, flows.update_flow(db, access, body, settings_of(request).root_url))


@router.delete("/flows/{flow_id}")
def delete_flow(flow_id: str, request: Request, db: DbSession, ctx: AnyToken) -> dict[str, t.Any]:
    check_scopes(ctx, *MANAGE)
    access = load_flow(db, flow_id, caller_of(db, ctx))
    return _flow_doc(request, flows.delete_flow(db, access))


@router.post("/flows/{flow_id}/run", status_code=201)
def run_flow(
    flow_id: str, request: Request, db: DbSession, ctx: AnyToken, body: AnyBody = None
) -> dict[str, t.Any]:
    access = load_flow(db, flow_id, caller_of(db, ctx))
    token = bearer_token(request) or ""
    run = runs.start_run(db, settings_of(request), access, ctx, token, body)
    return documents.run_document(run)


@router.post("/flows/{flow_id}/validate_run")
def validate_run(
    flow_id: str, db: DbSession, ctx: AnyToken, body: AnyBody = None
) -> dict[str, t.Any]:
    check_scopes(ctx, *RUN_MANAGE, flow_id=flow_id)
    access = load_flow(db, flow_id, caller_of(db, ctx))
    runs.validate_run(access, body)
    return {"message": "success"}


@router.post("/flows/{flow_id}/dry-run")
def dry_run(flow_id: str, db: DbSession, ctx: AnyToken, body: AnyBody = None) -> dict[str, t.Any]:
    """Legacy Automate: what a run would start with, checked but not started."""
    check_scopes(ctx, *RUN_MANAGE, flow_id=flow_id)
    access = load_flow(db, flow_id, caller_of(db, ctx))
    return runs.dry_run(access, body)


def _flow_runs(
    request: Request, db: DbSession, ctx: AuthContext, flow_id: str, key: str
) -> dict[str, t.Any]:
    check_scopes(ctx, *RUN_STATUS, flow_id=flow_id)
    caller = caller_of(db, ctx)
    load_flow(db, flow_id, caller)
    rows, page = listing.list_runs(db, caller, query_of(request), flow_id=flow_id)
    docs = [documents.run_document(a) for a in run_accesses(db, rows[: page.per_page], caller)]
    return page.document(key, rows, docs)


@router.get("/flows/{flow_id}/runs")
def list_flow_runs(
    flow_id: str, request: Request, db: DbSession, ctx: AnyToken
) -> dict[str, t.Any]:
    return _flow_runs(request, db, ctx, flow_id, "runs")


@router.get("/flows/{flow_id}/actions")
def list_flow_actions(
    flow_id: str, request: Request, db: DbSession, ctx: AnyToken
) -> dict[str, t.Any]:
    return _flow_runs(request, db, ctx, flow_id, "actions")


# -- legacy Automate routes: a run named under its flow ------------------------------------------
def _legacy_run(
    db: DbSession, ctx: AuthContext, flow_id: str, run_id: str, scopes: tuple[str, ...]
) -> t.Any:
    check_scopes(ctx, *scopes, flow_id=flow_id)
    caller: Caller = caller_of(db, ctx)
    return load_run(db, run_id, caller, flow_id=flow_id)


@router.get("/flows/{flow_id}/{run_id}/status")
def legacy_status(flow_id: str, run_id: str, db: DbSession, ctx: AnyToken) -> dict[str, t.Any]:
    return documents.run_document(_legacy_run(db, ctx, flow_id, run_id, RUN_STATUS))


@router.post("/flows/{flow_id}/{run_id}/cancel")
def legacy_cancel(flow_id: str, run_id: str, db: DbSession, ctx: AnyToken) -> dict[str, t.Any]:
    access = _legacy_run(db, ctx, flow_id, run_id, RUN_MANAGE)
    return documents.run_document(runs.cancel_run(db, access))


@router.post("/flows/{flow_id}/{run_id}/release")
def legacy_release(flow_id: str, run_id: str, db: DbSession, ctx: AnyToken) -> dict[str, t.Any]:
    access = _legacy_run(db, ctx, flow_id, run_id, RUN_MANAGE)
    return documents.run_document(runs.release_run(db, access))


@router.post("/flows/{flow_id}/{run_id}/resume")
def legacy_resume(
    flow_id: str, run_id: str, request: Request, db: DbSession, ctx: AnyToken
) -> dict[str, t.Any]:
    access = _legacy_run(db, ctx, flow_id, run_id, RUN_MANAGE)
    token = bearer_token(request) or ""
    return documents.run_document(runs.resume_run(db, settings_of(request), access, ctx, token))


@router.get("/flows/{flow_id}/{run_id}/log")
def legacy_log(
    flow_id: str, run_id: str, request: Request, db: DbSession, ctx: AnyToken
) -> dict[str, t.Any]:
    access = _legacy_run(db, ctx, flow_id, run_id, RUN_STATUS)
    return runs.log_document(db, access, query_of(request))


@router.get("/flows/{flow_id}/runs/{run_id}/log")
def legacy_runs_log(
    flow_id: str, run_id: str, request: Request, db: DbSession, ctx: AnyToken
) -> dict[str, t.Any]:
    access = _legacy_run(db, ctx, flow_id, run_id, RUN_STATUS)
    return runs.log_document(db, access, query_of(request))


# -- each flow's Action Provider routes at the service's root --------------------------------------
# The real automate client (0.15/0.16) builds a flow's URL by joining "/flows/<id>" to the
# host of the Flows URL, dropping its path: with the service under "<root>flows/", its run,
# status, cancel, release, resume, log and introspection requests arrive at "/<flow_id>...".
# Registered last, so they are tried only after every other route missed. A run's dry run
# 0.16 sends to ".../run/dry-run", 0.15 to ".../dry-run".
router.add_api_route("/flows/{flow_id}/run/dry-run", dry_run, methods=["POST"])
for _path, _endpoint, _method, _status in (
    ("/{flow_id}", get_flow, "GET", 200),
    ("/{flow_id}/run", run_flow, "POST", 201),
    ("/{flow_id}/run/dry-run", dry_run, "POST", 200),
    ("/{flow_id}/dry-run", dry_run, "POST", 200),
    ("/{flow_id}/{run_id}/status", legacy_status, "GET", 200),
    ("/{flow_id}/{run_id}/cancel", legacy_cancel, "POST", 200),
    ("/{flow_id}/{run_id}/release", legacy_release, "POST", 200),
    ("/{flow_id}/{run_id}/resume", legacy_resume, "POST", 200),
    ("/{flow_id}/{run_id}/log", legacy_log, "GET", 200),
):
    router.add_api_route(_path, _endpoint, methods=[_method], status_code=_status)
