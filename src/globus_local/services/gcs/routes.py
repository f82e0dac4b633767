"""The GCS Manager API of each endpoint, at ``/gcs/<endpoint_id>/api/...``: routes parse
the request, call the logic and wrap its documents in the result envelope."""

from __future__ import annotations

import typing as t

from fastapi import Body, Query, Request

from globus_local.kit.params import parse_csv, parse_uuid
from globus_local.kit.router import ServiceRouter
from globus_local.kit.session import DbSession
from globus_local.services.gcs import (
    access,
    collections,
    credentials,
    documents,
    endpoints,
    gateways,
    roles,
    transfer_view,
)
from globus_local.services.gcs.auth import GCSAuth
from globus_local.services.gcs.paging import page

router = ServiceRouter()

JsonBody = t.Annotated[dict[str, t.Any], Body()]
Include = t.Annotated[str | None, Query()]
PageSize = t.Annotated[str | None, Query()]
Marker = t.Annotated[str | None, Query()]


def _paged(docs: list[dict[str, t.Any]], page_size: str | None, marker: str | None) -> dict:
    chunk, next_marker = page(docs, page_size, marker)
    return documents.result(chunk, marker=next_marker)


@router.get("/{endpoint_id}/api/info")
def get_info(request: Request, endpoint_id: str, db: DbSession) -> dict[str, t.Any]:
    endpoint = endpoints.get_endpoint(db, endpoint_id)
    host = request.url.hostname or "localhost"
    return documents.result(documents.info_docs(endpoint, host))


# -- endpoint ------------------------------------------------------------------------------
@router.get("/{endpoint_id}/api/endpoint")
def get_endpoint(endpoint_id: str, db: DbSession, ctx: GCSAuth) -> dict[str, t.Any]:
    endpoint = endpoints.get_endpoint(db, endpoint_id)
    return documents.result([documents.endpoint_doc(endpoint)])


@router.patch("/{endpoint_id}/api/endpoint")
def update_endpoint(
    endpoint_id: str, body: JsonBody, db: DbSession, ctx: GCSAuth, include: Include = None
) -> dict[str, t.Any]:
    endpoint = endpoints.get_endpoint(db, endpoint_id)
    access.require_endpoint_admin(db, ctx, endpoint, "update endpoint")
    endpoints.update_fields(endpoint, body)
    transfer_view.sync_endpoint(db, endpoint)
    data = [documents.endpoint_doc(endpoint)] if "endpoint" in parse_csv(include) else []
    return documents.result(data, message=f"Updated endpoint {endpoint.id}")


# -- storage gateways ----------------------------------------------------------------------
@router.get("/{endpoint_id}/api/storage_gateways")
def list_gateways(
    endpoint_id: str,
    db: DbSession,
    ctx: GCSAuth,
    include: Include = None,
    page_size: PageSize = None,
    marker: Marker = None,
) -> dict[str, t.Any]:
    endpoint = endpoints.get_endpoint(db, endpoint_id)
    private = "private_policies" in parse_csv(include) and access.is_endpoint_admin(
        db, ctx, endpoint
    )
    found = gateways.visible_gateways(db, ctx, endpoint)
    return _paged([documents.gateway_doc(g, private=private) for g in found], page_size, marker)


@router.post("/{endpoint_id}/api/storage_gateways", status_code=201)
def create_gateway(
    endpoint_id: str, body: JsonBody, db: DbSession, ctx: GCSAuth
) -> dict[str, t.Any]:
    endpoint = endpoints.get_endpoint(db, endpoint_id)
    access.require_endpoint_admin(db, ctx, endpoint, "create storage gateway")
    gateway = gateways.create_gateway(db, endpoint, body)
    return documents.result(
        [documents.gateway_doc(gateway, private=True)], status=201, detail="created"
    )


@router.get("/{endpoint_id}/api/storage_gateways/{gateway_id}")
def get_gateway(
    endpoint_id: str, gateway_id: str, db: DbSession, ctx: GCSAuth, include: Include = None
) -> dict[str, t.Any]:
    endpoint = endpoints.get_endpoint(db, endpoint_id)
    gateway = gateways.get_gateway(db, endpoint, gateway_id)
    if not gateways.may_use(db, ctx, endpoint, gateway):
        access.require_endpoint_admin(db, ctx, endpoint, "view storage gateway")
    private = "private_policies" in parse_csv(include) and access.is_endpoint_admin(
        db, ctx, endpoint
    )
    return documents.result([documents.gateway_doc(gateway, private=private)])


