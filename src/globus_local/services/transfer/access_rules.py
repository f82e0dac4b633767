"""Access rules on shared endpoints (guest collections): who may read or write which
path, as the share's owner and access managers set them."""

from __future__ import annotations

import datetime as dt
import typing as t
import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from globus_local.db import utcnow
from globus_local.kit.errors import BadRequest, Conflict, NotFound
from globus_local.kit.params import check_fits, parse_datetime, parse_uuid
from globus_local.kit.tokens import AuthContext
from globus_local.services.transfer import access, endpoints
from globus_local.services.transfer.models_endpoints import PRINCIPAL_TYPES, AccessRule, Endpoint
from globus_local.storage import StorageError, normalize


def require_acl_endpoint(endpoint: Endpoint) -> None:
    if not endpoint.is_shared:
        raise Conflict(
            "Access rules can only be set on shared endpoints",
            code="ClientError.Conflict.ACLNotSupported",
        )


def acl_endpoint(
    session: Session, ctx: AuthContext, endpoint_id: str, *, need: access.Need
) -> Endpoint:
    """The shared endpoint whose access rules the caller may ``need`` (manage or monitor)."""
    endpoint = access.endpoint_for(session, ctx, endpoint_id, need=need)
    require_acl_endpoint(endpoint)
    return endpoint


def parse_time(value: t.Any, what: str) -> dt.datetime | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise BadRequest(f"Invalid {what}: expected an ISO 8601 timestamp")
    return parse_datetime(value, what)


def _rule_path(value: t.Any) -> str:
    if not isinstance(value, str) or not value.startswith(("/", "~")):
        raise BadRequest("An access rule needs an absolute path")
    try:
        path = normalize(value)
    except StorageError as exc:
        raise BadRequest(f"Invalid path: {exc.message}") from None
    if value.endswith("/") or path == "/":
        return path.rstrip("/") + "/"
    return path  # a rule on a single file


def create_rule(
    session: Session, ctx: AuthContext, endpoint: Endpoint, data: dict[str, t.Any]
) -> AccessRule:
    require_acl_endpoint(endpoint)
    principal_type = data.get("principal_type")
    if principal_type not in PRINCIPAL_TYPES:
        raise BadRequest(f"principal_type must be one of {', '.join(PRINCIPAL_TYPES)}")
    if principal_type in ("identity", "group"):
        principal = parse_uuid(data.get("principal"), "principal")
        if principal_type == "identity":
            access.require_identity(session, principal)
    else:
        if data.get("principal") not in (None, ""):
            raise BadRequest(f"principal must be empty for principal_type '{principal_type}'")
        principal = ""
    permissions = data.get("permissions")
    if permissions not in ("r", "rw"):
        raise BadRequest("permissions must be 'r' or 'rw'")
    if principal_type == "anonymous" and permissions != "r":
        raise BadRequest("anonymous access can only be read-only")
    path = _rule_path(data.get("path"))
    notify_email = endpoints.optional_str(data.get("notify_email"), "notify_email")
    check_fits(notify_email, AccessRule.notify_email, "notify_email")
    duplicate = session.scalar(
        select(AccessRule).where(
            AccessRule.endpoint_id == endpoint.id,
            AccessRule.principal_type == principal_type,
            AccessRule.principal == principal,
            AccessRule.path == path,
        )
    )
    if duplicate is not None:
        raise Conflict("An access rule for that principal and path exists", code="Exists")
    rule = AccessRule(
        id=str(uuid.uuid4()),
        endpoint_id=endpoint.id,
        principal_type=principal_type,
        principal=principal,
        path=path,
        permissions=permissions,
        notify_email=notify_email,
        created_by=ctx.identity_id,
        create_time=utcnow(),
        expiration_date=parse_time(data.get("expiration_date"), "expiration_date"),
    )
    session.add(rule)
    session.flush()
    return rule


def get_rule(session: Session, endpoint: Endpoint, rule_id: str) -> AccessRule:
    rule = endpoints.row_on(session, AccessRule, str(rule_id), endpoint)
    if rule is None:
        raise NotFound(f"Access rule '{rule_id}' not found", code="AccessRuleNotFound")
    return rule


def update_rule(rule: AccessRule, data: dict[str, t.Any]) -> None:
    if "permissions" in data:
        if data["permissions"] not in ("r", "rw"):
            raise BadRequest("permissions must be 'r' or 'rw'")
        if rule.principal_type == "anonymous" and data["permissions"] != "r":
            raise BadRequest("anonymous access can only be read-only")
        rule.permissions = data["permissions"]
    if "expiration_date" in data:
        rule.expiration_date = parse_time(data["expiration_date"], "expiration_date")
    for key in ("principal_type", "principal", "path"):
        if key in data and data[key] != getattr(rule, key):
            raise BadRequest(f"'{key}' of an access rule cannot be changed")


def rules_of(session: Session, endpoint: Endpoint) -> list[AccessRule]:
    order = (AccessRule.create_time, AccessRule.id)
    return endpoints.rows_on(session, AccessRule, endpoint.id, *order)


def delete_rule(session: Session, endpoint: Endpoint, rule_id: str) -> None:
    session.delete(get_rule(session, endpoint, rule_id))
