"""Search API v1 routes (paths as the SDK and CLI call them): each parses its request and
calls the module that answers it."""

from __future__ import annotations

import typing as t

from fastapi import Body, Depends, Request

from globus_local.kit.params import parse_bool, parse_csv
from globus_local.kit.router import ServiceRouter
from globus_local.kit.session import DbSession as AuthDb
from globus_local.kit.tokens import AuthContext
from globus_local.services.search import access, entries, indices, roles, task_status, writes
from globus_local.services.search.access import caller_for
from globus_local.services.search.errors import validation_error
from globus_local.services.search.shape import check_scalar

router = ServiceRouter()

JsonBody = t.Annotated[t.Any, Body()]
ReadCtx = t.Annotated[AuthContext | None, access.optional_read]
WriteCtx = t.Annotated[AuthContext, Depends(access.require_write)]
ManageCtx = t.Annotated[AuthContext, Depends(access.require_manage)]
AnyCtx = t.Annotated[AuthContext, Depends(access.require_read)]


async def _raw_body(request: Request) -> bytes:
    """The body as sent (already read, to parse it): its size is what the limit is about."""
    return await request.body()


RawBody = t.Annotated[bytes, Depends(_raw_body)]


def _subject_param(request: Request) -> str:
    subject = request.query_params.get("subject")
    if subject is None:
        raise validation_error("Missing data for required field.", "subject")
    check_scalar(subject, "subject")
    return subject


def _entry_id_param(request: Request) -> str | None:
    entry_id = request.query_params.get("entry_id")
    check_scalar(entry_id, "entry_id")
    return entry_id


def _bypass_param(request: Request) -> bool:
    return parse_bool(request.query_params.get("bypass_visible_to", "false"), "bypass_visible_to")


# -- indices ----------------------------------------------------------------------------------


@router.post("/v1/index")
@router.post("/beta/index", include_in_schema=False)
def create_index(db: AuthDb, ctx: ManageCtx, body: JsonBody) -> dict[str, t.Any]:
    return indices.create_index(db, ctx.identity_id, body)


@router.get("/v1/index_list")
def index_list(request: Request, db: AuthDb, ctx: AnyCtx) -> dict[str, t.Any]:
    raw = request.query_params.getlist("filter_roles")
    wanted = {role for value in raw for role in parse_csv(value)}
    return {"index_list": indices.list_indices(db, caller_for(db, ctx), wanted)}


@router.get("/v1/index/{index_id}")
def get_index_route(index_id: str, db: AuthDb, ctx: ReadCtx) -> dict[str, t.Any]:
    return indices.show_index(db, index_id, caller_for(db, ctx))


@router.patch("/v1/index/{index_id}")
def update_index(index_id: str, db: AuthDb, ctx: ManageCtx, body: JsonBody) -> dict[str, t.Any]:
    return indices.update_index(db, index_id, caller_for(db, ctx), body)


@router.delete("/v1/index/{index_id}")
def delete_index(index_id: str, db: AuthDb, ctx: ManageCtx) -> dict[str, t.Any]:
    return indices.delete_index(db, index_id, caller_for(db, ctx))


@router.post("/v1/index/{index_id}/reopen")
def reopen_index(index_id: str, db: AuthDb, ctx: ManageCtx) -> dict[str, t.Any]:
    return indices.reopen_index(db, index_id, caller_for(db, ctx))


# -- roles ------------------------------------------------------------------------------------


@router.get("/v1/index/{index_id}/role_list")
def role_list(index_id: str, db: AuthDb, ctx: AnyCtx) -> dict[str, t.Any]:
    return roles.list_roles(db, index_id, caller_for(db, ctx))


@router.post("/v1/index/{index_id}/role")
def create_role(index_id: str, db: AuthDb, ctx: ManageCtx, body: JsonBody) -> dict[str, t.Any]:
    return roles.create_role(db, index_id, caller_for(db, ctx), body)


@router.delete("/v1/index/{index_id}/role/{role_id}")
def delete_role(index_id: str, role_id: str, db: AuthDb, ctx: ManageCtx) -> dict[str, t.Any]:
    return roles.delete_role(db, index_id, role_id, caller_for(db, ctx))


# -- search -----------------------------------------------------------------------------------


