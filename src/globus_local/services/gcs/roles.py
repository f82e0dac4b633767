"""Roles on the endpoint and its collections: who may list, grant and revoke them."""

from __future__ import annotations

import typing as t
import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from globus_local.kit.errors import Conflict, Forbidden, NotFound
from globus_local.kit.tokens import AuthContext
from globus_local.services.gcs import access, collections
from globus_local.services.gcs.errors import invalid_input
from globus_local.services.gcs.models import GcsEndpoint, Role

ENDPOINT_ROLES = ("owner", "administrator", "activity_manager", "activity_monitor")
COLLECTION_ROLES = ("administrator", "access_manager", "activity_manager", "activity_monitor")
_PRINCIPAL_PREFIXES = ("urn:globus:auth:identity:", "urn:globus:groups:id:")


def list_roles(
    session: Session,
    ctx: AuthContext,
    endpoint: GcsEndpoint,
    collection_id: str | None,
    all_roles: bool,
) -> list[Role]:
    """The caller's own roles, or everyone's with ``all_roles`` (administrators only)."""
    query = select(Role).where(Role.endpoint_id == endpoint.id).order_by(Role.created, Role.id)
    if collection_id is None:
        query = query.where(Role.collection_id.is_(None))
        admin = access.is_endpoint_admin(session, ctx, endpoint)
    else:
        collection = collections.get_collection(session, endpoint, collection_id)
        query = query.where(Role.collection_id == collection.id)
        admin = access.is_collection_admin(session, ctx, endpoint, collection)
    rows = list(session.scalars(query))
    if all_roles:
        if not admin:
            raise Forbidden("Listing all roles needs the administrator role")
        return rows
    mine = access.my_principals(session, ctx)
    return [r for r in rows if r.principal in mine]


def _require_admin_for(
    session: Session, ctx: AuthContext, endpoint: GcsEndpoint, collection_id: str | None
) -> None:
    if collection_id is None:
        access.require_endpoint_admin(session, ctx, endpoint, "manage endpoint roles")
    else:
        collection = collections.get_collection(session, endpoint, collection_id)
        access.require_collection_admin(session, ctx, endpoint, collection, "manage roles")


def create_role(
    session: Session, ctx: AuthContext, endpoint: GcsEndpoint, data: dict[str, t.Any]
) -> Role:
    principal, role = data.get("principal"), data.get("role")
    if not isinstance(principal, str) or not principal.startswith(_PRINCIPAL_PREFIXES):
        raise invalid_input(
            "principal must be urn:globus:auth:identity:<id> or urn:globus:groups:id:<id>",
            "principal",
        )
    try:
        uuid.UUID(principal.rsplit(":", 1)[1])
    except ValueError:
        raise invalid_input("principal must end in a UUID", "principal") from None
    collection_id = data.get("collection")
    if collection_id is not None and not isinstance(collection_id, str):
        raise invalid_input("collection must be a collection id", "collection")
    allowed = ENDPOINT_ROLES[1:] if collection_id is None else COLLECTION_ROLES
    if role not in allowed:
        raise invalid_input(f"role must be one of {', '.join(allowed)}", "role")
    _require_admin_for(session, ctx, endpoint, collection_id)
    if collection_id is not None:
        collection_id = collections.get_collection(session, endpoint, collection_id).id
    existing = session.scalar(
        select(Role.id).where(
            Role.endpoint_id == endpoint.id,
            Role.collection_id.is_(None)
            if collection_id is None
            else Role.collection_id == collection_id,
            Role.principal == principal,
            Role.role == role,
        )
    )
    if existing is not None:
        raise Conflict(f"Role {existing} already grants this", code="exists")
    row = Role(
        id=str(uuid.uuid4()),
        endpoint_id=endpoint.id,
        collection_id=collection_id,
        principal=principal,
        role=role,
    )
    session.add(row)
    session.flush()
    collections.mirror_roles(session, endpoint, collection_id)
    return row


def get_role(session: Session, ctx: AuthContext, endpoint: GcsEndpoint, role_id: str) -> Role:
    try:
        key = str(uuid.UUID(role_id))
    except ValueError:
        raise NotFound(f"No role '{role_id}'") from None
    row = session.get(Role, key)
    if row is None or row.endpoint_id != endpoint.id:
        raise NotFound(f"No role '{role_id}'")
    if row.principal not in access.my_principals(session, ctx):
        _require_admin_for(session, ctx, endpoint, row.collection_id)
    return row


def delete_role(session: Session, ctx: AuthContext, endpoint: GcsEndpoint, role: Role) -> None:
    _require_admin_for(session, ctx, endpoint, role.collection_id)
    if role.role == "owner":
        raise Conflict("The endpoint owner's role cannot be deleted")
    session.delete(role)
    session.flush()
    collections.mirror_roles(session, endpoint, role.collection_id)
