"""Who holds which role on an endpoint and its collections.

The endpoint's owner holds ``owner``; ``owner`` and ``administrator`` on the endpoint give
``administrator`` on every collection of it, and a mapped collection's administrators
administer its guest collections too. Roles name identities or groups.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from globus_local.kit.tokens import AuthContext
from globus_local.services.gcs.errors import missing_role
from globus_local.services.gcs.models import Collection, GcsEndpoint, Role
from globus_local.services.transfer.access import identities, principal_urns

ENDPOINT_ADMIN = frozenset({"owner", "administrator"})


def my_principals(session: Session, ctx: AuthContext) -> set[str]:
    """The caller's identity URNs and the URNs of their groups."""
    return principal_urns(session, ctx)


def endpoint_roles(session: Session, ctx: AuthContext, endpoint: GcsEndpoint) -> set[str]:
    roles = {"owner"} if endpoint.owner_id in identities(ctx) else set()
    urns = my_principals(session, ctx)
    rows = session.scalars(
        select(Role).where(Role.endpoint_id == endpoint.id, Role.collection_id.is_(None))
    )
    return roles | {r.role for r in rows if r.principal in urns}


def is_endpoint_admin(session: Session, ctx: AuthContext, endpoint: GcsEndpoint) -> bool:
    return bool(endpoint_roles(session, ctx, endpoint) & ENDPOINT_ADMIN)


def require_endpoint_admin(
    session: Session, ctx: AuthContext, endpoint: GcsEndpoint, doing: str
) -> None:
    if not is_endpoint_admin(session, ctx, endpoint):
        raise missing_role(
            f"Could not {doing}. Insufficient permissions",
            ("owner", None),
            ("administrator", None),
        )


def collection_roles(
    session: Session, ctx: AuthContext, endpoint: GcsEndpoint, collection: Collection
) -> set[str]:
    """The caller's roles on ``collection``, the ones it holds through the endpoint and a
    guest's mapped collection included."""
    urns = my_principals(session, ctx)
    rows = session.scalars(select(Role).where(Role.collection_id == collection.id))
    roles = {r.role for r in rows if r.principal in urns}
    if is_endpoint_admin(session, ctx, endpoint):
        roles.add("administrator")
    if collection.mapped_collection_id is not None:
        mapped = session.get(Collection, collection.mapped_collection_id)
        if mapped is not None and "administrator" in collection_roles(
            session, ctx, endpoint, mapped
        ):
            roles.add("administrator")
    return roles


def is_collection_admin(
    session: Session, ctx: AuthContext, endpoint: GcsEndpoint, collection: Collection
) -> bool:
    return "administrator" in collection_roles(session, ctx, endpoint, collection)


def require_collection_admin(
    session: Session,
    ctx: AuthContext,
    endpoint: GcsEndpoint,
    collection: Collection,
    doing: str,
) -> None:
    if not is_collection_admin(session, ctx, endpoint, collection):
        raise missing_role(
            f"Could not {doing}. Insufficient permissions",
            ("administrator", collection.id),
        )
