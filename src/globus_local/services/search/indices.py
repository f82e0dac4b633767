"""Search indices: created with their first owner, listed by the caller's roles, renamed,
marked for deletion and reopened. Each answer is a GSearchIndex with its live counts."""

from __future__ import annotations

import typing as t

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from globus_local.db import utcnow
from globus_local.kit.documents import new_id
from globus_local.kit.errors import Conflict
from globus_local.services.search import access
from globus_local.services.search.access import Caller, get_index
from globus_local.services.search.documents import index_document
from globus_local.services.search.errors import validation_error
from globus_local.services.search.ingest import IDENTITY_URN
from globus_local.services.search.limits import MAX_DISPLAY_NAME
from globus_local.services.search.models import IndexStatus, SearchEntry, SearchIndex, SearchRole
from globus_local.services.search.shape import check_scalar


def _stats(session: Session, index_id: str) -> dict[str, int]:
    row = session.execute(
        select(
            func.count(SearchEntry.pk),
            func.count(func.distinct(SearchEntry.subject)),
            func.coalesce(func.sum(SearchEntry.size_bytes), 0),
        ).where(SearchEntry.index_id == index_id)
    ).one()
    return {"num_entries": int(row[0]), "num_subjects": int(row[1]), "size_bytes": int(row[2])}


def _document(
    session: Session, index: SearchIndex, permissions: list[str] | None = None
) -> dict[str, t.Any]:
    return index_document(index, permissions=permissions, **_stats(session, index.id))


def _index_text(value: str, key: str) -> str:
    """A display_name or description the index row can hold: no NUL (PostgreSQL refuses
    it), the name within its column."""
    check_scalar(value, key)
    if key == "display_name" and len(value) > MAX_DISPLAY_NAME:
        raise validation_error(f"Longer than maximum length {MAX_DISPLAY_NAME}.", key)
    return value


def _object(body: t.Any) -> dict[str, t.Any]:
    if not isinstance(body, dict):
        raise validation_error("The index document must be a JSON object.")
    return body


def create_index(session: Session, identity_id: str, body: t.Any) -> dict[str, t.Any]:
    """A new trial index whose creator is its owner."""
    body = _object(body)
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
        id=new_id(),
        display_name=name,
        description=description,
        status="open",
        is_trial=True,
        max_size_in_mb=1,
        creator_id=identity_id,
        creation_date=now,
    )
    session.add(index)
    session.flush()
    session.add(
        SearchRole(
            id=new_id(),
            index_id=index.id,
            role_name="owner",
            principal=IDENTITY_URN + identity_id,
            creation_date=now,
        )
    )
    session.flush()
    return _document(session, index, ["owner"])


def list_indices(session: Session, caller: Caller, wanted: set[str]) -> list[dict[str, t.Any]]:
    """The indices the caller holds a role on (one of ``wanted``, when given), oldest first."""
    unknown = wanted - set(access.ROLE_RANK)
    if unknown:
        raise validation_error(f"Unknown role(s): {', '.join(sorted(unknown))}.", "filter_roles")
    rows = session.execute(
        select(SearchRole.index_id, SearchRole.role_name).where(
            SearchRole.principal.in_(caller.principals)
        )
    ).all()
    roles: dict[str, set[str]] = {}
    for index_id, role in rows:
        if not wanted or role in wanted:
            roles.setdefault(index_id, set()).add(role)
    indices = session.scalars(
        select(SearchIndex)
        .where(SearchIndex.id.in_(list(roles)))
        .order_by(SearchIndex.creation_date)
    )
    return [_document(session, ix, access.by_rank(roles[ix.id])) for ix in indices]


def show_index(session: Session, index_id: str, caller: Caller) -> dict[str, t.Any]:
    """Any index, to anyone; an authenticated caller also sees its own ``permissions``."""
    index = get_index(session, index_id)
    permissions = None
    if caller.ctx is not None:
        permissions = access.by_rank(access.roles_of(session, index.id, caller))
    return _document(session, index, permissions)


def update_index(session: Session, index_id: str, caller: Caller, body: t.Any) -> dict[str, t.Any]:
    """Change ``display_name`` or ``description`` (admins and owners)."""
    index = get_index(session, index_id)
    access.require_role(session, index, caller, "admin")
    body = _object(body)
    for key in ("display_name", "description"):
        if key in body:
            if not isinstance(body[key], str) or (key == "display_name" and not body[key].strip()):
                raise validation_error("Not a valid string.", key)
            setattr(index, key, _index_text(body[key], key))
    session.flush()
    return _document(session, index)


def delete_index(session: Session, index_id: str, caller: Caller) -> dict[str, t.Any]:
    """Mark an open index for deletion (owners only); it can be reopened until it is gone."""
    index = get_index(session, index_id)
    access.require_role(session, index, caller, "owner")
    access.require_open(index)
    index.status = IndexStatus.DELETE_PENDING
    return {"acknowledged": True, "index_id": index.id}


def reopen_index(session: Session, index_id: str, caller: Caller) -> dict[str, t.Any]:
    index = get_index(session, index_id)
    access.require_role(session, index, caller, "owner")
    if index.status != IndexStatus.DELETE_PENDING:
        raise Conflict(
            f"Index {index.id} is not delete-pending", code="Conflict.IncompatibleIndexStatus"
        )
    index.status = "open"
    return {"acknowledged": True, "index_id": index.id}
