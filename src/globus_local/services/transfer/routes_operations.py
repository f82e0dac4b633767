"""Synchronous file operations (§1.8): ls, mkdir, rename, symlink, stat.

Each checks the endpoint, then the caller's access to every path, then acts through the
endpoint's storage connector (which keeps paths inside the endpoint root).
"""

from __future__ import annotations

import typing as t

from fastapi import Body, Query, Request
from sqlalchemy.orm import Session

from globus_local.kit.errors import ServiceError
from globus_local.kit.router import ServiceRouter
from globus_local.kit.session import DbSession
from globus_local.kit.tokens import AuthContext
from globus_local.services.transfer import access, listing, params, pauses
from globus_local.services.transfer.auth import TransferAuth
from globus_local.services.transfer.documents import file_doc, result_doc
from globus_local.services.transfer.endpoints import bad_request, parse_bool
from globus_local.services.transfer.models_endpoints import Endpoint
from globus_local.storage import StorageConnector, StorageError, normalize
from globus_local.storage import paths as storage_paths

router = ServiceRouter()

JsonBody = t.Annotated[dict[str, t.Any], Body()]


def storage_failure(exc: StorageError, operation: str, path: str | None = None) -> ServiceError:
    """A storage error as Transfer reports it for ``operation`` (ls, mkdir, ...)."""
    where = exc.path or path or ""
    external = {
        "ls": "DirListingFailed",
        "mkdir": "MkdirFailed",
        "rename": "RenameFailed",
        "symlink": "SymlinkFailed",
        "stat": "StatFailed",
    }[operation]
    if exc.code == "PERMISSION_DENIED" and type(exc).__name__ == "PathEscape":
        return ServiceError(403, "PermissionDenied", f"Path '{where}' is outside the endpoint")
    if exc.code == "FILE_NOT_FOUND":
        if operation == "stat":
            return ServiceError(404, "NotFound", f"Path '{where}' not found")
        return ServiceError(404, "ClientError.NotFound", f"Path '{where}' not found")
    if exc.code == "EXISTS":
        if operation == "mkdir":
            return ServiceError(
                502, "ExternalError.MkdirFailed.Exists", f"Path already exists: '{where}'"
            )
        return ServiceError(409, "Exists", f"Path already exists: '{where}'")
    if exc.code == "NOT_A_DIRECTORY":
        return ServiceError(
            502, f"ExternalError.{external}.NotDirectory", f"Not a directory: '{where}'"
        )
    if exc.code == "PERMISSION_DENIED":
        return ServiceError(
            403, f"ExternalError.{external}.PermissionDenied", f"Permission denied: '{where}'"
        )
    if exc.code == "NOT_SUPPORTED":
        return ServiceError(400, "ClientError.NotSupported", exc.message)
    if exc.code in ("INVALID_PATH", "IS_A_DIRECTORY", "DIRECTORY_NOT_EMPTY"):
        return ServiceError(400, "ClientError.BadRequest", f"{exc.message}: '{where}'")
    return ServiceError(502, "EndpointError", f"{operation} failed: {exc.message}")


