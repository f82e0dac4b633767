"""Search API v1 routes (paths as the SDK and CLI call them)."""

from __future__ import annotations

import typing as t
import uuid

from fastapi import Body, Depends, Request
from sqlalchemy import func, select

from globus_local.db import utcnow
from globus_local.kit.errors import ServiceError
from globus_local.kit.router import ServiceRouter
from globus_local.kit.session import DbSession as AuthDb
from globus_local.kit.tokens import AuthContext
from globus_local.services.search import access
from globus_local.services.search.access import Caller, caller_for, get_index
from globus_local.services.search.backends import backend_for
from globus_local.services.search.documents import (
    entry_result,
    index_document,
    meta_result,
    role_document,
    task_document,
)
from globus_local.services.search.engine import run_search
from globus_local.services.search.errors import forbidden, not_found, validation_error
from globus_local.services.search.ingest import (
    GROUP_URN,
    IDENTITY_URN,
    PUBLIC,
    entry_key,
    validate_entry,
    validate_ingest,
)
from globus_local.services.search.limits import (
    MAX_DELETE_SUBJECTS,
    MAX_DISPLAY_NAME,
    MAX_INGEST_BYTES,
)
from globus_local.services.search.models import (
    SearchEntry,
    SearchEntryContent,
    SearchIndex,
    SearchRole,
    SearchTask,
)
from globus_local.services.search.query.request import build_plan, parse_bool
from globus_local.services.search.tasks import (
    DELETE_BY_QUERY,
    DELETE_BY_SUBJECT,
    DELETE_ENTRY,
    INGEST,
    submit_response,
    submit_task,
)

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


def _check_size(raw: bytes) -> None:
    """413 for ingest documents over the service's limit, however they were sent (a
    Content-Length header may be absent, and re-encoding the parsed body may fail)."""
    size = len(raw)
    if size > MAX_INGEST_BYTES:
        raise ServiceError(
            413,
            "RequestTooLarge",
            f"Request body of {size} bytes exceeds the limit of {MAX_INGEST_BYTES} bytes",
        )


def _index_stats(db: t.Any, index_id: str) -> dict[str, int]:
    row = db.execute(
        select(
            func.count(SearchEntry.pk),
            func.count(func.distinct(SearchEntry.subject)),
            func.coalesce(func.sum(SearchEntry.size_bytes), 0),
        ).where(SearchEntry.index_id == index_id)
    ).one()
    return {"num_entries": int(row[0]), "num_subjects": int(row[1]), "size_bytes": int(row[2])}


def _index_doc(db: t.Any, index: SearchIndex, permissions: list[str] | None = None) -> dict:
    return index_document(index, permissions=permissions, **_index_stats(db, index.id))


def _writable(db: t.Any, index_id: str, caller: Caller, minimum: str = "writer") -> SearchIndex:
    index = get_index(db, index_id)
    access.require_role(db, index, caller, minimum)
    access.require_open(index)
    return index


def _principals(db: t.Any, index: SearchIndex, caller: Caller, bypass: bool) -> list[str] | None:
    """``visible_to`` principals for this search (None: every entry, admins' bypass)."""
    if bypass:
        if access.best_role(access.roles_of(db, index.id, caller)) < access.ROLE_RANK["admin"]:
            raise forbidden("bypass_visible_to requires the 'admin' or 'owner' role")
        return None
    return caller.visibility()


# -- indices ----------------------------------------------------------------------------------


@router.post("/v1/index")
@router.post("/beta/index", include_in_schema=False)
def create_index(db: AuthDb, ctx: ManageCtx, body: JsonBody) -> dict[str, t.Any]:
    if not isinstance(body, dict):
        raise validation_error("The index document must be a JSON object.")
    name = body.get("display_name")
    if not isinstance(name, str) or not name.strip():
        raise validation_error("Missing data for required field.", "display_name")
    description = body.get("description", "")
    if not isinstance(description, str):
        raise validation_error("Not a valid string.", "description")
    _index_text(name, "display_name")
    _index_text(description, "description")
    now = utcnow()
    index = SearchIndex(
        id=str(uuid.uuid4()),
        display_name=name,
        description=description,
        status="open",
        is_trial=True,
        max_size_in_mb=1,
        creator_id=ctx.identity_id,
        creation_date=now,
    )
    db.add(index)
    db.flush()
    db.add(
        SearchRole(
            id=str(uuid.uuid4()),
            index_id=index.id,
            role_name="owner",
            principal=IDENTITY_URN + ctx.identity_id,
            creation_date=now,
        )
    )
    db.flush()
    return _index_doc(db, index, ["owner"])


