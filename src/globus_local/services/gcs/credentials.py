"""User credentials: the storage username (and S3 keys) one identity uses on a gateway.
An identity manages its own; endpoint administrators see and remove everyone's."""

from __future__ import annotations

import typing as t
import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from globus_local.kit.errors import Conflict, Forbidden, NotFound
from globus_local.kit.tokens import AuthContext
from globus_local.services.gcs import access, gateways, mapping
from globus_local.services.gcs.errors import invalid_input
from globus_local.services.gcs.models import Collection, GcsEndpoint, StorageGateway, UserCredential
from globus_local.services.transfer.access import identities


def _not_owner(credential_id: str) -> Forbidden:
    return Forbidden(
        f"User credential {credential_id} belongs to another identity",
        detail={"DATA_TYPE": "not_resource_owner#1.0.0"},
    )


def list_credentials(
    session: Session, ctx: AuthContext, endpoint: GcsEndpoint, gateway_id: str | None
) -> list[tuple[UserCredential, StorageGateway]]:
    query = (
        select(UserCredential, StorageGateway)
        .join(StorageGateway, StorageGateway.id == UserCredential.storage_gateway_id)
        .where(StorageGateway.endpoint_id == endpoint.id)
        .order_by(UserCredential.created, UserCredential.id)
    )
    if gateway_id is not None:
        query = query.where(UserCredential.storage_gateway_id == gateway_id)
    if not access.is_endpoint_admin(session, ctx, endpoint):
        query = query.where(UserCredential.identity_id.in_(identities(ctx)))
    return [(c, g) for c, g in session.execute(query)]


def get_credential(
    session: Session, ctx: AuthContext, endpoint: GcsEndpoint, credential_id: str
) -> tuple[UserCredential, StorageGateway]:
    try:
        key = str(uuid.UUID(credential_id))
    except ValueError:
        raise NotFound(f"No user credential '{credential_id}'") from None
    credential = session.get(UserCredential, key)
    gateway = session.get(StorageGateway, credential.storage_gateway_id) if credential else None
    if credential is None or gateway is None or gateway.endpoint_id != endpoint.id:
        raise NotFound(f"No user credential '{credential_id}'")
    if credential.identity_id not in identities(ctx) and not access.is_endpoint_admin(
        session, ctx, endpoint
    ):
        raise _not_owner(credential.id)
    return credential, gateway


def _apply(credential: UserCredential, gateway: StorageGateway, data: dict[str, t.Any]) -> None:
    for key, value in data.items():
        if key in ("DATA_TYPE", "id", "connector_id", "invalid", "provisioned", "deleted"):
            continue
        if key in ("identity_id", "storage_gateway_id"):
            current = getattr(credential, key)
            if current is not None and value != current:
                raise invalid_input(f"{key} cannot be changed", key)
        elif key == "username":
            if not isinstance(value, str) or not value.strip():
                raise invalid_input("username must be a non-empty string", key)
            credential.username = value.strip()
        elif key == "display_name":
            credential.display_name = value if isinstance(value, str) else None
        elif key == "policies":
            if not isinstance(value, dict):
                raise invalid_input("policies must be a document", key)
            credential.policies = dict(value)
        else:
            raise invalid_input(f"Unknown user credential field '{key}'", key)
    if not credential.username:
        raise invalid_input("A user credential needs a username", "username")
    allow = gateway.fields.get("users_allow") or []
    if (allow and credential.username not in allow) or credential.username in (
        gateway.fields.get("users_deny") or []
    ):
        raise Forbidden(
            f"Storage gateway {gateway.id} does not allow the user '{credential.username}'",
            detail={"DATA_TYPE": "invalid_user#1.0.0"},
        )


def create_credential(
    session: Session, ctx: AuthContext, endpoint: GcsEndpoint, data: dict[str, t.Any]
) -> tuple[UserCredential, StorageGateway]:
    gateway = gateways.get_gateway(session, endpoint, str(data.get("storage_gateway_id", "")))
    identity_id = str(data.get("identity_id") or ctx.identity_id)
    if identity_id not in identities(ctx):
        raise Forbidden(
            "A user credential can only be created for one of your own identities",
            detail={"DATA_TYPE": "id_not_in_identity_set#1.0.0"},
        )
    identity = mapping._identity(session, identity_id)
    if identity is None or not mapping.domain_allowed(gateway, identity.username):
        raise Forbidden(
            f"Storage gateway {gateway.id} does not admit identities of this domain",
            detail={
                "DATA_TYPE": "not_from_allowed_domain#1.0.0",
                "allowed_domains": gateway.fields.get("allowed_domains") or [],
            },
        )
    existing = session.scalar(
        select(UserCredential.id).where(
            UserCredential.storage_gateway_id == gateway.id,
            UserCredential.identity_id == identity_id,
        )
    )
    if existing is not None:
        raise Conflict(
            f"Identity {identity_id} already has user credential {existing} on this gateway",
            detail={"DATA_TYPE": "resource_conflict#1.0.0", "resource_id": existing},
        )
    credential = UserCredential(
        id=str(uuid.uuid4()),
        storage_gateway_id=gateway.id,
        identity_id=identity_id,
        username="",
        policies={},
    )
    _apply(credential, gateway, {**data, "identity_id": identity_id})
    session.add(credential)
    session.flush()
    return credential, gateway


def update_credential(
    credential: UserCredential, gateway: StorageGateway, data: dict[str, t.Any]
) -> None:
    _apply(credential, gateway, data)


def delete_credential(session: Session, credential: UserCredential) -> None:
    used = session.scalar(
        select(Collection.id).where(Collection.user_credential_id == credential.id).limit(1)
    )
    if used is not None:
        raise Conflict(
            f"User credential {credential.id} is used by guest collection {used}",
            detail={"DATA_TYPE": "resource_conflict#1.0.0", "resource_id": used},
        )
    session.delete(credential)
    session.flush()
