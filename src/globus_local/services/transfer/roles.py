"""Endpoint roles (administrator, access_manager, activity_manager, activity_monitor)
granted to identities and groups: listing, granting and revoking them."""

from __future__ import annotations

import typing as t
import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from globus_local.db import utcnow
from globus_local.kit.errors import BadRequest, Conflict, NotFound
from globus_local.kit.params import parse_uuid
from globus_local.kit.tokens import AuthContext
from globus_local.services.transfer import access, endpoints
from globus_local.services.transfer.models_endpoints import ROLE_NAMES, Endpoint, EndpointRole


def create_role(
    session: Session, ctx: AuthContext, endpoint: Endpoint, data: dict[str, t.Any]
) -> EndpointRole:
    principal_type = data.get("principal_type")
    if principal_type not in ("identity", "group"):
        raise BadRequest("principal_type must be 'identity' or 'group'")
    principal = parse_uuid(data.get("principal"), "principal")
    role = data.get("role")
    if role not in ROLE_NAMES:
        raise BadRequest(f"role must be one of {', '.join(ROLE_NAMES)}")
    if principal_type == "identity":
        access.require_identity(session, principal)
    existing = session.scalar(
        select(EndpointRole).where(
            EndpointRole.endpoint_id == endpoint.id,
            EndpointRole.principal_type == principal_type,
            EndpointRole.principal == principal,
            EndpointRole.role == role,
        )
    )
    if existing is not None:
        raise Conflict(f"A role '{role}' for that principal already exists", code="Exists")
    row = EndpointRole(
        id=str(uuid.uuid4()),
        endpoint_id=endpoint.id,
        principal_type=principal_type,
        principal=principal,
        role=role,
        created=utcnow(),
    )
    session.add(row)
    session.flush()
    return row


def get_role(session: Session, endpoint: Endpoint, role_id: str) -> EndpointRole:
    row = endpoints.row_on(session, EndpointRole, role_id, endpoint)
    if row is None:
        raise NotFound(f"Role '{role_id}' not found", code="RoleNotFound")
    return row


def roles_of(session: Session, endpoint: Endpoint) -> list[EndpointRole]:
    return endpoints.rows_on(
        session, EndpointRole, endpoint.id, EndpointRole.created, EndpointRole.id
    )


def delete_role(session: Session, endpoint: Endpoint, role_id: str) -> None:
    session.delete(get_role(session, endpoint, role_id))
