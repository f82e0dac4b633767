"""What a GCS collection lets a caller do with its files through Transfer: a mapped
collection admits the identities its gateway maps to a storage user; a guest collection
admits whom its access rules name, for as long as its owner's user may still reach the
data; both are cut down by the gateway's restricted paths."""

from __future__ import annotations

from sqlalchemy.orm import Session

from globus_local.kit.tokens import AuthContext
from globus_local.services.gcs import connectors, mapping
from globus_local.services.gcs.models import Collection, StorageGateway
from globus_local.services.transfer import access as transfer_access
from globus_local.services.transfer.models_endpoints import Endpoint


def collection_permissions(
    session: Session, ctx: AuthContext, endpoint: Endpoint, path: str, perms: str
) -> str:
    """``perms`` (Transfer's own answer for ``path``) as the storage gateway allows it."""
    collection = session.get(Collection, endpoint.id)
    if collection is None:
        return ""
    gateway = session.get(StorageGateway, collection.storage_gateway_id)
    if gateway is None:
        return ""
    if collection.mapped_collection_id is None:
        ids = transfer_access.identities(ctx)
        mapped = any(mapping.mapped_username(session, gateway, i) for i in ids)
        perms = "rw" if mapped else ""
        gateway_path = connectors.join(collection.base_path, path)
    else:
        if mapping.mapped_username(session, gateway, collection.identity_id) is None:
            return ""
        host = session.get(Collection, collection.mapped_collection_id)
        base = host.base_path if host is not None else "/"
        gateway_path = connectors.join(connectors.join(base, collection.base_path), path)
    return mapping.restricted(gateway.fields.get("restrict_paths"), gateway_path, perms)


def register() -> None:
    from globus_local.services.gcs.transfer_view import ENTITY_GUEST, ENTITY_MAPPED

    for entity_type in (ENTITY_MAPPED, ENTITY_GUEST):
        transfer_access.register_path_policy(entity_type, collection_permissions)
