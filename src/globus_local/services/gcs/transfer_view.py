"""The Transfer face of GCS objects: the endpoint and each collection are also Transfer
endpoints with the same id, so ``endpoint_search``, ``ls``, transfers and access rules
work on them through the storage gateway's connector."""

from __future__ import annotations

import typing as t

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from globus_local.db import utcnow
from globus_local.services.gcs import connectors
from globus_local.services.gcs.documents import MANAGER_VERSION
from globus_local.services.gcs.models import Collection, GcsEndpoint, StorageGateway, UserCredential
from globus_local.services.transfer import endpoints as transfer_endpoints
from globus_local.services.transfer.models_endpoints import Endpoint, EndpointRole
from globus_local.services.transfer.models_tasks import TaskStatus
from globus_local.services.transfer.models_tasks import TransferTask as Task

ENTITY_ENDPOINT = "GCSv5_endpoint"
ENTITY_MAPPED = "GCSv5_mapped_collection"
ENTITY_GUEST = "GCSv5_guest_collection"

_SHARED_SETTINGS = (
    "contact_email",
    "contact_info",
    "info_link",
    "user_message",
    "user_message_link",
    "force_encryption",
    "force_verify",
    "disable_verify",
    "disable_anonymous_writes",
)


def _row(session: Session, object_id: str, endpoint: GcsEndpoint, entity_type: str) -> Endpoint:
    row = session.get(Endpoint, object_id)
    if row is None:
        row = Endpoint(
            id=object_id,
            owner_id=endpoint.id,
            owner_string=f"{endpoint.id}@clients.auth.globus.org",
            entity_type=entity_type,
            is_globus_connect=False,
            settings={},
            created=utcnow(),
        )
        session.add(row)
    return row


def _settings(endpoint: GcsEndpoint, fields: dict[str, t.Any], **more: t.Any) -> dict[str, t.Any]:
    settings = {k: fields[k] for k in _SHARED_SETTINGS if k in fields}
    settings.update(gcs_manager_url=endpoint.manager_url, gcs_version=MANAGER_VERSION, **more)
    return settings


def sync_endpoint(session: Session, endpoint: GcsEndpoint) -> None:
    row = _row(session, endpoint.id, endpoint, ENTITY_ENDPOINT)
    row.display_name = endpoint.display_name
    row.public = bool(endpoint.fields.get("public", True))
    row.description = endpoint.fields.get("description")
    row.organization = endpoint.fields.get("organization")
    row.department = endpoint.fields.get("department")
    row.keywords = ",".join(endpoint.fields.get("keywords") or []) or None
    row.settings = _settings(endpoint, endpoint.fields, non_functional=True)
    session.flush()


def sync_collection(
    session: Session,
    endpoint: GcsEndpoint,
    collection: Collection,
    gateway: StorageGateway,
    *,
    storage_dir: str,
) -> None:
    """Create or refresh the collection's Transfer endpoint (its storage, names, flags)."""
    fields = collection.fields
    guest = collection.collection_type == "guest"
    row = _row(session, collection.id, endpoint, ENTITY_GUEST if guest else ENTITY_MAPPED)
    row.display_name = str(fields.get("display_name") or collection.id)
    row.public = bool(fields.get("public", False))
    row.description = fields.get("description")
    row.organization = fields.get("organization")
    row.department = fields.get("department")
    row.keywords = ",".join(fields.get("keywords") or []) or None
    row.default_directory = fields.get("default_directory")
    if guest:
        row.host_endpoint_id = collection.mapped_collection_id
        row.host_endpoint = session.get(Endpoint, collection.mapped_collection_id)
        row.host_path = connectors.clean_path(collection.base_path).rstrip("/") + "/"
        row.storage_url = None
    else:
        credential = session.scalar(
            select(UserCredential.policies).where(
                UserCredential.storage_gateway_id == gateway.id,
                UserCredential.identity_id == collection.identity_id,
            )
        )
        root = connectors.posix_root(storage_dir, gateway.root)
        row.storage_url = connectors.location(gateway.connector_id, root, collection.base_path)
        row.storage_options = connectors.storage_options(
            gateway.connector_id, gateway.fields.get("policies") or {}, credential
        )
    row.settings = _settings(
        endpoint,
        fields,
        non_functional=False,
        high_assurance=bool(gateway.fields.get("high_assurance")),
        authentication_timeout_mins=gateway.fields.get("authentication_timeout_mins"),
    )
    session.flush()


def mirror_roles(
    session: Session, collection: Collection, principals: list[tuple[str, str]]
) -> None:
    """Make the collection's Transfer roles the GCS ones: (principal URN, role) pairs."""
    for row in session.scalars(
        select(EndpointRole).where(EndpointRole.endpoint_id == collection.id)
    ):
        session.delete(row)
    session.flush()
    seen: set[tuple[str, str, str]] = set()
    for urn, role in principals:
        kind = "group" if urn.startswith("urn:globus:groups:id:") else "identity"
        key = (kind, urn.rsplit(":", 1)[1], role)
        if key in seen:
            continue
        seen.add(key)
        session.add(
            EndpointRole(
                id=_role_id(collection.id, *key),
                endpoint_id=collection.id,
                principal_type=kind,
                principal=key[1],
                role=role,
            )
        )
    session.flush()


def _role_id(collection_id: str, kind: str, principal: str, role: str) -> str:
    import uuid

    return str(uuid.uuid5(uuid.UUID(collection_id), f"{kind}:{principal}:{role}"))


def has_active_tasks(session: Session, collection_ids: list[str]) -> bool:
    """Whether any unfinished Transfer task reads from or writes to these collections."""
    found = session.scalar(
        select(Task.id)
        .where(
            Task.status.in_([TaskStatus.ACTIVE.value, TaskStatus.INACTIVE.value]),
            or_(
                Task.source_endpoint_id.in_(collection_ids),
                Task.destination_endpoint_id.in_(collection_ids),
            ),
        )
        .limit(1)
    )
    return found is not None


def remove(session: Session, object_id: str) -> None:
    row = session.get(Endpoint, object_id)
    if row is not None:
        transfer_endpoints.delete_endpoint(session, row)