@router.get("/v1/index_list")
def index_list(request: Request, db: AuthDb, ctx: AnyCtx) -> dict[str, t.Any]:
    wanted_raw = request.query_params.getlist("filter_roles")
    wanted = {r.strip() for v in wanted_raw for r in v.split(",") if r.strip()}
    unknown = wanted - set(access.ROLE_RANK)
    if unknown:
        raise validation_error(f"Unknown role(s): {', '.join(sorted(unknown))}.", "filter_roles")
    caller = caller_for(db, ctx)
    rows = db.execute(
        select(SearchRole.index_id, SearchRole.role_name).where(
            SearchRole.principal.in_(caller.principals)
        )
    ).all()
    roles: dict[str, set[str]] = {}
    for index_id, role in rows:
        if not wanted or role in wanted:
            roles.setdefault(index_id, set()).add(role)
    indices = db.scalars(
        select(SearchIndex)
        .where(SearchIndex.id.in_(list(roles)))
        .order_by(SearchIndex.creation_date)
    )
    return {
        "index_list": [
            _index_doc(db, ix, sorted(roles[ix.id], key=lambda r: -access.ROLE_RANK[r]))
            for ix in indices
        ]
    }


@router.get("/v1/index/{index_id}")
def get_index_route(index_id: str, db: AuthDb, ctx: ReadCtx) -> dict[str, t.Any]:
    index = get_index(db, index_id)
    permissions = None
    if ctx is not None:
        roles = access.roles_of(db, index.id, caller_for(db, ctx))
        permissions = sorted(roles, key=lambda r: -access.ROLE_RANK[r])
    return _index_doc(db, index, permissions)


@router.patch("/v1/index/{index_id}")
def update_index(index_id: str, db: AuthDb, ctx: ManageCtx, body: JsonBody) -> dict[str, t.Any]:
    index = get_index(db, index_id)
    access.require_role(db, index, caller_for(db, ctx), "admin")
    if not isinstance(body, dict):
        raise validation_error("The index document must be a JSON object.")
    for key in ("display_name", "description"):
        if key in body:
            if not isinstance(body[key], str) or (key == "display_name" and not body[key].strip()):
                raise validation_error("Not a valid string.", key)
            setattr(index, key, _index_text(body[key], key))
    db.flush()
    return _index_doc(db, index)


def _index_text(value: str, key: str) -> str:
    """A display_name or description the index row can hold: no NUL (PostgreSQL refuses
    it), the name within its column."""
    _plain_text(value, key)
    if key == "display_name" and len(value) > MAX_DISPLAY_NAME:
        raise validation_error(f"Longer than maximum length {MAX_DISPLAY_NAME}.", key)
    return value


@router.delete("/v1/index/{index_id}")
def delete_index(index_id: str, db: AuthDb, ctx: ManageCtx) -> dict[str, t.Any]:
    index = get_index(db, index_id)
    access.require_role(db, index, caller_for(db, ctx), "owner")
    access.require_open(index)
    index.status = "delete-pending"
    return {"acknowledged": True, "index_id": index.id}


@router.post("/v1/index/{index_id}/reopen")
def reopen_index(index_id: str, db: AuthDb, ctx: ManageCtx) -> dict[str, t.Any]:
    index = get_index(db, index_id)
    access.require_role(db, index, caller_for(db, ctx), "owner")
    if index.status != "delete-pending":
        raise ServiceError(
            409, "Conflict.IncompatibleIndexStatus", f"Index {index.id} is not delete-pending"
        )
    index.status = "open"
    return {"acknowledged": True, "index_id": index.id}


