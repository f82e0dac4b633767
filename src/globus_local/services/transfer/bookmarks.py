"""Bookmarks (§1.7): a user's named (endpoint, path) pairs, names unique per user."""

from __future__ import annotations

import typing as t
import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from globus_local.db import utcnow
from globus_local.kit.errors import BadRequest, Conflict, NotFound
from globus_local.kit.params import parse_bool
from globus_local.kit.tokens import AuthContext
from globus_local.services.transfer import access
from globus_local.services.transfer.endpoints import required_text
from globus_local.services.transfer.models_endpoints import Bookmark
from globus_local.storage import StorageError, normalize


def _path(value: t.Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise BadRequest("A bookmark needs a path")
    try:
        normalize(value)
    except StorageError as exc:
        raise BadRequest(f"Invalid path: {exc.message}") from None
    return value


def _name(value: t.Any) -> str:
    return required_text(value, Bookmark.name, "name", "A bookmark needs a name")


def _check_name_free(
    session: Session, ctx: AuthContext, name: str, exclude: str | None = None
) -> None:
    clash = session.scalar(
        select(Bookmark).where(Bookmark.owner_id.in_(access.identities(ctx)), Bookmark.name == name)
    )
    if clash is not None and clash.id != exclude:
        raise Conflict(f"A bookmark named '{name}' already exists", code="Exists")


def list_bookmarks(session: Session, ctx: AuthContext) -> list[Bookmark]:
    return list(
        session.scalars(
            select(Bookmark)
            .where(Bookmark.owner_id.in_(access.identities(ctx)))
            .order_by(Bookmark.created, Bookmark.id)
        )
    )


def get_bookmark(session: Session, ctx: AuthContext, bookmark_id: str) -> Bookmark:
    bookmark = session.get(Bookmark, str(bookmark_id))
    if bookmark is None or bookmark.owner_id not in access.identities(ctx):
        raise NotFound(f"Bookmark '{bookmark_id}' not found", code="BookmarkNotFound")
    return bookmark


def create_bookmark(session: Session, ctx: AuthContext, data: dict[str, t.Any]) -> Bookmark:
    """A new bookmark on an endpoint the caller can see."""
    name = _name(data.get("name"))
    path = _path(data.get("path"))
    endpoint_id = data.get("endpoint_id")
    if not endpoint_id:
        raise BadRequest("A bookmark needs an endpoint_id")
    endpoint = access.endpoint_for(session, ctx, str(endpoint_id), need="read")
    _check_name_free(session, ctx, name)
    bookmark = Bookmark(
        id=str(uuid.uuid4()),
        owner_id=ctx.identity_id,
        name=name,
        endpoint_id=endpoint.id,
        path=path,
        pinned=parse_bool(data.get("pinned", False), "pinned"),
        created=utcnow(),
    )
    session.add(bookmark)
    session.flush()
    return bookmark


def update_bookmark(
    session: Session, ctx: AuthContext, bookmark_id: str, data: dict[str, t.Any]
) -> Bookmark:
    """Rename or (un)pin a bookmark; its endpoint and path cannot change."""
    bookmark = get_bookmark(session, ctx, bookmark_id)
    if "name" in data:
        name = _name(data["name"])
        _check_name_free(session, ctx, name, exclude=bookmark.id)
        bookmark.name = name
    if "pinned" in data:
        bookmark.pinned = parse_bool(data["pinned"], "pinned")
    for key in ("endpoint_id", "path"):
        if key in data and data[key] != getattr(bookmark, key):
            raise BadRequest(f"'{key}' of a bookmark cannot be changed")
    session.flush()
    return bookmark


def delete_bookmark(session: Session, ctx: AuthContext, bookmark_id: str) -> None:
    session.delete(get_bookmark(session, ctx, bookmark_id))
