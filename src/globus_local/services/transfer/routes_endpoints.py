"""Endpoint routes (§1.3–1.5, §1.11 endpoint views): CRUD, search, activation, shares,
servers, roles, subscription."""

from __future__ import annotations

import typing as t

from fastapi import Body, Request

from globus_local.kit.router import ServiceRouter
from globus_local.kit.session import DbSession
from globus_local.services.transfer import access, endpoints, params
from globus_local.services.transfer.auth import TransferAuth
from globus_local.services.transfer.documents import result_doc, role_doc, server_doc
from globus_local.services.transfer.endpoints import bad_request

router = ServiceRouter()

JsonBody = t.Annotated[dict[str, t.Any], Body()]
OptionalBody = t.Annotated[dict[str, t.Any] | None, Body()]

SEARCH_MAX_LIMIT = 100
SEARCH_MAX_RESULTS = 1000


def _int_param(value: str | None, name: str, default: int, minimum: int = 0) -> int:
    return params.query_int(value, name, default, minimum=minimum)


def _bool_param(value: str | None, name: str) -> bool | None:
    if value is None or value == "":
        return None
    return endpoints.parse_bool(value, name)


# -- endpoint CRUD -------------------------------------------------------------------------
@router.get("/endpoint/{endpoint_id}")
def get_endpoint(endpoint_id: str, db: DbSession, ctx: TransferAuth) -> dict[str, t.Any]:
    endpoint = access.endpoint_for(db, ctx, endpoint_id, need="read")
    return endpoints.document(db, ctx, endpoint)


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
    if "subscription_id" not in body:
        raise bad_request("subscription_id is required")
    endpoints.apply_fields(endpoint, {"subscription_id": body["subscription_id"]})
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
    limit_n = _int_param(limit, "limit", 25, 1)
    offset_n = _int_param(offset, "offset", 0)
    if limit_n > SEARCH_MAX_LIMIT:
        raise bad_request(f"limit must be at most {SEARCH_MAX_LIMIT}")
    if offset_n + limit_n > SEARCH_MAX_RESULTS:
        raise bad_request(f"offset + limit must be at most {SEARCH_MAX_RESULTS}")
    found = endpoints.search(
        db,
        ctx,
        scope=filter_scope or "all",
        fulltext=filter_fulltext,
        owner_id=filter_owner_id,
        host_endpoint=filter_host_endpoint,
        non_functional=_bool_param(filter_non_functional, "filter_non_functional"),
        entity_type=filter_entity_type,
    )
    page = found[offset_n : offset_n + limit_n]
    in_use = access.endpoints_in_use(db, ctx.identity_set or (ctx.identity_id,))
    data = []
    for endpoint, rank in page:
        doc = endpoints.document(db, ctx, endpoint, in_use=in_use)
        doc["_rank"] = float(rank)
        data.append(doc)
    return {
        "DATA_TYPE": "endpoint_list",
        "limit": limit_n,
        "offset": offset_n,
        "has_next_page": offset_n + limit_n < min(len(found), SEARCH_MAX_RESULTS),
        "DATA": data,
    }


# -- activation (endpoints here never need it) -------------------------------------------
def _activation_doc(
    request: Request, data_type: str, code: str | None, message: str | None
) -> dict[str, t.Any]:
    doc: dict[str, t.Any] = {
        "DATA_TYPE": data_type,
        "activated": True,
        "expires_in": -1,
        "expire_time": None,
        "auto_activation_supported": True,
        "oauth_server": None,
        "subject": None,
        "length": 0,
        "DATA": [],
    }
    if code is not None:
        doc.update(
            code=code,
            message=message,
            request_id=getattr(request.state, "request_id", None),
            resource=result_doc(request, "", "")["resource"],
        )
    return doc


