"""Mapped and guest collections: validating their documents, who sees and changes them,
and keeping their Transfer face in step."""

from __future__ import annotations

import typing as t
import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from globus_local.kit.errors import Conflict, Forbidden, NotFound
from globus_local.kit.tokens import AuthContext
from globus_local.services.gcs import (
    access,
    connectors,
    documents,
    gateways,
    mapping,
    transfer_view,
)
from globus_local.services.gcs.errors import invalid_input
from globus_local.services.gcs.models import (
    Collection,
    GcsEndpoint,
    Role,
    StorageGateway,
    UserCredential,
)
from globus_local.services.transfer.access import identities
from globus_local.storage import normalize
from globus_local.storage.errors import StorageError

FILTERS = ("mapped_collections", "guest_collections", "managed_by_me", "created_by_me")
_STR = (
    "display_name",
    "contact_email",
    "contact_info",
    "default_directory",
    "department",
    "description",
    "info_link",
    "organization",
    "user_message",
    "user_message_link",
    "domain_name",
    "restrict_transfers_to_high_assurance",
    "guest_auth_policy_id",
)
_BOOL = (
    "public",
    "force_encryption",
    "disable_verify",
    "force_verify",
    "enable_https",
    "allow_guest_collections",
    "disable_anonymous_writes",
    "delete_protected",
    "skip_auto_delete",
    "preserve_modtime",
)
_INT = ("acl_expiration_mins", "auto_delete_timeout")
_LIST = ("keywords", "sharing_users_allow", "sharing_users_deny", "https_methods")
_DOC = ("policies", "activity_notification_policy", "associated_flow_policy")
_MAPPED_ONLY = (
    "allow_guest_collections",
    "sharing_users_allow",
    "sharing_users_deny",
    "sharing_restrict_paths",
    "policies",
    "domain_name",
    "disable_anonymous_writes",
)
# Sent back by clients that edit a fetched document; never changed by a request.
_READ_ONLY = frozenset(
    {
        "DATA_TYPE",
        "id",
        "collection_type",
        "connector_id",
        "connector_display_name",
        "manager_url",
        "https_url",
        "tlsftp_url",
        "high_assurance",
        "authentication_timeout_mins",
        "authentication_assurance_timeout",
        "require_high_assurance",
        "require_mfa",
        "root_path",
        "created_at",
        "last_access",
        "deleted",
        "host_endpoint_id",
        "subscription_admin_verified",
    }
)
_IMMUTABLE = (
    "collection_base_path",
    "storage_gateway_id",
    "mapped_collection_id",
    "user_credential_id",
)


def get_collection(session: Session, endpoint: GcsEndpoint, collection_id: str) -> Collection:
    try:
        key = str(uuid.UUID(collection_id))
    except ValueError:
        raise NotFound(f"No collection '{collection_id}'") from None
    collection = session.get(Collection, key)
    if collection is None or collection.endpoint_id != endpoint.id:
        raise NotFound(f"No collection '{collection_id}'")
    return collection


def root_path(session: Session, collection: Collection) -> str:
    """The collection's root as a path on its storage gateway."""
    if collection.mapped_collection_id is None:
        return connectors.clean_path(collection.base_path)
    mapped = session.get(Collection, collection.mapped_collection_id)
    base = mapped.base_path if mapped is not None else "/"
    return connectors.join(base, collection.base_path)


def can_view(session: Session, ctx: AuthContext, endpoint: GcsEndpoint, c: Collection) -> bool:
    if c.fields.get("public") or c.created_by in identities(ctx):
        return True
    return bool(access.collection_roles(session, ctx, endpoint, c))


def visible_collection(
    session: Session, ctx: AuthContext, endpoint: GcsEndpoint, collection_id: str
) -> Collection:
    collection = get_collection(session, endpoint, collection_id)
    if not can_view(session, ctx, endpoint, collection):
        raise Forbidden(f"Could not access collection {collection.id}. Insufficient permissions")
    return collection


