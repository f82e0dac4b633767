"""HTTPS file access: ``GET`` a file of an endpoint, ``PUT`` (or ``POST``) one, as a
collection's HTTPS server serves them. The rules are in :mod:`.https_access`."""

from __future__ import annotations

from email.utils import formatdate
from urllib.parse import quote

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, StreamingResponse

from globus_local.kit.params import query_int
from globus_local.kit.router import ServiceRouter
from globus_local.kit.session import DbSession
from globus_local.services.transfer import https_access
from globus_local.services.transfer.auth import TransferAuth

router = ServiceRouter()

FILE_PATH = "/https/{endpoint_id}/{path:path}"


@router.get(FILE_PATH, response_model=None)
def get_file(
    endpoint_id: str,
    path: str,
    db: DbSession,
    ctx: TransferAuth,
    download: str | None = None,
) -> StreamingResponse:
    """The file's bytes; with ``?download`` the browser is told to save it."""
    found = https_access.open_download(db, ctx, endpoint_id, "/" + path)
    headers = {
        "Content-Length": str(found.size),
        "Last-Modified": formatdate(found.mtime, usegmt=True),
        "Cache-Control": "no-store",
        # a file is data, never a page of this origin: no type sniffing, no scripts
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "sandbox",
    }
    if download is not None:
        headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(found.name)}"
    return StreamingResponse(found.chunks(), media_type=found.media_type, headers=headers)


@router.put(FILE_PATH, response_model=None)
@router.post(FILE_PATH, response_model=None)
async def put_file(
    endpoint_id: str, path: str, request: Request, db: DbSession, ctx: TransferAuth
) -> JSONResponse:
    """Create or replace the file with the request body: 201 when new, 200 when replaced."""
    declared = request.headers.get("content-length")
    size = None if declared is None else query_int(declared, "Content-Length", 0)
    upload = await run_in_threadpool(
        https_access.prepare_upload, db, ctx, endpoint_id, "/" + path, size
    )
    document = await https_access.receive_upload(upload, request.stream())
    return JSONResponse(document, status_code=200 if document["code"] == "Replaced" else 201)
