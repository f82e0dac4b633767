"""Storage gateways: validating their documents, and where their storage is.

A POSIX gateway's ``root`` is a directory inside the endpoint's storage directory (the
one the platform administrator gave it), so an endpoint administrator can expose nothing
else of the host. An S3 gateway names an S3 service and its buckets.
"""

from __future__ import annotations

import os
import typing as t
import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from globus_local.kit.errors import Conflict, NotFound
from globus_local.kit.tokens import AuthContext
from globus_local.services.gcs import access, connectors, mapping
from globus_local.services.gcs.errors import invalid_input
from globus_local.services.gcs.models import Collection, GcsEndpoint, StorageGateway

_IMMUTABLE = ("id", "connector_id", "high_assurance")
_BOOL_FIELDS = (
    "high_assurance",
    "require_high_assurance",
    "require_mfa",
    "admin_managed_credentials",
)
_INT_FIELDS = ("authentication_assurance_timeout", "authentication_timeout_mins")
_LIST_FIELDS = ("allowed_domains", "users_allow", "users_deny")
_STR_FIELDS = ("process_user", "load_dsi_module")


def endpoint_storage(endpoint: GcsEndpoint) -> str:
    """The host directory the endpoint's POSIX gateways live in."""
    return str(endpoint.fields.get("storage_dir") or "")


def posix_root(endpoint: GcsEndpoint, gateway: StorageGateway) -> str:
    """The host directory of a POSIX gateway's ``/``."""
    return connectors.posix_root(endpoint_storage(endpoint), gateway.root)


def get_gateway(session: Session, endpoint: GcsEndpoint, gateway_id: str) -> StorageGateway:
    try:
        key = str(uuid.UUID(gateway_id))
    except ValueError:
        raise NotFound(f"No storage gateway '{gateway_id}'") from None
    gateway = session.get(StorageGateway, key)
    if gateway is None or gateway.endpoint_id != endpoint.id:
        raise NotFound(f"No storage gateway '{gateway_id}'")
    return gateway


def may_use(session: Session, ctx: AuthContext, endpoint: GcsEndpoint, gw: StorageGateway) -> bool:
    """Whether the caller sees the gateway: any endpoint role, or an identity it admits."""
    if access.endpoint_roles(session, ctx, endpoint):
        return True
    return any(
        mapping.mapped_username(session, gw, i) for i in ctx.identity_set or (ctx.identity_id,)
    )


def visible_gateways(
    session: Session, ctx: AuthContext, endpoint: GcsEndpoint
) -> list[StorageGateway]:
    rows = session.scalars(
        select(StorageGateway)
        .where(StorageGateway.endpoint_id == endpoint.id)
        .order_by(StorageGateway.created, StorageGateway.id)
    )
    return [g for g in rows if may_use(session, ctx, endpoint, g)]


def _apply(gateway: StorageGateway, endpoint: GcsEndpoint, data: dict[str, t.Any]) -> None:
    fields = dict(gateway.fields)
    for key, value in data.items():
        if key in ("DATA_TYPE", "deleted", "connector_id", "id"):
            continue
        if key == "display_name":
            if not isinstance(value, str) or not value.strip():
                raise invalid_input("display_name must be a non-empty string", key)
            fields[key] = value.strip()
        elif key == "root":
            if not isinstance(value, str) or not value.startswith("/"):
                raise invalid_input("root must be an absolute path", key)
            gateway.root = connectors.clean_path(value)
        elif key in _LIST_FIELDS:
            if value is not None and (
                not isinstance(value, list) or not all(isinstance(v, str) for v in value)
            ):
                raise invalid_input(f"{key} must be a list of strings", key)
            fields[key] = value
        elif key in _BOOL_FIELDS:
            if value is not None and not isinstance(value, bool):
                raise invalid_input(f"{key} must be a boolean", key)
            fields[key] = value
        elif key in _INT_FIELDS:
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
                raise invalid_input(f"{key} must be an integer", key)
            fields[key] = value
        elif key in _STR_FIELDS:
            fields[key] = value
        elif key == "restrict_paths":
            fields[key] = mapping.check_restrictions(value, key)
        elif key == "identity_mappings":
            fields[key] = _check_mappings(value)
        elif key == "policies":
            fields[key] = _check_policies(gateway.connector_id, value)
        else:
            raise invalid_input(f"Unknown storage gateway field '{key}'", key)
    if not fields.get("display_name"):
        raise invalid_input("A storage gateway needs a display_name", "display_name")
    gateway.fields = fields