# -- roles ------------------------------------------------------------------------------------


@router.get("/v1/index/{index_id}/role_list")
def role_list(index_id: str, db: AuthDb, ctx: AnyCtx) -> dict[str, t.Any]:
    index = get_index(db, index_id)
    access.require_role(db, index, caller_for(db, ctx), "admin")
    roles = db.scalars(
        select(SearchRole).where(SearchRole.index_id == index.id).order_by(SearchRole.creation_date)
    )
    return {"role_list": [role_document(r) for r in roles]}


@router.post("/v1/index/{index_id}/role")
def create_role(index_id: str, db: AuthDb, ctx: ManageCtx, body: JsonBody) -> dict[str, t.Any]:
    index = get_index(db, index_id)
    mine = access.require_role(db, index, caller_for(db, ctx), "admin")
    if not isinstance(body, dict):
        raise validation_error("The role document must be a JSON object.")
    role_name = body.get("role_name")
    if not isinstance(role_name, str) or role_name not in access.ROLE_RANK:
        raise validation_error("Must be one of: owner, admin, writer.", "role_name")
    principal = _role_principal(body.get("principal"))
    if access.ROLE_RANK[role_name] > access.best_role(mine):
        raise forbidden(f"Only an owner may grant the '{role_name}' role")
    existing = db.scalar(
        select(SearchRole).where(
            SearchRole.index_id == index.id,
            SearchRole.role_name == role_name,
            SearchRole.principal == principal,
        )
    )
    if existing is not None:
        return role_document(existing)
    role = SearchRole(
        id=str(uuid.uuid4()),
        index_id=index.id,
        role_name=role_name,
        principal=principal,
        creation_date=utcnow(),
    )
    db.add(role)
    db.flush()
    return role_document(role)


def _role_principal(principal: t.Any) -> str:
    """An identity or group URN, whose id (as every Auth identity's and group's) is a UUID:
    anything else names no one, and could not be stored (too long, a NUL)."""
    for prefix in (IDENTITY_URN, GROUP_URN):
        if isinstance(principal, str) and principal.startswith(prefix):
            try:
                return prefix + str(uuid.UUID(principal[len(prefix) :]))
            except ValueError:
                break
    raise validation_error("Not a valid identity or group URN.", "principal")


@router.delete("/v1/index/{index_id}/role/{role_id}")
def delete_role(index_id: str, role_id: str, db: AuthDb, ctx: ManageCtx) -> dict[str, t.Any]:
    index = get_index(db, index_id)
    mine = access.require_role(db, index, caller_for(db, ctx), "admin")
    role = None if "\x00" in role_id else db.get(SearchRole, role_id)
    if role is None or role.index_id != index.id:
        raise not_found(f"No role {role_id} on index {index.id}")
    if access.ROLE_RANK[role.role_name] > access.best_role(mine):
        raise forbidden(f"Only an owner may remove the '{role.role_name}' role")
    if role.role_name == "owner":
        owners = db.scalar(
            select(func.count(SearchRole.id)).where(
                SearchRole.index_id == index.id, SearchRole.role_name == "owner"
            )
        )
        if owners <= 1:
            raise ServiceError(409, "Conflict.LimitExceeded", "An index must keep one owner")
    doc = role_document(role)
    db.delete(role)
    return {"deleted": doc, "success": True}


# -- search -----------------------------------------------------------------------------------


def _search(
    request: Request, db: t.Any, index_id: str, ctx: AuthContext | None, body: t.Any
) -> dict[str, t.Any]:
    index = get_index(db, index_id)
    access.require_open(index)
    plan = build_plan(body)
    caller = caller_for(db, ctx)
    principals = _principals(db, index, caller, plan.bypass_visible_to)
    return run_search(db, backend_for(request.app.state.db), index.id, plan, principals)


