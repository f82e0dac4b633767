"""File Manager: two panes, each a collection and a folder, to browse, change and transfer
between. Every action is a Transfer API call as the user: ``ls``, ``mkdir``, ``rename``, a
delete task, a transfer task, and the HTTPS file route for downloads and uploads."""

from __future__ import annotations

import typing as t
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
from markupsafe import escape
from starlette.datastructures import UploadFile

from globus_local.webapp import file_manager_stream as stream
from globus_local.webapp import pages
from globus_local.webapp.file_manager_view import (
    SIDES,
    SORT_FIELDS,
    Pane,
    State,
    back_url,
    browse,
    join,
    other,
    pick,
    valid_name,
)
from globus_local.webapp.pages import User
from globus_local.webapp.platform_api import ApiError
from globus_local.webapp.session import WebSession

router = APIRouter(prefix="/app", include_in_schema=False)

TRANSFER_PREFIX = "/transfer/v0.10"
SYNC_LEVELS = ("exists", "size", "mtime", "checksum")
UPLOAD_CHUNK_BYTES = 1024 * 1024
# Response headers of a download passed on from the HTTPS route.
PASSED_HEADERS = ("content-type", "content-length", "content-disposition", "last-modified")


@router.get("/file-manager", response_class=HTMLResponse)
async def file_manager(request: Request, user: User) -> HTMLResponse:
    state = State.from_query(request.query_params)
    calls = pages.services(request, user)
    panes = [Pane(side, state) for side in SIDES]
    bookmarks: list[dict[str, t.Any]] | None = None
    for pane in panes:
        if pane.endpoint_id:
            await browse(calls, pane)
            continue
        if bookmarks is None:
            try:
                bookmarks = (await calls.get("transfer", "/bookmark_list")).get("DATA", [])
            except ApiError:
                bookmarks = []
        await pick(calls, pane, bookmarks)
    task = request.query_params.get("task", "")
    return pages.render(
        request,
        "file_manager.html",
        user,
        section="file-manager",
        title="File Manager",
        state=state,
        panes=panes,
        sort_fields=SORT_FIELDS,
        sync_levels=SYNC_LEVELS,
        task=task if _looks_like_id(task) else "",
        task_kind=request.query_params.get("task_kind", "transfer"),
        back=state.url(),
    )


@router.get("/file-manager/task-status")
async def task_status(request: Request, user: User, task: str = "", back: str = "") -> JSONResponse:
    """The submitted task's status line, for the notice to follow live (``final`` once it
    has ended: then the listing may be refreshed to show its result)."""
    try:
        doc = await pages.services(request, user).get("transfer", f"/task/{quote(task, safe='')}")
    except ApiError as err:
        if err.status == 401:
            raise
        return JSONResponse({"html": str(escape(pages.error_message(err))), "final": True})
    html = pages.templates.get_template("file_manager_task.html").render(
        task=doc, back=back_url(back)
    )
    final = doc.get("status") != "ACTIVE"
    return JSONResponse({"html": html, "final": final}, headers={"Cache-Control": "no-store"})


def _looks_like_id(value: str) -> bool:
    return 0 < len(value) <= 64 and all(c.isalnum() or c == "-" for c in value)


def _side(value: str | None) -> str:
    return value if value in SIDES else "origin"


async def _selection(request: Request, side: str) -> list[tuple[str, str]]:
    """The (type, name) items ticked in ``side``'s pane."""
    form = await request.form()
    items = []
    for raw in form.getlist(f"{side}_item"):
        kind, _, name = str(raw).partition(":")
        if kind in ("dir", "file") and valid_name(name):
            items.append((kind, name))
    return items