@router.get("/v1/index/{index_id}/search")
def search_get(index_id: str, request: Request, db: AuthDb, ctx: ReadCtx) -> dict[str, t.Any]:
    params = request.query_params
    if "q" not in params:
        raise validation_error("Missing data for required field.", "q")
    body: dict[str, t.Any] = {"q": params["q"]}
    for key in ("limit", "offset", "advanced", "bypass_visible_to"):
        if key in params:
            body[key] = params[key]
    return entries.search(db, request.app.state.db, index_id, caller_for(db, ctx), body)


@router.post("/v1/index/{index_id}/search")
def search_post(
    index_id: str, request: Request, db: AuthDb, ctx: ReadCtx, body: JsonBody
) -> dict[str, t.Any]:
    return entries.search(db, request.app.state.db, index_id, caller_for(db, ctx), body)


@router.post("/v1/index/{index_id}/scroll")
def scroll(
    index_id: str, request: Request, db: AuthDb, ctx: ReadCtx, body: JsonBody
) -> dict[str, t.Any]:
    return entries.scroll(db, request.app.state.db, index_id, caller_for(db, ctx), body)


# -- writes -----------------------------------------------------------------------------------


@router.post("/v1/index/{index_id}/ingest")
def ingest(
    index_id: str, db: AuthDb, ctx: WriteCtx, body: JsonBody, raw: RawBody
) -> dict[str, t.Any]:
    return writes.ingest(db, index_id, caller_for(db, ctx), body, len(raw))


@router.post("/v1/index/{index_id}/delete_by_query")
def delete_by_query(index_id: str, db: AuthDb, ctx: WriteCtx, body: JsonBody) -> dict[str, t.Any]:
    return writes.delete_by_query(db, index_id, caller_for(db, ctx), body)


@router.post("/v1/index/{index_id}/batch_delete_by_subject")
def batch_delete_by_subject(
    index_id: str, db: AuthDb, ctx: WriteCtx, body: JsonBody
) -> dict[str, t.Any]:
    return writes.delete_subjects(db, index_id, caller_for(db, ctx), body)


@router.post("/v1/index/{index_id}/entry")
@router.put("/v1/index/{index_id}/entry")
def put_entry(
    index_id: str, db: AuthDb, ctx: WriteCtx, body: JsonBody, raw: RawBody
) -> dict[str, t.Any]:
    return writes.put_entry(db, index_id, caller_for(db, ctx), body, len(raw))


# -- entries ----------------------------------------------------------------------------------


@router.get("/v1/index/{index_id}/subject")
def get_subject(index_id: str, request: Request, db: AuthDb, ctx: ReadCtx) -> dict[str, t.Any]:
    subject = _subject_param(request)
    bypass = _bypass_param(request)
    return entries.get_subject(db, index_id, subject, caller_for(db, ctx), bypass)


@router.get("/v1/index/{index_id}/entry")
def get_entry(index_id: str, request: Request, db: AuthDb, ctx: ReadCtx) -> dict[str, t.Any]:
    entry_id = _entry_id_param(request)
    subject = _subject_param(request)
    bypass = _bypass_param(request)
    return entries.get_entry(db, index_id, subject, entry_id, caller_for(db, ctx), bypass)


@router.delete("/v1/index/{index_id}/subject")
def delete_subject(index_id: str, request: Request, db: AuthDb, ctx: WriteCtx) -> dict[str, t.Any]:
    caller = caller_for(db, ctx)
    return writes.delete_subject(db, index_id, caller, _subject_param(request))


@router.delete("/v1/index/{index_id}/entry")
def delete_entry(index_id: str, request: Request, db: AuthDb, ctx: WriteCtx) -> dict[str, t.Any]:
    caller = caller_for(db, ctx)
    subject = _subject_param(request)
    entry_id = _entry_id_param(request)
    return writes.delete_entry(db, index_id, caller, subject, entry_id)


# -- tasks ------------------------------------------------------------------------------------


@router.get("/v1/task/{task_id}")
def get_task(task_id: str, db: AuthDb, ctx: AnyCtx) -> dict[str, t.Any]:
    return task_status.get_task(db, task_id, caller_for(db, ctx))


@router.get("/v1/task_list/{index_id}")
def task_list(index_id: str, db: AuthDb, ctx: AnyCtx) -> dict[str, t.Any]:
    return task_status.list_tasks(db, index_id, caller_for(db, ctx))