def list_collections(
    session: Session,
    ctx: AuthContext,
    endpoint: GcsEndpoint,
    *,
    filters: list[str],
    mapped_collection_id: str | None,
    storage_gateway_id: str | None,
) -> list[Collection]:
    for name in filters:
        if name not in FILTERS:
            raise invalid_input(f"filter must be among {', '.join(FILTERS)}", "filter")
    query = (
        select(Collection)
        .where(Collection.endpoint_id == endpoint.id)
        .order_by(Collection.created, Collection.id)
    )
    if "mapped_collections" in filters and "guest_collections" not in filters:
        query = query.where(Collection.collection_type == "mapped")
    if "guest_collections" in filters and "mapped_collections" not in filters:
        query = query.where(Collection.collection_type == "guest")
    if "created_by_me" in filters:
        query = query.where(Collection.created_by.in_(identities(ctx)))
    if mapped_collection_id is not None:
        query = query.where(Collection.mapped_collection_id == mapped_collection_id)
    if storage_gateway_id is not None:
        query = query.where(Collection.storage_gateway_id == storage_gateway_id)
    found = []
    for collection in session.scalars(query):
        if "managed_by_me" in filters:
            if not access.is_collection_admin(session, ctx, endpoint, collection):
                continue
        elif not can_view(session, ctx, endpoint, collection):
            continue
        found.append(collection)
    return found


def _apply(collection: Collection, data: dict[str, t.Any]) -> None:
    fields = dict(collection.fields)
    guest = collection.collection_type == "guest"
    for key, value in data.items():
        if key in _READ_ONLY or key in _IMMUTABLE or key == "identity_id":
            continue
        if guest and key in _MAPPED_ONLY:
            raise invalid_input(f"{key} applies to mapped collections only", key)
        if value is None:  # JSON null removes a setting
            fields.pop(key, None)
            continue
        if key in _STR:
            ok = isinstance(value, str)
        elif key in _BOOL:
            ok = isinstance(value, bool)
        elif key in _INT:
            ok = isinstance(value, int) and not isinstance(value, bool)
        elif key in _LIST:
            ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
        elif key in _DOC:
            ok = isinstance(value, dict)
        elif key == "sharing_restrict_paths":
            value, ok = mapping.check_restrictions(value, key), True
        else:
            raise invalid_input(f"Unknown collection field '{key}'", key)
        if not ok:
            raise invalid_input(f"{key} has the wrong type", key)
        fields[key] = value
    name = fields.get("display_name")
    if not isinstance(name, str) or not name.strip() or len(name) > 128:
        raise invalid_input("display_name must be 1 to 128 characters", "display_name")
    message = fields.get("user_message")
    if isinstance(message, str) and len(message) > 256:
        raise invalid_input("user_message is at most 256 characters", "user_message")
    collection.fields = fields


def _check_data_type(data: dict[str, t.Any]) -> None:
    data_type = data.get("DATA_TYPE", "collection#1.0.0")
    if not isinstance(data_type, str) or not data_type.startswith("collection#1."):
        raise invalid_input("DATA_TYPE must be a collection#1.x document", "DATA_TYPE")


def _base_path(data: dict[str, t.Any]) -> str:
    raw = data.get("collection_base_path")
    if not isinstance(raw, str) or not raw.strip():
        raise invalid_input("collection_base_path is required", "collection_base_path")
    try:
        return normalize(raw)
    except StorageError:
        raise invalid_input(
            "collection_base_path leaves the storage", "collection_base_path"
        ) from None


def _storage_dir(endpoint: GcsEndpoint) -> str:
    return gateways.endpoint_storage(endpoint)


def _check_directory(endpoint: GcsEndpoint, gateway: StorageGateway, gateway_path: str) -> None:
    """A POSIX collection's root must be an existing directory of the gateway."""
    if gateway.connector_id != connectors.POSIX:
        return
    from globus_local.storage import connector_for_location

    try:
        root = gateways.posix_root(endpoint, gateway)
        info = connector_for_location(root).stat(gateway_path, follow=True)
    except StorageError as exc:
        raise invalid_input(
            f"collection_base_path '{gateway_path}' is not usable: {exc.message}",
            "collection_base_path",
        ) from None
    if info.type != "dir":
        raise invalid_input(f"'{gateway_path}' is not a directory", "collection_base_path")


