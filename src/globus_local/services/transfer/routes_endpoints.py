"""Endpoint routes (§1.3–1.5, §1.11 endpoint views): CRUD, search, activation, shares,
servers, roles, subscription."""

from __future__ import annotations

import typing as t

from fastapi import Body, Request
from fastapi.responses import JSONResponse

from globus_local.kit.params import path_parameters, query_bool, query_int
from globus_local.kit.router import ServiceRouter
from globus_local.kit.session import DbSession
from globus_local.services.transfer import access, endpoints, roles
from globus_local.services.transfer import endpoint_search as search
from globus_local.services.transfer.auth import TransferAuth, require_transfer_token
from globus_local.services.transfer.documents import (
    activation_doc,
    result_doc,
    role_doc,
    server_doc,
)

router = ServiceRouter()

JsonBody = t.Annotated[dict[str, t.Any], Body()]
OptionalBody = t.Annotated[dict[str, t.Any] | None, Body()]


def _endpoint_list(data: list[dict[str, t.Any]]) -> dict[str, t.Any]:
    return {"DATA_TYPE": "endpoint_list", "DATA": data}


# -- endpoint CRUD -------------------------------------------------------------------------
@router.get("/endpoint/{endpoint_id}", openapi_extra=path_parameters("endpoint_id"))
async def get_endpoint(request: Request) -> JSONResponse:
    """Clients poll this, so it skips FastAPI's dependency solving: the token check and the
    path parameter are taken here (the parameter is documented by ``openapi_extra``)."""
    ctx = await require_transfer_token(request)
    endpoint_id = request.path_params["endpoint_id"]
    return JSONResponse(await endpoints.document_by_id(request.app.state.db, ctx, endpoint_id))


@router.post("/endpoint")
def create_endpoint(
    request: Request, body: JsonBody, db: DbSession, ctx: TransferAuth
) -> dict[str, t.Any]:
    endpoint = endpoints.create_endpoint_api(db, ctx, body, request.app.state.settings.data_dir)
    return result_doc(
        request,
        "Created",
        "Endpoint created successfully",
        "endpoint_create_result",
        id=endpoint.id,
        canonical_name=endpoints.document(db, ctx, endpoint)["canonical_name"],
        globus_connect_setup_key=endpoint.globus_connect_setup_key,
    )


@router.put("/endpoint/{endpoint_id}")
def update_endpoint(
    request: Request, endpoint_id: str, body: JsonBody, db: DbSession, ctx: TransferAuth
) -> dict[str, t.Any]:
    endpoint = access.endpoint_for(db, ctx, endpoint_id, need="write")
    endpoints.update_endpoint(db, ctx, endpoint, body)
    return result_doc(request, "Updated", "Endpoint updated successfully")


@router.delete("/endpoint/{endpoint_id}")
def delete_endpoint(
    request: Request, endpoint_id: str, db: DbSession, ctx: TransferAuth
) -> dict[str, t.Any]:
    endpoint = access.endpoint_for(db, ctx, endpoint_id, need="write")
    endpoints.delete_endpoint(db, endpoint)
    return result_doc(request, "Deleted", "Endpoint deleted successfully")


@router.put("/endpoint/{endpoint_id}/subscription")
def set_subscription(
    request: Request, endpoint_id: str, body: JsonBody, db: DbSession, ctx: TransferAuth
) -> dict[str, t.Any]:
    endpoint = access.endpoint_for(db, ctx, endpoint_id, need="write")
    endpoints.set_subscription(endpoint, body)
    return result_doc(request, "Updated", "Endpoint updated successfully")


# -- search ----------------------------------------------------------------------------------
@router.get("/endpoint_search")
def endpoint_search(
    db: DbSession,
    ctx: TransferAuth,
    filter_fulltext: str | None = None,
    filter_scope: str | None = None,
    filter_owner_id: str | None = None,
    filter_host_endpoint: str | None = None,
    filter_non_functional: str | None = None,
    filter_entity_type: str | None = None,
    limit: str | None = None,
    offset: str | None = None,
) -> dict[str, t.Any]:
    return search.search_page(
        db,
        ctx,
        limit=query_int(limit, "limit", 25, minimum=1),
        offset=query_int(offset, "offset", 0),
        scope=filter_scope or "all",
        fulltext=filter_fulltext,
        owner_id=filter_owner_id,
        host_endpoint=filter_host_endpoint,
        non_functional=query_bool(filter_non_functional, "filter_non_functional"),
        entity_type=filter_entity_type,
    )


