"""Administrator functions (CLI, test server): create a GCS endpoint for a user, list them."""

from __future__ import annotations

import os
import typing as t

from sqlalchemy import select

from globus_local.db import Database
from globus_local.services.gcs import documents, endpoints, transfer_view
from globus_local.services.gcs.auth import manage_collections_scope
from globus_local.services.gcs.models import GcsEndpoint


def create_gcs_endpoint(
    db: Database,
    owner_username: str,
    display_name: str,
    *,
    manager_root: str,
    storage_dir: str,
) -> dict[str, t.Any]:
    """An endpoint owned by ``owner_username`` whose POSIX gateways live under
    ``storage_dir`` (created if missing), its manager at ``<manager_root><id>``; Auth
    learns its ``manage_collections`` scope. Returns its endpoint document."""
    from globus_local.services.auth.identities import get_identity_by_username
    from globus_local.services.auth.scopes import register_scope

    with db.session() as session:
        owner = get_identity_by_username(session, owner_username)
        if owner is None:
            raise ValueError(f"no such user: {owner_username!r}")
        endpoint = endpoints.new_endpoint(
            session, owner_id=owner.id, display_name=display_name, manager_root=manager_root
        )
        directory = os.path.realpath(os.path.join(storage_dir, endpoint.id))
        os.makedirs(directory, exist_ok=True)
        endpoint.fields = {**endpoint.fields, "storage_dir": directory}
        scope = register_scope(session, endpoint.id, "manage_collections", urn=True)
        assert scope == manage_collections_scope(endpoint.id)
        transfer_view.sync_endpoint(session, endpoint)
        return documents.endpoint_doc(endpoint)


def list_gcs_endpoints(db: Database) -> list[dict[str, t.Any]]:
    with db.session() as session:
        rows = session.scalars(select(GcsEndpoint).order_by(GcsEndpoint.created))
        return [{**documents.endpoint_doc(e), "owner_id": e.owner_id} for e in rows]
