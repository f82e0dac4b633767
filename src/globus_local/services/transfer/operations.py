"""Synchronous file operations (§1.8): ls, stat, mkdir, rename, symlink.

Each checks the endpoint, then the caller's access to every path, then acts through the
endpoint's storage connector (which keeps paths inside the endpoint root). A storage
failure becomes the error Transfer answers for that operation.
"""

from __future__ import annotations

import typing as t

from sqlalchemy.orm import Session

from globus_local.kit.errors import BadRequest, Conflict, Forbidden, NotFound, ServiceError
from globus_local.kit.tokens import AuthContext
from globus_local.services.transfer import access, listing, pauses
from globus_local.services.transfer.documents import file_doc
from globus_local.services.transfer.models_endpoints import Endpoint
from globus_local.storage import StorageConnector, StorageError, normalize
from globus_local.storage import paths as storage_paths


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
        return Forbidden(f"Path '{where}' is outside the endpoint", code="PermissionDenied")
    if exc.code == "FILE_NOT_FOUND":
        # Transfer answers a missing stat path with a plain ``NotFound``.
        code = "NotFound" if operation == "stat" else "ClientError.NotFound"
        return NotFound(f"Path '{where}' not found", code=code)
    if exc.code == "EXISTS":
        if operation == "mkdir":
            return ServiceError(
                502, "ExternalError.MkdirFailed.Exists", f"Path already exists: '{where}'"
            )
        return Conflict(f"Path already exists: '{where}'", code="Exists")
    if exc.code == "NOT_A_DIRECTORY":
        return ServiceError(
            502, f"ExternalError.{external}.NotDirectory", f"Not a directory: '{where}'"
        )
    if exc.code == "PERMISSION_DENIED":
        return Forbidden(
            f"Permission denied: '{where}'", code=f"ExternalError.{external}.PermissionDenied"
        )
    if exc.code == "NOT_SUPPORTED":
        return BadRequest(exc.message, code="ClientError.NotSupported")
    if exc.code in ("INVALID_PATH", "IS_A_DIRECTORY", "DIRECTORY_NOT_EMPTY"):
        return BadRequest(f"{exc.message}: '{where}'")
    return ServiceError(502, "EndpointError", f"{operation} failed: {exc.message}")


def required_path(value: t.Any, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise BadRequest(f"'{what}' is required")
    return value


def prepare(
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
            raise storage_failure(exc, op, path) from None
        access.check_path_access(db, ctx, endpoint, rel, t.cast(t.Literal["r", "rw"], need))
        normalized.append(rel)
    try:
        connector = access.connector_for_endpoint(endpoint)
    except StorageError as exc:
        raise ServiceError(
            502, "EndpointError", f"Endpoint storage unavailable: {exc.message}"
        ) from None
    return endpoint, connector, normalized


def _dir_display(path: str) -> str:
    return path if path.endswith("/") else path + "/"


def ls(
    db: Session,
    ctx: AuthContext,
    endpoint_id: str,
    path: str | None,
    *,
    show_hidden: bool,
    filters: list[str],
    orderby: list[str],
    offset: int,
    limit: int | None,
) -> dict[str, t.Any]:
    """A directory's ``file_list`` (the endpoint's default directory when no path is given),
    filtered, ordered and sliced."""
    predicates = listing.parse_filters(filters)
    order_keys = listing.parse_orderby(orderby)
    endpoint = access.endpoint_for(db, ctx, endpoint_id, need="read")
    requested = path if path not in (None, "") else (endpoint.default_directory or "/~/")
    _, connector, (rel,) = prepare(db, ctx, endpoint_id, [(requested, "r")], "ls")
    try:
        entries = connector.listdir(rel)
    except StorageError as exc:
        raise storage_failure(exc, "ls", rel) from None
    docs = [file_doc(e) for e in entries if show_hidden or not e.name.startswith(".")]
    docs = [d for d in docs if all(p(d) for p in predicates)]
    docs = listing.order(docs, order_keys)
    page = docs[offset : offset + limit if limit is not None else None]
    return {
        "DATA_TYPE": "file_list",
        "endpoint": endpoint.id,
        "path": _dir_display(rel),
        "absolute_path": None,
        "length": len(page),
        "total": len(docs),
        "rename_supported": True,
        "symlink_supported": bool(connector.supports_symlinks),
        "DATA": page,
    }


def stat(db: Session, ctx: AuthContext, endpoint_id: str, path: t.Any) -> dict[str, t.Any]:
    target = required_path(path, "path")
    _, connector, (rel,) = prepare(db, ctx, endpoint_id, [(target, "r")], "stat")
    try:
        return file_doc(connector.stat(rel))
    except StorageError as exc:
        raise storage_failure(exc, "stat", rel) from None


def mkdir(db: Session, ctx: AuthContext, endpoint_id: str, path: t.Any) -> None:
    target = required_path(path, "path")
    _, connector, (rel,) = prepare(db, ctx, endpoint_id, [(target, "rw")], "mkdir")
    try:
        connector.mkdir(rel)
    except StorageError as exc:
        raise storage_failure(exc, "mkdir", rel) from None


def rename(db: Session, ctx: AuthContext, endpoint_id: str, old: t.Any, new: t.Any) -> None:
    old_path = required_path(old, "old_path")
    new_path = required_path(new, "new_path")
    _, connector, (old_rel, new_rel) = prepare(
        db, ctx, endpoint_id, [(old_path, "rw"), (new_path, "rw")], "rename"
    )
    try:
        connector.rename(old_rel, new_rel)
    except StorageError as exc:
        raise storage_failure(exc, "rename", old_rel) from None


def symlink(db: Session, ctx: AuthContext, endpoint_id: str, path: t.Any, target: t.Any) -> None:
    """Create a link at ``path`` to ``target`` (relative to the link's directory unless
    absolute). Not refused by pause rules: the pause rule document (rest-api.md §1.10)
    has no flag for symlinks, and pause_mkdir / pause_rename name other operations."""
    link = required_path(path, "path")
    to = required_path(target, "symlink_target")
    if not to.startswith(("/", "~")):
        try:
            to = storage_paths.parent(link) + "/" + to
        except StorageError as exc:
            raise storage_failure(exc, "symlink", link) from None
    _, connector, (link_rel, target_rel) = prepare(
        db, ctx, endpoint_id, [(link, "rw"), (to, "r")], "symlink"
    )
    try:
        connector.symlink(target_rel, link_rel)
    except StorageError as exc:
        raise storage_failure(exc, "symlink", link_rel) from None