# -- activation (endpoints here never need it) -------------------------------------------
@router.post("/endpoint/{endpoint_id}/autoactivate")
def autoactivate(
    request: Request,
    endpoint_id: str,
    db: DbSession,
    ctx: TransferAuth,
    if_expires_in: str | None = None,
) -> dict[str, t.Any]:
    access.endpoint_for(db, ctx, endpoint_id, need="read")
    query_int(if_expires_in, "if_expires_in", 0, minimum=-1)
    return activation_doc(
        request, "activation_result", "AlreadyActivated", "Endpoint does not need activation"
    )


@router.post("/endpoint/{endpoint_id}/activate")
def activate(
    request: Request,
    endpoint_id: str,
    db: DbSession,
    ctx: TransferAuth,
    body: OptionalBody = None,
) -> dict[str, t.Any]:
    access.endpoint_for(db, ctx, endpoint_id, need="read")
    return activation_doc(
        request,
        "activation_result",
        "AutoActivated.CachedCredential",
        "Endpoint activated using a cached credential; it never expires",
    )


@router.post("/endpoint/{endpoint_id}/deactivate")
def deactivate(
    request: Request, endpoint_id: str, db: DbSession, ctx: TransferAuth
) -> dict[str, t.Any]:
    access.endpoint_for(db, ctx, endpoint_id, need="read")
    return result_doc(
        request,
        "Deactivated",
        "Endpoint does not use activation; it stays usable",
    )


@router.get("/endpoint/{endpoint_id}/activation_requirements")
def activation_requirements(
    request: Request, endpoint_id: str, db: DbSession, ctx: TransferAuth
) -> dict[str, t.Any]:
    access.endpoint_for(db, ctx, endpoint_id, need="read")
    return activation_doc(request, "activation_requirements")


# -- shared endpoints ----------------------------------------------------------------------
@router.post("/shared_endpoint")
def create_shared_endpoint(
    request: Request, body: JsonBody, db: DbSession, ctx: TransferAuth
) -> dict[str, t.Any]:
    share = endpoints.create_shared_endpoint(db, ctx, body)
    return result_doc(
        request,
        "Created",
        "Shared endpoint created successfully",
        "endpoint_create_result",
        id=share.id,
        canonical_name=endpoints.document(db, ctx, share)["canonical_name"],
        globus_connect_setup_key=None,
    )


@router.get("/endpoint/{endpoint_id}/my_shared_endpoint_list")
def my_shared_endpoint_list(endpoint_id: str, db: DbSession, ctx: TransferAuth) -> dict[str, t.Any]:
    host = access.endpoint_for(db, ctx, endpoint_id, need="read")
    return _endpoint_list(endpoints.documents(db, ctx, endpoints.my_shares(db, ctx, host)))


@router.get("/endpoint/{endpoint_id}/shared_endpoint_list")
def shared_endpoint_list(
    endpoint_id: str,
    db: DbSession,
    ctx: TransferAuth,
    max_results: str | None = None,
    next_token: str | None = None,
) -> dict[str, t.Any]:
    host = access.endpoint_for(db, ctx, endpoint_id, need="read")
    size = min(query_int(max_results, "max_results", 100, minimum=1), 1000)
    start = query_int(next_token, "next_token", 0)
    shares = endpoints.visible_shares(db, ctx, host)
    more = start + size < len(shares)
    return {
        "shared_endpoints": endpoints.documents(db, ctx, shares[start : start + size]),
        "next_token": str(start + size) if more else None,
    }


# -- servers -----------------------------------------------------------------------------------
@router.get("/endpoint/{endpoint_id}/server_list")
def server_list(endpoint_id: str, db: DbSession, ctx: TransferAuth) -> dict[str, t.Any]:
    endpoint = access.endpoint_for(db, ctx, endpoint_id, need="read")
    return {
        "DATA_TYPE": "endpoint_server_list",
        "endpoint": endpoint.id,
        "DATA": [server_doc(s) for s in endpoints.servers_of(db, endpoint.id)],
    }


@router.get("/endpoint/{endpoint_id}/server/{server_id}")
def get_server(
    endpoint_id: str, server_id: str, db: DbSession, ctx: TransferAuth
) -> dict[str, t.Any]:
    endpoint = access.endpoint_for(db, ctx, endpoint_id, need="read")
    return server_doc(endpoints.get_server(db, endpoint, server_id))