@router.post("/endpoint/{endpoint_id}/autoactivate")
def autoactivate(
    request: Request,
    endpoint_id: str,
    db: DbSession,
    ctx: TransferAuth,
    if_expires_in: str | None = None,
) -> dict[str, t.Any]:
    access.endpoint_for(db, ctx, endpoint_id, need="read")
    _int_param(if_expires_in, "if_expires_in", 0, -1)
    return _activation_doc(
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
    return _activation_doc(
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
    return _activation_doc(request, "activation_requirements", None, None)


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
    mine = [s for s in endpoints.shares_of(db, host) if access.is_owner(ctx, s)]
    in_use = access.endpoints_in_use(db, ctx.identity_set or (ctx.identity_id,))
    return {
        "DATA_TYPE": "endpoint_list",
        "DATA": [endpoints.document(db, ctx, s, in_use=in_use) for s in mine],
    }


@router.get("/endpoint/{endpoint_id}/shared_endpoint_list")
def shared_endpoint_list(
    endpoint_id: str,
    db: DbSession,
    ctx: TransferAuth,
    max_results: str | None = None,
    next_token: str | None = None,
) -> dict[str, t.Any]:
    host = access.endpoint_for(db, ctx, endpoint_id, need="read")
    size = min(_int_param(max_results, "max_results", 100, 1), 1000)
    start = _int_param(next_token, "next_token", 0)
    host_admin = access.has_need(db, ctx, host, "write")
    shares = [s for s in endpoints.shares_of(db, host) if host_admin or access.can_view(db, ctx, s)]
    page = shares[start : start + size]
    in_use = access.endpoints_in_use(db, ctx.identity_set or (ctx.identity_id,))
    more = start + size < len(shares)
    return {
        "shared_endpoints": [endpoints.document(db, ctx, s, in_use=in_use) for s in page],
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
    server = endpoints.get_server(db, endpoint, server_id)
    server_key = server.id
    db.delete(server)
    return result_doc(request, "Deleted", "Server deleted successfully", id=server_key)


# -- roles -------------------------------------------------------------------------------------
@router.get("/endpoint/{endpoint_id}/role_list")
def role_list(endpoint_id: str, db: DbSession, ctx: TransferAuth) -> dict[str, t.Any]:
    endpoint = access.endpoint_for(db, ctx, endpoint_id, need="manage")
    return {
        "DATA_TYPE": "role_list",
        "DATA": [role_doc(r) for r in endpoints.roles_of(db, endpoint)],
    }


@router.get("/endpoint/{endpoint_id}/role/{role_id}")
def get_role(endpoint_id: str, role_id: str, db: DbSession, ctx: TransferAuth) -> dict[str, t.Any]:
    endpoint = access.endpoint_for(db, ctx, endpoint_id, need="manage")
    return role_doc(endpoints.get_role(db, endpoint, role_id))


@router.post("/endpoint/{endpoint_id}/role")
def create_role(
    endpoint_id: str, body: JsonBody, db: DbSession, ctx: TransferAuth
) -> dict[str, t.Any]:
    endpoint = access.endpoint_for(db, ctx, endpoint_id, need="write")
    return role_doc(endpoints.create_role(db, ctx, endpoint, body))


@router.delete("/endpoint/{endpoint_id}/role/{role_id}")
def delete_role(
    request: Request, endpoint_id: str, role_id: str, db: DbSession, ctx: TransferAuth
) -> dict[str, t.Any]:
    endpoint = access.endpoint_for(db, ctx, endpoint_id, need="write")
    db.delete(endpoints.get_role(db, endpoint, role_id))
    return result_doc(request, "Deleted", f"Role '{role_id}' deleted successfully")


# -- endpoint manager: endpoint views (§1.11) --------------------------------------------------
@router.get("/endpoint_manager/monitored_endpoints")
def monitored_endpoints(db: DbSession, ctx: TransferAuth) -> dict[str, t.Any]:
    """Endpoints on which the caller is administrator, activity manager or monitor."""
    monitored = endpoints.endpoints_with_roles(db, ctx, access.MONITOR_ROLES)
    in_use = access.endpoints_in_use(db, ctx.identity_set or (ctx.identity_id,))
    return {
        "DATA_TYPE": "endpoint_list",
        "DATA": [endpoints.document(db, ctx, e, in_use=in_use) for e in monitored],
    }


@router.get("/endpoint_manager/endpoint/{endpoint_id}")
def manager_get_endpoint(endpoint_id: str, db: DbSession, ctx: TransferAuth) -> dict[str, t.Any]:
    endpoint = access.endpoint_for(db, ctx, endpoint_id, need="monitor")
    return endpoints.document(db, ctx, endpoint)


@router.get("/endpoint_manager/endpoint/{endpoint_id}/hosted_endpoint_list")
def hosted_endpoint_list(endpoint_id: str, db: DbSession, ctx: TransferAuth) -> dict[str, t.Any]:
    host = access.endpoint_for(db, ctx, endpoint_id, need="monitor")
    in_use = access.endpoints_in_use(db, ctx.identity_set or (ctx.identity_id,))
    return {
        "DATA_TYPE": "endpoint_list",
        "DATA": [
            endpoints.document(db, ctx, s, in_use=in_use) for s in endpoints.shares_of(db, host)
        ],
    }