@router.get("/v1/index/{index_id}/search")
def search_get(index_id: str, request: Request, db: AuthDb, ctx: ReadCtx) -> dict[str, t.Any]:
    params = request.query_params
    if "q" not in params:
        raise validation_error("Missing data for required field.", "q")
    body: dict[str, t.Any] = {"q": params["q"]}
    for key in ("limit", "offset", "advanced", "bypass_visible_to"):
        if key in params:
            body[key] = params[key]
    return _search(request, db, index_id, ctx, body)


@router.post("/v1/index/{index_id}/search")
def search_post(
    index_id: str, request: Request, db: AuthDb, ctx: ReadCtx, body: JsonBody
) -> dict[str, t.Any]:
    return _search(request, db, index_id, ctx, body)


# -- writes -----------------------------------------------------------------------------------


@router.post("/v1/index/{index_id}/ingest")
def ingest(
    index_id: str, db: AuthDb, ctx: WriteCtx, body: JsonBody, raw: RawBody
) -> dict[str, t.Any]:
    index = _writable(db, index_id, caller_for(db, ctx))
    _check_size(raw)
    entries = validate_ingest(body)
    return submit_response(submit_task(db, index, INGEST, {"entries": entries}))


@router.post("/v1/index/{index_id}/delete_by_query")
def delete_by_query(index_id: str, db: AuthDb, ctx: WriteCtx, body: JsonBody) -> dict[str, t.Any]:
    index = _writable(db, index_id, caller_for(db, ctx))
    build_plan(body, paging=False)  # reject bad queries now, not in the job
    query = {k: body[k] for k in ("q", "advanced", "filters") if k in body}
    return submit_response(submit_task(db, index, DELETE_BY_QUERY, {"query": query}))


@router.post("/v1/index/{index_id}/batch_delete_by_subject")
def batch_delete_by_subject(
    index_id: str, db: AuthDb, ctx: WriteCtx, body: JsonBody
) -> dict[str, t.Any]:
    index = _writable(db, index_id, caller_for(db, ctx))
    subjects = body.get("subjects") if isinstance(body, dict) else None
    if not isinstance(subjects, list) or not all(isinstance(s, str) for s in subjects):
        raise validation_error("Must be a list of strings.", "subjects")
    if len(subjects) > MAX_DELETE_SUBJECTS:
        raise validation_error(f"At most {MAX_DELETE_SUBJECTS} subjects per request.", "subjects")
    for i, subject in enumerate(subjects):
        _plain_text(subject, f"subjects.{i}")
    return submit_response(submit_task(db, index, DELETE_BY_SUBJECT, {"subjects": subjects}))


@router.post("/v1/index/{index_id}/entry")
@router.put("/v1/index/{index_id}/entry")
def put_entry(
    index_id: str, db: AuthDb, ctx: WriteCtx, body: JsonBody, raw: RawBody
) -> dict[str, t.Any]:
    index = _writable(db, index_id, caller_for(db, ctx))
    _check_size(raw)
    entry = validate_entry(body, "gmeta_entry")
    return submit_response(submit_task(db, index, INGEST, {"entries": [entry]}))


def _plain_text(value: str | None, name: str) -> None:
    """400 for text no index could hold (a NUL, which PostgreSQL refuses outright)."""
    if value is not None and "\x00" in value:
        raise validation_error("Must not contain the NUL character.", name)


def _subject_param(request: Request) -> str:
    subject = request.query_params.get("subject")
    if subject is None:
        raise validation_error("Missing data for required field.", "subject")
    _plain_text(subject, "subject")
    return subject


def _entry_id_param(request: Request) -> str | None:
    entry_id = request.query_params.get("entry_id")
    _plain_text(entry_id, "entry_id")
    return entry_id


