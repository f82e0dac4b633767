"""Bookmarks (§1.7): a user's named (endpoint, path) pairs."""

from __future__ import annotations

import typing as t
import uuid

from fastapi import Body, Request
from sqlalchemy import select

from globus_local.db import utcnow
from globus_local.kit.router import ServiceRouter
from globus_local.kit.session import DbSession
from globus_local.services.transfer import access, endpoints
from globus_local.services.transfer.auth import TransferAuth
from globus_local.services.transfer.documents import bookmark_doc, result_doc
from globus_local.services.transfer.models_endpoints import Bookmark

router = ServiceRouter()

JsonBody = t.Annotated[dict[str, t.Any], Body()]


@router.get("/bookmark_list")
def bookmark_list(db: DbSession, ctx: TransferAuth) -> dict[str, t.Any]:
    rows = db.scalars(
        select(Bookmark)
        .where(Bookmark.owner_id.in_(list(ctx.identity_set or (ctx.identity_id,))))
        .order_by(Bookmark.created, Bookmark.id)
    )
    return {"DATA_TYPE": "bookmark_list", "DATA": [bookmark_doc(b) for b in rows]}


@router.post("/bookmark")
def create_bookmark(body: JsonBody, db: DbSession, ctx: TransferAuth) -> dict[str, t.Any]:
    name = endpoints.bookmark_name(body.get("name"))
    path = endpoints.bookmark_path(body.get("path"))
    endpoint_id = body.get("endpoint_id")
    if not endpoint_id:
        raise endpoints.bad_request("A bookmark needs an endpoint_id")
    endpoint = access.endpoint_for(db, ctx, str(endpoint_id), need="read")
    endpoints.check_bookmark_name_free(db, ctx, name)
    bookmark = Bookmark(
        id=str(uuid.uuid4()),
        owner_id=ctx.identity_id,
        name=name,
        endpoint_id=endpoint.id,
        path=path,
        pinned=endpoints.parse_bool(body.get("pinned", False), "pinned"),
        created=utcnow(),
    )
    db.add(bookmark)
    db.flush()
    return bookmark_doc(bookmark)


@router.get("/bookmark/{bookmark_id}")
def get_bookmark(bookmark_id: str, db: DbSession, ctx: TransferAuth) -> dict[str, t.Any]:
    return bookmark_doc(endpoints.get_bookmark(db, ctx, bookmark_id))


@router.put("/bookmark/{bookmark_id}")
def update_bookmark(
    bookmark_id: str, body: JsonBody, db: DbSession, ctx: TransferAuth
) -> dict[str, t.Any]:
    bookmark = endpoints.get_bookmark(db, ctx, bookmark_id)
    if "name" in body:
        name = endpoints.bookmark_name(body["name"])
        endpoints.check_bookmark_name_free(db, ctx, name, exclude=bookmark.id)
        bookmark.name = name
    if "pinned" in body:
        bookmark.pinned = endpoints.parse_bool(body["pinned"], "pinned")
    for key in ("endpoint_id", "path"):
        if key in body and body[key] != getattr(bookmark, key):
            raise endpoints.bad_request(f"'{key}' of a bookmark cannot be changed")
    db.flush()
    return bookmark_doc(bookmark)


@router.delete("/bookmark/{bookmark_id}")
def delete_bookmark(
    request: Request, bookmark_id: str, db: DbSession, ctx: TransferAuth
) -> dict[str, t.Any]:
    bookmark = endpoints.get_bookmark(db, ctx, bookmark_id)
    db.delete(bookmark)
    return result_doc(request, "Deleted", f"Bookmark '{bookmark_id}' deleted successfully")
