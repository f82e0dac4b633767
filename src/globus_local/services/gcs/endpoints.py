"""GCS endpoints: creating one (an administrator's act), reading and changing its document."""

from __future__ import annotations

import typing as t
import uuid

from sqlalchemy.orm import Session

from globus_local.kit.errors import BadRequest, NotFound
from globus_local.services.gcs.errors import invalid_input
from globus_local.services.gcs.models import GcsEndpoint

NETWORK_USE = ("normal", "minimal", "aggressive", "custom")
_INT_FIELDS = (
    "max_concurrency",
    "max_parallelism",
    "preferred_concurrency",
    "preferred_parallelism",
)
_STR_FIELDS = (
    "contact_email",
    "contact_info",
    "department",
    "description",
    "info_link",
    "organization",
)
DEFAULT_FIELDS: dict[str, t.Any] = {
    "network_use": "normal",
    "public": True,
    "allow_udt": False,
    "subscription_id": None,
    "gridftp_control_channel_port": 443,
    "keywords": [],
    **{k: None for k in _STR_FIELDS},
}


def get_endpoint(session: Session, endpoint_id: str) -> GcsEndpoint:
    try:
        key = str(uuid.UUID(endpoint_id))
    except ValueError:
        raise NotFound(f"No GCS endpoint '{endpoint_id}'") from None
    endpoint = session.get(GcsEndpoint, key)
    if endpoint is None:
        raise NotFound(f"No GCS endpoint '{endpoint_id}'")
    return endpoint


def new_endpoint(
    session: Session, *, owner_id: str, display_name: str, manager_root: str
) -> GcsEndpoint:
    """An endpoint whose manager is at ``<manager_root><id>`` (``manager_root`` ends in /)."""
    endpoint_id = str(uuid.uuid4())
    endpoint = GcsEndpoint(
        id=endpoint_id,
        display_name=display_name,
        owner_id=owner_id,
        manager_url=f"{manager_root}{endpoint_id}",
        fields=dict(DEFAULT_FIELDS),
    )
    session.add(endpoint)
    session.flush()
    return endpoint


def update_fields(endpoint: GcsEndpoint, data: dict[str, t.Any]) -> None:
    """Apply a partial endpoint document; read-only fields may be sent back unchanged."""
    fields = dict(endpoint.fields)
    for key, value in data.items():
        if key in ("DATA_TYPE", "id", "gcs_manager_url", "earliest_last_access"):
            if key == "id" and value != endpoint.id:
                raise invalid_input("id cannot be changed", "id")
            continue
        if key == "display_name":
            if not isinstance(value, str) or not value.strip():
                raise invalid_input("display_name must be a non-empty string", key)
            endpoint.display_name = value.strip()
        elif key == "network_use":
            if value not in NETWORK_USE:
                raise invalid_input(f"network_use must be one of {', '.join(NETWORK_USE)}", key)
            fields[key] = value
        elif key in ("public", "allow_udt"):
            if not isinstance(value, bool):
                raise invalid_input(f"{key} must be a boolean", key)
            fields[key] = value
        elif key in (*_INT_FIELDS, "gridftp_control_channel_port"):
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
                raise invalid_input(f"{key} must be an integer", key)
            fields[key] = value
        elif key in _STR_FIELDS:
            if value is not None and not isinstance(value, str):
                raise invalid_input(f"{key} must be a string", key)
            fields[key] = value
        elif key == "keywords":
            if not isinstance(value, list) or not all(isinstance(k, str) for k in value):
                raise invalid_input("keywords must be a list of strings", key)
            fields[key] = value
        elif key == "subscription_id":
            if value == "DEFAULT":
                raise BadRequest(
                    "Unable to use DEFAULT subscription. Your identity does not manage any "
                    "subscriptions"
                )
            fields[key] = None if value is None else _uuid(value, key)
        else:
            raise invalid_input(f"Unknown endpoint field '{key}'", key)
    if fields.get("network_use") == "custom" and any(fields.get(k) is None for k in _INT_FIELDS):
        raise invalid_input(
            "network_use custom needs max_concurrency, preferred_concurrency, max_parallelism "
            "and preferred_parallelism",
            "network_use",
        )
    endpoint.fields = fields


def _uuid(value: t.Any, field: str) -> str:
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        raise invalid_input(f"{field} must be a UUID", field) from None