def _visible_entries(
    db: t.Any, request: Request, index_id: str, ctx: AuthContext | None, entry_id: t.Any
) -> tuple[str, list[dict[str, t.Any]]]:
    """``(subject, entries)`` the caller may see; ``entry_id`` ``...`` means every entry."""
    index = get_index(db, index_id)
    subject = _subject_param(request)
    caller = caller_for(db, ctx)
    bypass = parse_bool(request.query_params.get("bypass_visible_to", "false"), "bypass_visible_to")
    principals = _principals(db, index, caller, bypass)
    query = (
        select(SearchEntry, SearchEntryContent.content)
        .join(SearchEntryContent, SearchEntryContent.entry_pk == SearchEntry.pk)
        .where(SearchEntry.index_id == index.id, SearchEntry.subject == subject)
    )
    if entry_id is not ...:
        query = query.where(SearchEntry.entry_key == entry_key(entry_id))
    allowed = None if principals is None else {PUBLIC, *principals}
    entries = [
        entry_result(e.entry_id, content)
        for e, content in db.execute(query.order_by(SearchEntry.entry_key))
        if allowed is None or allowed.intersection(e.visible_to)
    ]
    return subject, entries


@router.get("/v1/index/{index_id}/subject")
def get_subject(index_id: str, request: Request, db: AuthDb, ctx: ReadCtx) -> dict[str, t.Any]:
    subject, entries = _visible_entries(db, request, index_id, ctx, ...)
    if not entries:
        raise not_found(f"No subject {subject!r} visible to you in index {index_id}")
    return meta_result(subject, entries)


@router.get("/v1/index/{index_id}/entry")
def get_entry(index_id: str, request: Request, db: AuthDb, ctx: ReadCtx) -> dict[str, t.Any]:
    entry_id = _entry_id_param(request)
    subject, entries = _visible_entries(db, request, index_id, ctx, entry_id)
    if not entries:
        raise not_found(
            f"No entry (subject={subject!r}, entry_id={entry_id!r}) visible to you "
            f"in index {index_id}"
        )
    return meta_result(subject, entries)


def _require_entries(db: t.Any, index_id: str, subject: str, entry_id: t.Any) -> None:
    query = select(SearchEntry.pk).where(
        SearchEntry.index_id == index_id, SearchEntry.subject == subject
    )
    if entry_id is not ...:
        query = query.where(SearchEntry.entry_key == entry_key(entry_id))
    if db.scalar(query.limit(1)) is None:
        what = "subject" if entry_id is ... else "entry"
        raise not_found(f"No {what} {subject!r} in index {index_id}")


@router.delete("/v1/index/{index_id}/subject")
def delete_subject(index_id: str, request: Request, db: AuthDb, ctx: WriteCtx) -> dict[str, t.Any]:
    index = _writable(db, index_id, caller_for(db, ctx))
    subject = _subject_param(request)
    _require_entries(db, index.id, subject, ...)
    return submit_response(submit_task(db, index, DELETE_BY_SUBJECT, {"subjects": [subject]}))


@router.delete("/v1/index/{index_id}/entry")
def delete_entry(index_id: str, request: Request, db: AuthDb, ctx: WriteCtx) -> dict[str, t.Any]:
    index = _writable(db, index_id, caller_for(db, ctx))
    subject = _subject_param(request)
    entry_id = _entry_id_param(request)
    _require_entries(db, index.id, subject, entry_id)
    payload = {"subject": subject, "entry_id": entry_id}
    return submit_response(submit_task(db, index, DELETE_ENTRY, payload))


# -- tasks ------------------------------------------------------------------------------------


@router.get("/v1/task/{task_id}")
def get_task(task_id: str, db: AuthDb, ctx: AnyCtx) -> dict[str, t.Any]:
    task = None
    if "\x00" not in task_id:  # no task has one, and PostgreSQL refuses to compare it
        task = db.scalar(select(SearchTask).where(SearchTask.task_id == task_id))
    if task is None:
        raise not_found(f"No task {task_id}")
    index = get_index(db, task.index_id)
    access.require_role(db, index, caller_for(db, ctx), "writer")
    return task_document(task)


@router.get("/v1/task_list/{index_id}")
def task_list(index_id: str, db: AuthDb, ctx: AnyCtx) -> dict[str, t.Any]:
    index = get_index(db, index_id)
    access.require_role(db, index, caller_for(db, ctx), "writer")
    tasks = db.scalars(
        select(SearchTask)
        .where(SearchTask.index_id == index.id)
        .order_by(SearchTask.seq.desc())
        .limit(1000)
    )
    return {"index_id": index.id, "tasks": [task_document(x) for x in tasks]}