@router.post("/file-manager/mkdir")
async def make_folder(request: Request, user: User) -> Response:
    fields = await pages.checked_form(request, user)
    back = fields.get("back")
    name = fields.get("name", "").strip()
    if not valid_name(name):
        return pages.redirect(request, back_url(back), ("error", "Give the new folder a name"))
    try:
        await pages.services(request, user).post(
            "transfer",
            f"/operation/endpoint/{quote(fields.get('endpoint_id', ''), safe='')}/mkdir",
            {"DATA_TYPE": "mkdir", "path": join(fields.get("path", "/"), name)},
        )
    except ApiError as err:
        return pages.redirect(request, back_url(back), ("error", pages.error_message(err)))
    return pages.redirect(request, back_url(back), ("ok", f"Folder “{name}” created"))


@router.post("/file-manager/rename")
async def rename(request: Request, user: User) -> Response:
    fields = await pages.checked_form(request, user)
    back = fields.get("back")
    old, new = fields.get("old_name", ""), fields.get("new_name", "").strip()
    if not valid_name(old) or not valid_name(new):
        return pages.redirect(
            request, back_url(back), ("error", "Choose an item and give its new name")
        )
    folder = fields.get("path", "/")
    try:
        await pages.services(request, user).post(
            "transfer",
            f"/operation/endpoint/{quote(fields.get('endpoint_id', ''), safe='')}/rename",
            {"DATA_TYPE": "rename", "old_path": join(folder, old), "new_path": join(folder, new)},
        )
    except ApiError as err:
        return pages.redirect(request, back_url(back), ("error", pages.error_message(err)))
    return pages.redirect(request, back_url(back), ("ok", f"Renamed “{old}” to “{new}”"))


@router.post("/file-manager/delete")
async def delete(request: Request, user: User) -> Response:
    """Selected items of one pane go to a Transfer delete task."""
    fields = await pages.checked_form(request, user)
    back = fields.get("back")
    side = _side(fields.get("side"))
    items = await _selection(request, side)
    if not items:
        return pages.redirect(request, back_url(back), ("error", "Select the items to delete"))
    folder = fields.get(f"{side}_path") or "/"
    calls = pages.services(request, user)
    try:
        submission = await calls.get("transfer", "/submission_id")
        result = await calls.post(
            "transfer",
            "/delete",
            {
                "DATA_TYPE": "delete",
                "submission_id": submission["value"],
                "endpoint": fields.get(f"{side}_id", ""),
                "recursive": any(kind == "dir" for kind, _ in items),
                "label": "Deleted in the File Manager",
                "DATA": [
                    {"DATA_TYPE": "delete_item", "path": join(folder, name)} for _, name in items
                ],
            },
        )
    except ApiError as err:
        return pages.redirect(request, back_url(back), ("error", pages.error_message(err)))
    return pages.redirect(request, back_url(back, task=str(result["task_id"]), task_kind="delete"))


def _transfer_document(
    fields: dict[str, str], source: str, items: list[tuple[str, str]], submission_id: str
) -> dict[str, t.Any]:
    target = other(source)
    source_folder = fields.get(f"{source}_path") or "/"
    target_folder = fields.get(f"{target}_path") or "/"
    document: dict[str, t.Any] = {
        "DATA_TYPE": "transfer",
        "submission_id": submission_id,
        "source_endpoint": fields.get(f"{source}_id", ""),
        "destination_endpoint": fields.get(f"{target}_id", ""),
        "verify_checksum": fields.get("verify_checksum") == "on",
        "preserve_timestamp": fields.get("preserve_timestamp") == "on",
        "delete_destination_extra": fields.get("delete_destination_extra") == "on",
        "DATA": [
            {
                "DATA_TYPE": "transfer_item",
                "source_path": join(source_folder, name) + ("/" if kind == "dir" else ""),
                "destination_path": join(target_folder, name) + ("/" if kind == "dir" else ""),
                "recursive": kind == "dir",
            }
            for kind, name in items
        ],
    }
    if fields.get("label", "").strip():
        document["label"] = fields["label"].strip()
    if fields.get("sync_level") in SYNC_LEVELS:
        document["sync_level"] = fields["sync_level"]
    return document