def create_collection(
    session: Session, ctx: AuthContext, endpoint: GcsEndpoint, data: dict[str, t.Any]
) -> Collection:
    _check_data_type(data)
    kind = data.get("collection_type", "mapped")
    if kind not in ("mapped", "guest"):
        raise invalid_input("collection_type must be mapped or guest", "collection_type")
    identity_id = str(data.get("identity_id") or ctx.identity_id)
    base_path = _base_path(data)
    if kind == "mapped":
        access.require_endpoint_admin(session, ctx, endpoint, "create mapped collection")
        gateway = gateways.get_gateway(session, endpoint, str(data.get("storage_gateway_id", "")))
        _check_directory(endpoint, gateway, base_path)
        collection = Collection(
            id=str(uuid.uuid4()),
            endpoint_id=endpoint.id,
            collection_type="mapped",
            storage_gateway_id=gateway.id,
            identity_id=identity_id,
            created_by=ctx.identity_id,
            base_path=base_path,
            fields={"public": True, "allow_guest_collections": False},
        )
    else:
        collection, gateway = _new_guest(session, ctx, endpoint, data, identity_id, base_path)
    _apply(collection, data)
    session.add(collection)
    session.flush()
    session.add(
        Role(
            id=str(uuid.uuid4()),
            endpoint_id=endpoint.id,
            collection_id=collection.id,
            principal=f"urn:globus:auth:identity:{ctx.identity_id}",
            role="administrator",
        )
    )
    session.flush()
    transfer_view.sync_collection(
        session, endpoint, collection, gateway, storage_dir=_storage_dir(endpoint)
    )
    mirror_roles(session, endpoint, collection.id)
    _register_scopes(session, collection)
    return collection


def _register_scopes(session: Session, collection: Collection) -> None:
    """Auth learns the collection's scopes, which clients ask for by its id (a mapped
    collection's ``data_access`` as a dependency of Transfer's scope, ``https``)."""
    from globus_local.services.auth.scopes import register_scope

    names = ("data_access", "https") if collection.collection_type == "mapped" else ("https",)
    for name in names:
        register_scope(session, collection.id, name)


def _new_guest(
    session: Session,
    ctx: AuthContext,
    endpoint: GcsEndpoint,
    data: dict[str, t.Any],
    identity_id: str,
    base_path: str,
) -> tuple[Collection, StorageGateway]:
    """A guest collection the caller may share: the mapped collection allows guests, the
    credential is the caller's and the gateway lets its user reach the path."""
    if identity_id not in identities(ctx):
        raise Forbidden(
            "A guest collection is owned by the identity that creates it",
            detail={"DATA_TYPE": "id_not_in_identity_set#1.0.0"},
        )
    mapped = get_collection(session, endpoint, str(data.get("mapped_collection_id", "")))
    if mapped.collection_type != "mapped":
        raise invalid_input(
            "mapped_collection_id must name a mapped collection", "mapped_collection_id"
        )
    if not mapped.fields.get("allow_guest_collections"):
        raise Forbidden(f"Mapped collection {mapped.id} does not allow guest collections")
    gateway = session.get(StorageGateway, mapped.storage_gateway_id)
    assert gateway is not None  # a collection's gateway cannot be deleted under it
    credential = session.get(UserCredential, str(data.get("user_credential_id", "")))
    if credential is None or credential.storage_gateway_id != gateway.id:
        raise invalid_input(
            "user_credential_id must name a credential on the mapped collection's gateway",
            "user_credential_id",
        )
    if credential.identity_id != identity_id:
        raise Forbidden(
            "The user credential belongs to another identity",
            detail={"DATA_TYPE": "not_resource_owner#1.0.0"},
        )
    username = mapping.mapped_username(session, gateway, identity_id)
    allow = mapped.fields.get("sharing_users_allow") or []
    deny = mapped.fields.get("sharing_users_deny") or []
    if username is None or (allow and username not in allow) or username in deny:
        raise Forbidden(f"Your identity may not share data from collection {mapped.id}")
    gateway_path = connectors.join(mapped.base_path, base_path)
    restrictions = mapped.fields.get("sharing_restrict_paths")
    if (
        mapping.restricted(gateway.fields.get("restrict_paths"), gateway_path, "rw") == ""
        or mapping.restricted(restrictions, base_path, "rw") == ""
    ):
        raise Forbidden(f"Sharing '{base_path}' is not allowed on collection {mapped.id}")
    _check_directory(endpoint, gateway, gateway_path)
    collection = Collection(
        id=str(uuid.uuid4()),
        endpoint_id=endpoint.id,
        collection_type="guest",
        storage_gateway_id=gateway.id,
        mapped_collection_id=mapped.id,
        user_credential_id=credential.id,
        identity_id=identity_id,
        created_by=ctx.identity_id,
        base_path=base_path,
        fields={"public": False},
    )
    return collection, gateway


