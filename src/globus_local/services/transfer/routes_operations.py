"""Synchronous file operations (§1.8): ls, mkdir, rename, symlink, stat. Each parses its
request and calls :mod:`.operations`."""

from __future__ import annotations

import typing as t

from fastapi import Body, Query, Request

from globus_local.kit.params import query_bool, query_int
from globus_local.kit.router import ServiceRouter
from globus_local.kit.session import DbSession
from globus_local.services.transfer import operations
from globus_local.services.transfer.auth import TransferAuth
from globus_local.services.transfer.documents import result_doc

router = ServiceRouter()

JsonBody = t.Annotated[dict[str, t.Any], Body()]


@router.get("/operation/endpoint/{endpoint_id}/ls")
def operation_ls(
    endpoint_id: str,
    db: DbSession,
    ctx: TransferAuth,
    path: str | None = None,
    show_hidden: str | None = None,
    orderby: t.Annotated[list[str] | None, Query()] = None,
    filter: t.Annotated[list[str] | None, Query()] = None,  # noqa: A002 - the API's name
    limit: str | None = None,
    offset: str | None = None,
    local_user: str | None = None,
) -> dict[str, t.Any]:
    hidden = query_bool(show_hidden, "show_hidden")
    return operations.ls(
        db,
        ctx,
        endpoint_id,
        path,
        show_hidden=True if hidden is None else hidden,
        filters=filter or [],
        orderby=orderby or [],
        offset=query_int(offset, "offset", 0),
        limit=None if limit in (None, "") else query_int(limit, "limit", 0),
    )


@router.get("/operation/endpoint/{endpoint_id}/stat")
def operation_stat(
    endpoint_id: str,
    db: DbSession,
    ctx: TransferAuth,
    path: str | None = None,
    local_user: str | None = None,
) -> dict[str, t.Any]:
    return operations.stat(db, ctx, endpoint_id, path)


@router.post("/operation/endpoint/{endpoint_id}/mkdir")
def operation_mkdir(
    request: Request, endpoint_id: str, body: JsonBody, db: DbSession, ctx: TransferAuth
) -> dict[str, t.Any]:
    operations.mkdir(db, ctx, endpoint_id, body.get("path"))
    return result_doc(
        request, "DirectoryCreated", "The directory was created successfully", "mkdir_result"
    )


@router.post("/operation/endpoint/{endpoint_id}/rename")
def operation_rename(
    request: Request, endpoint_id: str, body: JsonBody, db: DbSession, ctx: TransferAuth
) -> dict[str, t.Any]:
    operations.rename(db, ctx, endpoint_id, body.get("old_path"), body.get("new_path"))
    return result_doc(request, "FileRenamed", "File or directory renamed successfully")


@router.post("/operation/endpoint/{endpoint_id}/symlink")
def operation_symlink(
    request: Request, endpoint_id: str, body: JsonBody, db: DbSession, ctx: TransferAuth
) -> dict[str, t.Any]:
    operations.symlink(db, ctx, endpoint_id, body.get("path"), body.get("symlink_target"))
    return result_doc(request, "SymlinkCreated", "Symlink created successfully", "symlink_result")
