"""Administrator functions (CLI, test server): expose an existing directory or storage URL
as an endpoint owned by a user."""

from __future__ import annotations

import os
import typing as t

from globus_local.db import Database
from globus_local.kit.tokens import AuthContext
from globus_local.services.transfer import endpoints
from globus_local.storage import connector_for_location, is_url


def _owner(session: t.Any, username: str) -> t.Any:
    from globus_local.services.auth.identities import get_identity_by_username

    identity = get_identity_by_username(session, username)
    if identity is None:
        raise ValueError(f"no such user: {username!r}")
    return identity


def create_endpoint(
    db: Database,
    owner_username: str,
    display_name: str,
    path: str,
    *,
    storage_options: dict[str, t.Any] | None = None,
    description: str | None = None,
    public: bool = False,
) -> dict[str, t.Any]:
    """Create a Globus Connect Personal style endpoint exposing ``path``.

    ``path`` is a host directory (created if missing) or an fsspec URL such as
    ``s3://bucket/prefix`` (``storage_options`` are passed to fsspec, e.g.
    ``{"client_kwargs": {"endpoint_url": ...}}``). Returns the owner's view of the
    endpoint document.
    """
    if is_url(path) and not path.startswith("file://"):
        location = path
    else:
        local = path[len("file://") :] if path.startswith("file://") else path
        local = os.path.abspath(os.path.expanduser(local))
        os.makedirs(local, exist_ok=True)
        location = os.path.realpath(local)
    connector_for_location(location, storage_options).stat("/")  # fails early if unreachable
    with db.session() as session:
        owner = _owner(session, owner_username)
        endpoint = endpoints.new_endpoint(
            session,
            owner_id=owner.id,
            owner_string=owner.username,
            display_name=display_name,
            storage_url=location,
            storage_options=storage_options,
            is_globus_connect=True,
        )
        endpoint.description = description
        endpoint.public = public
        session.flush()
        ctx = AuthContext(
            identity_id=owner.id,
            username=owner.username,
            client_id="",
            scopes=frozenset(),
            resource_server="transfer.api.globus.org",
            identity_set=(owner.id,),
            token_hash="",
        )
        return endpoints.document(session, ctx, endpoint)


def list_endpoints(db: Database) -> list[dict[str, t.Any]]:
    """Every endpoint with its owner and storage (for ``globus-local admin``)."""
    from sqlalchemy import select

    from globus_local.services.transfer.models_endpoints import Endpoint

    with db.session() as session:
        return [
            {
                "id": e.id,
                "display_name": e.display_name,
                "owner_string": e.owner_string,
                "entity_type": e.entity_type,
                "storage_url": e.storage_url,
                "host_endpoint_id": e.host_endpoint_id,
                "host_path": e.host_path,
            }
            for e in session.scalars(select(Endpoint).order_by(Endpoint.created))
        ]
