"""Access rules on shared endpoints (§1.6) and the endpoint manager's view of them (§1.11)."""

from __future__ import annotations

import typing as t

from fastapi import Body, Request

from globus_local.kit.router import ServiceRouter
from globus_local.kit.session import DbSession
from globus_local.services.transfer import access, access_rules
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
    endpoint = access_rules.acl_endpoint(db, ctx, endpoint_id, need="manage")
    return _access_list(endpoint.id, access_rules.rules_of(db, endpoint))


@router.get("/endpoint/{endpoint_id}/access/{rule_id}")
def get_access_rule(
    endpoint_id: str, rule_id: str, db: DbSession, ctx: TransferAuth
) -> dict[str, t.Any]:
    endpoint = access_rules.acl_endpoint(db, ctx, endpoint_id, need="manage")
    return access_doc(access_rules.get_rule(db, endpoint, rule_id))


@router.post("/endpoint/{endpoint_id}/access")
def add_access_rule(
    request: Request, endpoint_id: str, body: JsonBody, db: DbSession, ctx: TransferAuth
) -> dict[str, t.Any]:
    endpoint = access.endpoint_for(db, ctx, endpoint_id, need="manage")
    rule = access_rules.create_rule(db, ctx, endpoint, body)
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
    endpoint = access_rules.acl_endpoint(db, ctx, endpoint_id, need="manage")
    rule = access_rules.get_rule(db, endpoint, rule_id)
    access_rules.update_rule(rule, body)
    return result_doc(request, "Updated", f"Access rule '{rule.id}' updated successfully")


@router.delete("/endpoint/{endpoint_id}/access/{rule_id}")
def delete_access_rule(
    request: Request, endpoint_id: str, rule_id: str, db: DbSession, ctx: TransferAuth
) -> dict[str, t.Any]:
    endpoint = access_rules.acl_endpoint(db, ctx, endpoint_id, need="manage")
    access_rules.delete_rule(db, endpoint, rule_id)
    return result_doc(request, "Deleted", f"Access rule '{rule_id}' deleted successfully")


@router.get("/endpoint_manager/endpoint/{endpoint_id}/access_list")
def manager_access_list(endpoint_id: str, db: DbSession, ctx: TransferAuth) -> dict[str, t.Any]:
    endpoint = access_rules.acl_endpoint(db, ctx, endpoint_id, need="monitor")
    return _access_list(endpoint.id, access_rules.rules_of(db, endpoint))
