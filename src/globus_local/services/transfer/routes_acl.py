"""Access rules on shared endpoints (§1.6) and the endpoint manager's view of them (§1.11)."""

from __future__ import annotations

import typing as t

from fastapi import Body, Request

from globus_local.kit.router import ServiceRouter
from globus_local.kit.session import DbSession
from globus_local.services.transfer import access, endpoints
from globus_local.services.transfer.auth import TransferAuth
from globus_local.services.transfer.documents import access_doc, result_doc

router = ServiceRouter()

JsonBody = t.Annotated[dict[str, t.Any], Body()]


def _access_list(endpoint_id: str, rules: list[t.Any]) -> dict[str, t.Any]:
    return {
        "DATA_TYPE": "access_list",
        "endpoint": endpoint_id,
        "length": len(rules),
        "DATA": [access_doc(r) for r in rules],
    }


@router.get("/endpoint/{endpoint_id}/access_list")
def access_list(endpoint_id: str, db: DbSession, ctx: TransferAuth) -> dict[str, t.Any]:
    endpoint = access.endpoint_for(db, ctx, endpoint_id, need="manage")
    endpoints.require_acl_endpoint(endpoint)
    return _access_list(endpoint.id, endpoints.rules_of(db, endpoint))


@router.get("/endpoint/{endpoint_id}/access/{rule_id}")
def get_access_rule(
    endpoint_id: str, rule_id: str, db: DbSession, ctx: TransferAuth
) -> dict[str, t.Any]:
    endpoint = access.endpoint_for(db, ctx, endpoint_id, need="manage")
    endpoints.require_acl_endpoint(endpoint)
    return access_doc(endpoints.get_rule(db, endpoint, rule_id))


@router.post("/endpoint/{endpoint_id}/access")
def add_access_rule(
    request: Request, endpoint_id: str, body: JsonBody, db: DbSession, ctx: TransferAuth
) -> dict[str, t.Any]:
    endpoint = access.endpoint_for(db, ctx, endpoint_id, need="manage")
    rule = endpoints.create_rule(db, ctx, endpoint, body)
    return result_doc(
        request,
        "Created",
        "Access rule created successfully.",
        "access_create_result",
        access_id=rule.id,
    )


@router.put("/endpoint/{endpoint_id}/access/{rule_id}")
def update_access_rule(
    request: Request,
    endpoint_id: str,
    rule_id: str,
    body: JsonBody,
    db: DbSession,
    ctx: TransferAuth,
) -> dict[str, t.Any]:
    endpoint = access.endpoint_for(db, ctx, endpoint_id, need="manage")
    endpoints.require_acl_endpoint(endpoint)
    rule = endpoints.get_rule(db, endpoint, rule_id)
    endpoints.update_rule(rule, body)
    return result_doc(request, "Updated", f"Access rule '{rule.id}' updated successfully")


@router.delete("/endpoint/{endpoint_id}/access/{rule_id}")
def delete_access_rule(
    request: Request, endpoint_id: str, rule_id: str, db: DbSession, ctx: TransferAuth
) -> dict[str, t.Any]:
    endpoint = access.endpoint_for(db, ctx, endpoint_id, need="manage")
    endpoints.require_acl_endpoint(endpoint)
    rule = endpoints.get_rule(db, endpoint, rule_id)
    db.delete(rule)
    return result_doc(request, "Deleted", f"Access rule '{rule_id}' deleted successfully")


@router.get("/endpoint_manager/endpoint/{endpoint_id}/access_list")
def manager_access_list(endpoint_id: str, db: DbSession, ctx: TransferAuth) -> dict[str, t.Any]:
    endpoint = access.endpoint_for(db, ctx, endpoint_id, need="monitor")
    endpoints.require_acl_endpoint(endpoint)
    return _access_list(endpoint.id, endpoints.rules_of(db, endpoint))