@router.post("/file-manager/transfer")
async def transfer(request: Request, user: User) -> Response:
    """Selected items of one pane go to the other pane's folder in a Transfer task."""
    fields = await pages.checked_form(request, user)
    back = fields.get("back")
    source = _side(fields.get("direction"))
    if not (fields.get("origin_id") and fields.get("destination_id")):
        return pages.redirect(
            request, back_url(back), ("error", "Choose a collection in both panes first")
        )
    items = await _selection(request, source)
    if not items:
        where = "left" if source == "origin" else "right"
        return pages.redirect(
            request, back_url(back), ("error", f"Select files or folders in the {where} pane")
        )
    calls = pages.services(request, user)
    try:
        submission = await calls.get("transfer", "/submission_id")
        result = await calls.post(
            "transfer", "/transfer", _transfer_document(fields, source, items, submission["value"])
        )
    except ApiError as err:
        return pages.redirect(request, back_url(back), ("error", pages.error_message(err)))
    return pages.redirect(
        request, back_url(back, task=str(result["task_id"]), task_kind="transfer")
    )


def _https_path(endpoint_id: str, path: str) -> str:
    return f"{TRANSFER_PREFIX}/https/{endpoint_id}/{path.lstrip('/')}"


def _transfer_token(user: WebSession) -> str | None:
    return user.token(pages.RESOURCE_SERVERS["transfer"])


@router.get("/file-manager/download")
async def download(request: Request, user: User, endpoint_id: str = "", path: str = "") -> Response:
    """The file, passed on from the HTTPS file route a chunk at a time."""
    if not endpoint_id or not path or "/" in endpoint_id:
        return pages.render(
            request,
            "error.html",
            user,
            status=400,
            section="file-manager",
            title="Nothing to download",
            message="Choose a file in the File Manager to download it.",
        )
    answer = await stream.get(
        pages.api(request),
        _https_path(endpoint_id, path),
        _transfer_token(user),
        {"download": ""},
    )
    headers = {k: v for k, v in answer.headers.items() if k in PASSED_HEADERS}
    headers.update({k: v for k, v in pages.SECURITY_HEADERS.items()})
    return StreamingResponse(answer.body(), status_code=answer.status, headers=headers)


async def _chunks(upload: UploadFile) -> t.AsyncIterator[bytes]:
    while chunk := await upload.read(UPLOAD_CHUNK_BYTES):
        yield chunk


@router.post("/file-manager/upload")
async def upload(request: Request, user: User) -> Response:
    """Files chosen in the browser, each sent to the HTTPS file route as it is read."""
    fields = await pages.checked_form(request, user)
    back = fields.get("back")
    form = await request.form()
    files = [f for f in form.getlist("files") if isinstance(f, UploadFile) and f.filename]
    if not files:
        return pages.redirect(request, back_url(back), ("error", "Choose the files to upload"))
    endpoint_id, folder = fields.get("endpoint_id", ""), fields.get("path") or "/"
    done: list[str] = []
    for chosen in files:
        name = (chosen.filename or "").replace("\\", "/").rsplit("/", 1)[-1]
        if not valid_name(name) or "/" in endpoint_id or not endpoint_id:
            return pages.redirect(request, back_url(back), ("error", f"Cannot upload “{name}”"))
        try:
            await stream.put(
                pages.api(request),
                _https_path(endpoint_id, join(folder, name)),
                _transfer_token(user),
                _chunks(chosen),
                chosen.size,
            )
        except ApiError as err:
            message = f"“{name}” was not uploaded: {pages.error_message(err)}"
            return pages.redirect(request, back_url(back), ("error", message))
        done.append(name)
    what = f"“{done[0]}”" if len(done) == 1 else f"{len(done)} files"
    return pages.redirect(request, back_url(back), ("ok", f"Uploaded {what}"))