def update_collection(
    session: Session,
    ctx: AuthContext,
    endpoint: GcsEndpoint,
    collection: Collection,
    data: dict[str, t.Any],
) -> None:
    access.require_collection_admin(session, ctx, endpoint, collection, "update collection")
    _check_data_type(data)
    if data.get("collection_type", collection.collection_type) != collection.collection_type:
        raise invalid_input("collection_type cannot be changed", "collection_type")
    current = {
        "collection_base_path": collection.base_path,
        "storage_gateway_id": collection.storage_gateway_id,
        "mapped_collection_id": collection.mapped_collection_id,
        "user_credential_id": collection.user_credential_id,
    }
    for key in _IMMUTABLE:
        if (
            key in data
            and data[key] != current[key]
            and not (key == "collection_base_path" and _base_path(data) == collection.base_path)
        ):
            raise invalid_input(f"{key} cannot be changed", key)
    _apply(collection, data)
    gateway = session.get(StorageGateway, collection.storage_gateway_id)
    assert gateway is not None
    transfer_view.sync_collection(
        session, endpoint, collection, gateway, storage_dir=_storage_dir(endpoint)
    )


def delete_collection(
    session: Session, ctx: AuthContext, endpoint: GcsEndpoint, collection: Collection
) -> None:
    """Delete a collection (a mapped one with its guest collections), unless protected or
    still used by unfinished transfers."""
    access.require_collection_admin(session, ctx, endpoint, collection, "delete collection")
    if collection.fields.get("delete_protected"):
        raise Conflict(
            f"Collection {collection.id} is delete protected; set delete_protected to false first"
        )
    guests = list(
        session.scalars(select(Collection).where(Collection.mapped_collection_id == collection.id))
    )
    doomed = [*guests, collection]
    if transfer_view.has_active_tasks(session, [c.id for c in doomed]):
        raise Conflict(
            f"Collection {collection.id} has active transfer tasks; cancel them or wait for "
            "them to finish before deleting it",
            detail={"DATA_TYPE": "resource_conflict#1.0.0", "resource_id": collection.id},
        )
    for item in doomed:
        transfer_view.remove(session, item.id)
        for role in session.scalars(select(Role).where(Role.collection_id == item.id)):
            session.delete(role)
        session.flush()
        session.delete(item)
        session.flush()


def mirror_roles(session: Session, endpoint: GcsEndpoint, collection_id: str | None) -> None:
    """Give a collection's Transfer endpoint (every collection's, for an endpoint role) its
    GCS roles: the collection's own and its owner as ``administrator``; the endpoint's
    owner and administrators as ``activity_manager`` and its activity roles as they are,
    so they watch and manage tasks without reaching the data."""
    query = select(Collection).where(Collection.endpoint_id == endpoint.id)
    if collection_id is not None:
        query = query.where(Collection.id == collection_id)
    endpoint_pairs = [(f"urn:globus:auth:identity:{endpoint.owner_id}", "activity_manager")]
    for role in session.scalars(
        select(Role).where(Role.endpoint_id == endpoint.id, Role.collection_id.is_(None))
    ):
        as_activity = "activity_manager" if role.role in access.ENDPOINT_ADMIN else role.role
        endpoint_pairs.append((role.principal, as_activity))
    for collection in session.scalars(query):
        rows = session.scalars(select(Role).where(Role.collection_id == collection.id))
        pairs = [(r.principal, r.role) for r in rows]
        pairs.append((f"urn:globus:auth:identity:{collection.identity_id}", "administrator"))
        transfer_view.mirror_roles(session, collection, [*pairs, *endpoint_pairs])


def document(
    session: Session,
    ctx: AuthContext,
    endpoint: GcsEndpoint,
    collection: Collection,
    *,
    private: bool,
) -> dict[str, t.Any]:
    """The collection's document; private policies only when asked for by an administrator."""
    gateway = session.get(StorageGateway, collection.storage_gateway_id)
    assert gateway is not None
    return documents.collection_doc(
        collection,
        endpoint,
        gateway,
        private=private and access.is_collection_admin(session, ctx, endpoint, collection),
        root_path=root_path(session, collection),
    )
