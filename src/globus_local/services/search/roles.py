"""Roles on an index (owner, admin, writer) granted to identities and groups: only an owner
grants or removes the owner role, and an index always keeps one owner."""

from __future__ import annotations

import typing as t
import uuid

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from globus_local.db import utcnow
from globus_local.kit.documents import new_id
from globus_local.kit.errors import Conflict
from globus_local.services.search import access
from globus_local.services.search.access import Caller, get_index
from globus_local.services.search.documents import role_document
from globus_local.services.search.errors import forbidden, not_found, validation_error
from globus_local.services.search.ingest import GROUP_URN, IDENTITY_URN
from globus_local.services.search.models import SearchRole


def list_roles(session: Session, index_id: str, caller: Caller) -> dict[str, t.Any]:
    index = get_index(session, index_id)
    access.require_role(session, index, caller, "admin")
    roles = session.scalars(
        select(SearchRole).where(SearchRole.index_id == index.id).order_by(SearchRole.creation_date)
    )
    return {"role_list": [role_document(r) for r in roles]}


def _principal(principal: t.Any) -> str:
    """An identity or group URN, whose id (as every Auth identity's and group's) is a UUID:
    anything else names no one, and could not be stored (too long, a NUL)."""
    for prefix in (IDENTITY_URN, GROUP_URN):
        if isinstance(principal, str) and principal.startswith(prefix):
            try:
                return prefix + str(uuid.UUID(principal[len(prefix) :]))
            except ValueError:
                break
    raise validation_error("Not a valid identity or group URN.", "principal")


def create_role(session: Session, index_id: str, caller: Caller, body: t.Any) -> dict[str, t.Any]:
    """Grant a role; granting one that exists answers the existing one."""
    index = get_index(session, index_id)
    mine = access.require_role(session, index, caller, "admin")
    if not isinstance(body, dict):
        raise validation_error("The role document must be a JSON object.")
    role_name = body.get("role_name")
    if not isinstance(role_name, str) or role_name not in access.ROLE_RANK:
        raise validation_error("Must be one of: owner, admin, writer.", "role_name")
    principal = _principal(body.get("principal"))
    if access.ROLE_RANK[role_name] > access.best_role(mine):
        raise forbidden(f"Only an owner may grant the '{role_name}' role")
    existing = session.scalar(
        select(SearchRole).where(
            SearchRole.index_id == index.id,
            SearchRole.role_name == role_name,
            SearchRole.principal == principal,
        )
    )
    if existing is not None:
        return role_document(existing)
    role = SearchRole(
        id=new_id(),
        index_id=index.id,
        role_name=role_name,
        principal=principal,
        creation_date=utcnow(),
    )
    session.add(role)
    session.flush()
    return role_document(role)


def delete_role(session: Session, index_id: str, role_id: str, caller: Caller) -> dict[str, t.Any]:
    index = get_index(session, index_id)
    mine = access.require_role(session, index, caller, "admin")
    role = None if "\x00" in role_id else session.get(SearchRole, role_id)
    if role is None or role.index_id != index.id:
        raise not_found(f"No role {role_id} on index {index.id}")
    if access.ROLE_RANK[role.role_name] > access.best_role(mine):
        raise forbidden(f"Only an owner may remove the '{role.role_name}' role")
    if role.role_name == "owner":
        owners = session.scalar(
            select(func.count(SearchRole.id)).where(
                SearchRole.index_id == index.id, SearchRole.role_name == "owner"
            )
        )
        if not owners or owners <= 1:
            raise Conflict("An index must keep one owner", code="Conflict.LimitExceeded")
    doc = role_document(role)
    session.delete(role)
    return {"deleted": doc, "success": True}