@router.patch("/{endpoint_id}/api/storage_gateways/{gateway_id}")
def update_gateway(
    endpoint_id: str, gateway_id: str, body: JsonBody, db: DbSession, ctx: GCSAuth
) -> dict[str, t.Any]:
    endpoint = endpoints.get_endpoint(db, endpoint_id)
    access.require_endpoint_admin(db, ctx, endpoint, "update storage gateway")
    gateway = gateways.get_gateway(db, endpoint, gateway_id)
    gateways.update_gateway(gateway, endpoint, body)
    return documents.result([documents.gateway_doc(gateway, private=True)])


@router.delete("/{endpoint_id}/api/storage_gateways/{gateway_id}")
def delete_gateway(
    endpoint_id: str, gateway_id: str, db: DbSession, ctx: GCSAuth
) -> dict[str, t.Any]:
    endpoint = endpoints.get_endpoint(db, endpoint_id)
    access.require_endpoint_admin(db, ctx, endpoint, "delete storage gateway")
    gateway = gateways.get_gateway(db, endpoint, gateway_id)
    gateways.delete_gateway(db, gateway)
    return documents.result([], message=f"Deleted storage gateway {gateway.id}")


# -- collections ---------------------------------------------------------------------------
def _collection_doc(
    db: t.Any, ctx: t.Any, endpoint: t.Any, c: t.Any, include: str | None
) -> dict[str, t.Any]:
    return collections.document(
        db, ctx, endpoint, c, private="private_policies" in parse_csv(include)
    )


@router.get("/{endpoint_id}/api/collections")
def list_collections(
    endpoint_id: str,
    db: DbSession,
    ctx: GCSAuth,
    include: Include = None,
    filter: t.Annotated[str | None, Query()] = None,  # noqa: A002 (the API's name)
    mapped_collection_id: t.Annotated[str | None, Query()] = None,
    storage_gateway_id: t.Annotated[str | None, Query()] = None,
    page_size: PageSize = None,
    marker: Marker = None,
) -> dict[str, t.Any]:
    endpoint = endpoints.get_endpoint(db, endpoint_id)
    found = collections.list_collections(
        db,
        ctx,
        endpoint,
        filters=parse_csv(filter),
        mapped_collection_id=mapped_collection_id
        and parse_uuid(mapped_collection_id, "mapped_collection_id"),
        storage_gateway_id=storage_gateway_id
        and parse_uuid(storage_gateway_id, "storage_gateway_id"),
    )
    docs = [_collection_doc(db, ctx, endpoint, c, include) for c in found]
    return _paged(docs, page_size, marker)


@router.post("/{endpoint_id}/api/collections", status_code=201)
def create_collection(
    endpoint_id: str, body: JsonBody, db: DbSession, ctx: GCSAuth
) -> dict[str, t.Any]:
    endpoint = endpoints.get_endpoint(db, endpoint_id)
    collection = collections.create_collection(db, ctx, endpoint, body)
    doc = _collection_doc(db, ctx, endpoint, collection, "private_policies")
    return documents.result([doc], status=201, detail="created")


@router.get("/{endpoint_id}/api/collections/{collection_id}")
def get_collection(
    endpoint_id: str, collection_id: str, db: DbSession, ctx: GCSAuth, include: Include = None
) -> dict[str, t.Any]:
    endpoint = endpoints.get_endpoint(db, endpoint_id)
    collection = collections.visible_collection(db, ctx, endpoint, collection_id)
    return documents.result([_collection_doc(db, ctx, endpoint, collection, include)])


@router.patch("/{endpoint_id}/api/collections/{collection_id}")
def update_collection(
    endpoint_id: str, collection_id: str, body: JsonBody, db: DbSession, ctx: GCSAuth
) -> dict[str, t.Any]:
    endpoint = endpoints.get_endpoint(db, endpoint_id)
    collection = collections.visible_collection(db, ctx, endpoint, collection_id)
    collections.update_collection(db, ctx, endpoint, collection, body)
    doc = _collection_doc(db, ctx, endpoint, collection, "private_policies")
    return documents.result([doc], message=f"Updated collection {collection.id}")


@router.delete("/{endpoint_id}/api/collections/{collection_id}")
def delete_collection(
    endpoint_id: str, collection_id: str, db: DbSession, ctx: GCSAuth
) -> dict[str, t.Any]:
    endpoint = endpoints.get_endpoint(db, endpoint_id)
    collection = collections.visible_collection(db, ctx, endpoint, collection_id)
    collections.delete_collection(db, ctx, endpoint, collection)
    return documents.result([], message=f"Deleted collection {collection_id}")