@router.post("/endpoint/{endpoint_id}/server")
def add_server(
    request: Request, endpoint_id: str, body: JsonBody, db: DbSession, ctx: TransferAuth
) -> dict[str, t.Any]:
    endpoint = access.endpoint_for(db, ctx, endpoint_id, need="write")
    server = endpoints.add_server(db, endpoint, body)
    return result_doc(
        request,
        "Created",
        "Server added to endpoint successfully",
        "endpoint_server_add_result",
        id=server.id,
    )


@router.put("/endpoint/{endpoint_id}/server/{server_id}")
def update_server(
    request: Request,
    endpoint_id: str,
    server_id: str,
    body: JsonBody,
    db: DbSession,
    ctx: TransferAuth,
) -> dict[str, t.Any]:
    endpoint = access.endpoint_for(db, ctx, endpoint_id, need="write")
    server = endpoints.get_server(db, endpoint, server_id)
    endpoints.apply_server_fields(server, body)
    return result_doc(request, "Updated", "Server updated successfully", id=server.id)


@router.delete("/endpoint/{endpoint_id}/server/{server_id}")
def delete_server(
    request: Request, endpoint_id: str, server_id: str, db: DbSession, ctx: TransferAuth
) -> dict[str, t.Any]:
    endpoint = access.endpoint_for(db, ctx, endpoint_id, need="write")
    server_key = endpoints.delete_server(db, endpoint, server_id)
    return result_doc(request, "Deleted", "Server deleted successfully", id=server_key)


# -- roles -------------------------------------------------------------------------------------
@router.get("/endpoint/{endpoint_id}/role_list")
def role_list(endpoint_id: str, db: DbSession, ctx: TransferAuth) -> dict[str, t.Any]:
    endpoint = access.endpoint_for(db, ctx, endpoint_id, need="manage")
    return {
        "DATA_TYPE": "role_list",
        "DATA": [role_doc(r) for r in roles.roles_of(db, endpoint)],
    }


@router.get("/endpoint/{endpoint_id}/role/{role_id}")
def get_role(endpoint_id: str, role_id: str, db: DbSession, ctx: TransferAuth) -> dict[str, t.Any]:
    endpoint = access.endpoint_for(db, ctx, endpoint_id, need="manage")
    return role_doc(roles.get_role(db, endpoint, role_id))


@router.post("/endpoint/{endpoint_id}/role")
def create_role(
    endpoint_id: str, body: JsonBody, db: DbSession, ctx: TransferAuth
) -> dict[str, t.Any]:
    endpoint = access.endpoint_for(db, ctx, endpoint_id, need="write")
    return role_doc(roles.create_role(db, ctx, endpoint, body))


@router.delete("/endpoint/{endpoint_id}/role/{role_id}")
def delete_role(
    request: Request, endpoint_id: str, role_id: str, db: DbSession, ctx: TransferAuth
) -> dict[str, t.Any]:
    endpoint = access.endpoint_for(db, ctx, endpoint_id, need="write")
    roles.delete_role(db, endpoint, role_id)
    return result_doc(request, "Deleted", f"Role '{role_id}' deleted successfully")


# -- endpoint manager: endpoint views (§1.11) --------------------------------------------------
@router.get("/endpoint_manager/monitored_endpoints")
def monitored_endpoints(db: DbSession, ctx: TransferAuth) -> dict[str, t.Any]:
    """Endpoints on which the caller is administrator, activity manager or monitor."""
    monitored = endpoints.endpoints_with_roles(db, ctx, access.MONITOR_ROLES)
    return _endpoint_list(endpoints.documents(db, ctx, monitored))


@router.get("/endpoint_manager/endpoint/{endpoint_id}")
def manager_get_endpoint(endpoint_id: str, db: DbSession, ctx: TransferAuth) -> dict[str, t.Any]:
    endpoint = access.endpoint_for(db, ctx, endpoint_id, need="monitor")
    return endpoints.document(db, ctx, endpoint)


@router.get("/endpoint_manager/endpoint/{endpoint_id}/hosted_endpoint_list")
def hosted_endpoint_list(endpoint_id: str, db: DbSession, ctx: TransferAuth) -> dict[str, t.Any]:
    host = access.endpoint_for(db, ctx, endpoint_id, need="monitor")
    return _endpoint_list(endpoints.documents(db, ctx, endpoints.shares_of(db, host)))
