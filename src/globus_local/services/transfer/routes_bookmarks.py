"""Bookmarks (§1.7): a user's named (endpoint, path) pairs."""

from __future__ import annotations

import typing as t

from fastapi import Body, Request

from globus_local.kit.router import ServiceRouter
from globus_local.kit.session import DbSession
from globus_local.services.transfer import bookmarks
from globus_local.services.transfer.auth import TransferAuth
from globus_local.services.transfer.documents import bookmark_doc, result_doc

router = ServiceRouter()

JsonBody = t.Annotated[dict[str, t.Any], Body()]


@router.get("/bookmark_list")
def bookmark_list(db: DbSession, ctx: TransferAuth) -> dict[str, t.Any]:
    found = bookmarks.list_bookmarks(db, ctx)
    return {"DATA_TYPE": "bookmark_list", "DATA": [bookmark_doc(b) for b in found]}


@router.post("/bookmark")
def create_bookmark(body: JsonBody, db: DbSession, ctx: TransferAuth) -> dict[str, t.Any]:
    return bookmark_doc(bookmarks.create_bookmark(db, ctx, body))


@router.get("/bookmark/{bookmark_id}")
def get_bookmark(bookmark_id: str, db: DbSession, ctx: TransferAuth) -> dict[str, t.Any]:
    return bookmark_doc(bookmarks.get_bookmark(db, ctx, bookmark_id))


@router.put("/bookmark/{bookmark_id}")
def update_bookmark(
    bookmark_id: str, body: JsonBody, db: DbSession, ctx: TransferAuth
) -> dict[str, t.Any]:
    return bookmark_doc(bookmarks.update_bookmark(db, ctx, bookmark_id, body))


@router.delete("/bookmark/{bookmark_id}")
def delete_bookmark(
    request: Request, bookmark_id: str, db: DbSession, ctx: TransferAuth
) -> dict[str, t.Any]:
    bookmarks.delete_bookmark(db, ctx, bookmark_id)
    return result_doc(request, "Deleted", f"Bookmark '{bookmark_id}' deleted successfully")