# -- roles ---------------------------------------------------------------------------------
@router.get("/{endpoint_id}/api/roles")
def list_roles(
    endpoint_id: str,
    db: DbSession,
    ctx: GCSAuth,
    collection_id: t.Annotated[str | None, Query()] = None,
    include: Include = None,
    page_size: PageSize = None,
    marker: Marker = None,
) -> dict[str, t.Any]:
    endpoint = endpoints.get_endpoint(db, endpoint_id)
    found = roles.list_roles(db, ctx, endpoint, collection_id, "all_roles" in parse_csv(include))
    return _paged([documents.role_doc(r) for r in found], page_size, marker)


@router.post("/{endpoint_id}/api/roles")
def create_role(endpoint_id: str, body: JsonBody, db: DbSession, ctx: GCSAuth) -> dict[str, t.Any]:
    endpoint = endpoints.get_endpoint(db, endpoint_id)
    role = roles.create_role(db, ctx, endpoint, body)
    return documents.result([documents.role_doc(role)], message=f"Created role {role.id}")


@router.get("/{endpoint_id}/api/roles/{role_id}")
def get_role(endpoint_id: str, role_id: str, db: DbSession, ctx: GCSAuth) -> dict[str, t.Any]:
    endpoint = endpoints.get_endpoint(db, endpoint_id)
    return documents.result([documents.role_doc(roles.get_role(db, ctx, endpoint, role_id))])


@router.delete("/{endpoint_id}/api/roles/{role_id}")
def delete_role(endpoint_id: str, role_id: str, db: DbSession, ctx: GCSAuth) -> dict[str, t.Any]:
    endpoint = endpoints.get_endpoint(db, endpoint_id)
    role = roles.get_role(db, ctx, endpoint, role_id)
    roles.delete_role(db, ctx, endpoint, role)
    return documents.result([], message=f"Deleted role {role.id}")


# -- user credentials ----------------------------------------------------------------------
@router.get("/{endpoint_id}/api/user_credentials")
def list_credentials(
    endpoint_id: str,
    db: DbSession,
    ctx: GCSAuth,
    storage_gateway: t.Annotated[str | None, Query()] = None,
    page_size: PageSize = None,
    marker: Marker = None,
) -> dict[str, t.Any]:
    endpoint = endpoints.get_endpoint(db, endpoint_id)
    gateway_id = storage_gateway and parse_uuid(storage_gateway, "storage_gateway")
    found = credentials.list_credentials(db, ctx, endpoint, gateway_id)
    docs = [documents.credential_doc(c, g.connector_id) for c, g in found]
    return _paged(docs, page_size, marker)


@router.post("/{endpoint_id}/api/user_credentials", status_code=201)
def create_credential(
    endpoint_id: str, body: JsonBody, db: DbSession, ctx: GCSAuth
) -> dict[str, t.Any]:
    endpoint = endpoints.get_endpoint(db, endpoint_id)
    credential, gateway = credentials.create_credential(db, ctx, endpoint, body)
    return documents.result(
        [documents.credential_doc(credential, gateway.connector_id)],
        status=201,
        detail="created",
        message=f"Created User Credential {credential.id}",
    )


@router.get("/{endpoint_id}/api/user_credentials/{credential_id}")
def get_credential(
    endpoint_id: str, credential_id: str, db: DbSession, ctx: GCSAuth
) -> dict[str, t.Any]:
    endpoint = endpoints.get_endpoint(db, endpoint_id)
    credential, gateway = credentials.get_credential(db, ctx, endpoint, credential_id)
    return documents.result([documents.credential_doc(credential, gateway.connector_id)])


@router.patch("/{endpoint_id}/api/user_credentials/{credential_id}")
@router.put("/{endpoint_id}/api/user_credentials/{credential_id}")
def update_credential(
    endpoint_id: str, credential_id: str, body: JsonBody, db: DbSession, ctx: GCSAuth
) -> dict[str, t.Any]:
    endpoint = endpoints.get_endpoint(db, endpoint_id)
    credential, gateway = credentials.get_credential(db, ctx, endpoint, credential_id)
    credentials.update_credential(credential, gateway, body)
    return documents.result(
        [documents.credential_doc(credential, gateway.connector_id)],
        message=f"Updated User Credential {credential.id}",
    )


@router.delete("/{endpoint_id}/api/user_credentials/{credential_id}")
def delete_credential(
    endpoint_id: str, credential_id: str, db: DbSession, ctx: GCSAuth
) -> dict[str, t.Any]:
    endpoint = endpoints.get_endpoint(db, endpoint_id)
    credential, _gateway = credentials.get_credential(db, ctx, endpoint, credential_id)
    credentials.delete_credential(db, credential)
    return documents.result([], message=f"Deleted User Credential {credential.id}")