def _path_or_error(value: t.Any, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise bad_request(f"'{what}' is required")
    return value


def _prepare(
    db: Session, ctx: AuthContext, endpoint_id: str, checks: list[tuple[str, str]], op: str
) -> tuple[Endpoint, StorageConnector, list[str]]:
    """Endpoint, connector and normalised paths after every (path, r|rw) check passes.

    Nothing is written: file operations do not count as use of the endpoint (as in
    Globus Transfer, whose ``recently-used`` endpoints are those of submitted tasks), so an
    ``ls`` or ``stat`` stays a pure read and never waits for SQLite's one writer.

    An endpoint manager's pause rule in force on the endpoint (or on its host endpoint)
    refuses ``ls``, ``mkdir`` and ``rename`` for the identities it names (everyone when it
    names none), before any path is looked at. ``symlink`` and ``stat`` are never paused:
    the pause rule document (rest-api.md §1.10) has flags for ls, mkdir and rename only,
    and creating a link is neither making a directory nor renaming.
    """
    endpoint = access.endpoint_for(db, ctx, endpoint_id, need="read")
    pauses.check_operation(db, ctx, endpoint, op)
    normalized: list[str] = []
    for path, need in checks:
        try:
            rel = normalize(path)
        except StorageError as exc:
            raise storage_failure(exc, op, path)
        access.check_path_access(db, ctx, endpoint, rel, t.cast(t.Literal["r", "rw"], need))
        normalized.append(rel)
    try:
        connector = access.connector_for_endpoint(endpoint)
    except StorageError as exc:
        raise ServiceError(502, "EndpointError", f"Endpoint storage unavailable: {exc.message}")
    return endpoint, connector, normalized


def _dir_display(path: str) -> str:
    return path if path.endswith("/") else path + "/"


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
    predicates = listing.parse_filters(filter or [])
    order_keys = listing.parse_orderby(orderby or [])
    hidden = parse_bool(show_hidden, "show_hidden") if show_hidden not in (None, "") else True
    offset_n = params.query_int(offset, "offset", 0)
    limit_n = None if limit in (None, "") else params.parse_int(limit, "limit")
    endpoint = access.endpoint_for(db, ctx, endpoint_id, need="read")
    requested = path if path not in (None, "") else (endpoint.default_directory or "/~/")
    _, connector, (rel,) = _prepare(db, ctx, endpoint_id, [(requested, "r")], "ls")
    try:
        entries = connector.listdir(rel)
    except StorageError as exc:
        raise storage_failure(exc, "ls", rel)
    docs = [file_doc(e) for e in entries if hidden or not e.name.startswith(".")]
    docs = [d for d in docs if all(p(d) for p in predicates)]
    docs = listing.order(docs, order_keys)
    total = len(docs)
    page = docs[offset_n : offset_n + limit_n if limit_n is not None else None]
    return {
        "DATA_TYPE": "file_list",
        "endpoint": endpoint.id,
        "path": _dir_display(rel),
        "absolute_path": None,
        "length": len(page),
        "total": total,
        "rename_supported": True,
        "symlink_supported": bool(connector.supports_symlinks),
        "DATA": page,
    }


@router.get("/operation/endpoint/{endpoint_id}/stat")
def operation_stat(
    endpoint_id: str,
    db: DbSession,
    ctx: TransferAuth,
    path: str | None = None,
    local_user: str | None = None,
) -> dict[str, t.Any]:
    target = _path_or_error(path, "path")
    _, connector, (rel,) = _prepare(db, ctx, endpoint_id, [(target, "r")], "stat")
    try:
        info = connector.stat(rel)
    except StorageError as exc:
        raise storage_failure(exc, "stat", rel)
    return file_doc(info)


@router.post("/operation/endpoint/{endpoint_id}/mkdir")
def operation_mkdir(
    request: Request, endpoint_id: str, body: JsonBody, db: DbSession, ctx: TransferAuth
) -> dict[str, t.Any]:
    target = _path_or_error(body.get("path"), "path")
    _, connector, (rel,) = _prepare(db, ctx, endpoint_id, [(target, "rw")], "mkdir")
    try:
        connector.mkdir(rel)
    except StorageError as exc:
        raise storage_failure(exc, "mkdir", rel)
    return result_doc(
        request, "DirectoryCreated", "The directory was created successfully", "mkdir_result"
    )


@router.post("/operation/endpoint/{endpoint_id}/rename")
def operation_rename(
    request: Request, endpoint_id: str, body: JsonBody, db: DbSession, ctx: TransferAuth
) -> dict[str, t.Any]:
    old = _path_or_error(body.get("old_path"), "old_path")
    new = _path_or_error(body.get("new_path"), "new_path")
    _, connector, (old_rel, new_rel) = _prepare(
        db, ctx, endpoint_id, [(old, "rw"), (new, "rw")], "rename"
    )
    try:
        connector.rename(old_rel, new_rel)
    except StorageError as exc:
        raise storage_failure(exc, "rename", old_rel)
    return result_doc(request, "FileRenamed", "File or directory renamed successfully")


@router.post("/operation/endpoint/{endpoint_id}/symlink")
def operation_symlink(
    request: Request, endpoint_id: str, body: JsonBody, db: DbSession, ctx: TransferAuth
) -> dict[str, t.Any]:
    # Not refused by pause rules: the pause rule document (rest-api.md §1.10) has no flag
    # for symlinks, and pause_mkdir / pause_rename name other operations (see _prepare).
    link = _path_or_error(body.get("path"), "path")
    target = _path_or_error(body.get("symlink_target"), "symlink_target")
    if not target.startswith(("/", "~")):
        # A relative target is relative to the link's directory.
        try:
            target = storage_paths.parent(link) + "/" + target
        except StorageError as exc:
            raise storage_failure(exc, "symlink", link)
    _, connector, (link_rel, target_rel) = _prepare(
        db, ctx, endpoint_id, [(link, "rw"), (target, "r")], "symlink"
    )
    try:
        connector.symlink(target_rel, link_rel)
    except StorageError as exc:
        raise storage_failure(exc, "symlink", link_rel)
    return result_doc(request, "SymlinkCreated", "Symlink created successfully", "symlink_result")