def _check_mappings(value: t.Any) -> list[dict[str, t.Any]] | None:
    if value is None:
        return None
    if not isinstance(value, list):
        raise invalid_input("identity_mappings must be a list", "identity_mappings")
    for item in value:
        kind = str(item.get("DATA_TYPE", "")) if isinstance(item, dict) else ""
        if kind.startswith("external_identity_mapping"):
            raise invalid_input(
                "External identity mapping programs are not run here; use an expression mapping",
                "identity_mappings",
            )
        if not kind.startswith("expression_identity_mapping") or not isinstance(
            item.get("mappings"), list
        ):
            raise invalid_input(
                "identity_mappings holds expression_identity_mapping documents",
                "identity_mappings",
            )
        for rule in item["mappings"]:
            if not isinstance(rule, dict) or not all(
                isinstance(rule.get(k), str) for k in ("source", "match", "output")
            ):
                raise invalid_input(
                    "each mapping needs source, match and output strings", "identity_mappings"
                )
    return value


def _check_policies(connector_id: str, value: t.Any) -> dict[str, t.Any]:
    if not isinstance(value, dict):
        raise invalid_input("policies must be a document", "policies")
    if connector_id == connectors.S3:
        endpoint_url = value.get("s3_endpoint")
        if not isinstance(endpoint_url, str) or not endpoint_url.startswith(
            ("http://", "https://")
        ):
            raise invalid_input("s3_endpoint must be an http(s) URL", "policies.s3_endpoint")
        buckets = value.get("s3_buckets") or []
        if not isinstance(buckets, list) or not all(isinstance(b, str) for b in buckets):
            raise invalid_input("s3_buckets must be a list of bucket names", "policies.s3_buckets")
    for key in ("groups_allow", "groups_deny"):
        names = value.get(key) or []
        if not isinstance(names, list) or not all(isinstance(n, str) and n for n in names):
            raise invalid_input(f"{key} must be a list of group names", f"policies.{key}")
    return dict(value)


def create_gateway(
    session: Session, endpoint: GcsEndpoint, data: dict[str, t.Any]
) -> StorageGateway:
    connector_id = data.get("connector_id")
    if not isinstance(connector_id, str) or connector_id not in connectors.CONNECTORS:
        raise invalid_input(
            "connector_id must name a connector this endpoint has (POSIX or S3)", "connector_id"
        )
    gateway = StorageGateway(
        id=str(uuid.uuid4()),
        endpoint_id=endpoint.id,
        connector_id=connector_id,
        root="/",
        fields={"allowed_domains": [], "restrict_paths": None, "users_allow": [], "users_deny": []},
    )
    if connector_id == connectors.S3 and "policies" not in data:
        raise invalid_input("An S3 storage gateway needs s3_storage_policies", "policies")
    _apply(gateway, endpoint, data)
    if connector_id == connectors.POSIX:
        directory = posix_root(endpoint, gateway)
        if not os.path.isdir(directory):
            raise invalid_input(
                f"root '{gateway.root}' is not a directory of this endpoint", "root"
            )
    session.add(gateway)
    session.flush()
    return gateway


def update_gateway(gateway: StorageGateway, endpoint: GcsEndpoint, data: dict[str, t.Any]) -> None:
    current = {"id": gateway.id, "connector_id": gateway.connector_id, **gateway.fields}
    for key in _IMMUTABLE:
        if key in data and data[key] != current.get(key):
            raise invalid_input(f"{key} cannot be changed", key)
    _apply(gateway, endpoint, data)


def delete_gateway(session: Session, gateway: StorageGateway) -> None:
    used = session.scalar(
        select(Collection.id).where(Collection.storage_gateway_id == gateway.id).limit(1)
    )
    if used is not None:
        raise Conflict(
            f"Storage gateway {gateway.id} still has collections; delete them first",
            detail={"DATA_TYPE": "resource_conflict#1.0.0", "resource_id": used},
        )
    session.delete(gateway)
    session.flush()
