"""The GCS Manager's answers: the ``result#1.0.0`` envelope and the documents it carries."""

from __future__ import annotations

import typing as t

from globus_local.kit.documents import iso
from globus_local.services.gcs.connectors import connector_name
from globus_local.services.gcs.errors import RESULT_TYPE
from globus_local.services.gcs.models import (
    Collection,
    GcsEndpoint,
    Role,
    StorageGateway,
    UserCredential,
)

# The API version this manager speaks and the GCS release it claims to be.
API_VERSION = "1.29.0"
MANAGER_VERSION = "5.4.76"
COLLECTION_TYPE = "collection#1.16.0"


def result(
    data: list[dict[str, t.Any]],
    *,
    message: str = "Operation successful",
    status: int = 200,
    detail: t.Any = "success",
    marker: str | None = None,
) -> dict[str, t.Any]:
    """A successful result; ``marker`` is the next page's, when there is one."""
    return {
        "DATA_TYPE": RESULT_TYPE,
        "code": "success",
        "http_response_code": status,
        "detail": detail,
        "message": message,
        "has_next_page": marker is not None,
        "marker": marker,
        "data": data,
    }


def info_docs(endpoint: GcsEndpoint, domain_name: str) -> list[dict[str, t.Any]]:
    from globus_local.services.gcs.connectors import CONNECTORS

    return [
        {
            "DATA_TYPE": "info#1.0.0",
            "api_version": API_VERSION,
            "manager_version": MANAGER_VERSION,
            "endpoint_id": endpoint.id,
            "client_id": endpoint.id,
            "domain_name": domain_name,
        },
        *(
            {
                "DATA_TYPE": "connector#1.1.0",
                "id": connector_id,
                "display_name": name,
                "is_baa": False,
                "is_ha": False,
                "version": MANAGER_VERSION,
            }
            for connector_id, name in CONNECTORS.items()
        ),
    ]


def endpoint_doc(endpoint: GcsEndpoint) -> dict[str, t.Any]:
    return {
        "DATA_TYPE": "endpoint#1.2.0",
        "id": endpoint.id,
        "display_name": endpoint.display_name,
        "gcs_manager_url": endpoint.manager_url,
        "earliest_last_access": None,
        **{k: v for k, v in endpoint.fields.items() if k != "storage_dir"},
    }


# Fields of a storage gateway only its administrators see.
PRIVATE_GATEWAY_FIELDS = ("restrict_paths", "users_allow", "users_deny", "policies")


def gateway_doc(gateway: StorageGateway, *, private: bool) -> dict[str, t.Any]:
    doc: dict[str, t.Any] = {
        "DATA_TYPE": "storage_gateway#1.2.0",
        "id": gateway.id,
        "connector_id": gateway.connector_id,
        "root": gateway.root,
        "deleted": False,
        **gateway.fields,
    }
    if not private:
        for key in PRIVATE_GATEWAY_FIELDS:
            doc.pop(key, None)
    return doc


# Fields of a collection shown only with include=private_policies to its administrators.
PRIVATE_COLLECTION_FIELDS = (
    "root_path",
    "sharing_restrict_paths",
    "sharing_users_allow",
    "sharing_users_deny",
    "policies",
)


def collection_doc(
    collection: Collection,
    endpoint: GcsEndpoint,
    gateway: StorageGateway,
    *,
    private: bool,
    root_path: str,
) -> dict[str, t.Any]:
    doc: dict[str, t.Any] = {
        **collection.fields,
        "DATA_TYPE": COLLECTION_TYPE,
        "id": collection.id,
        "collection_type": collection.collection_type,
        "collection_base_path": collection.base_path,
        "identity_id": collection.identity_id,
        "storage_gateway_id": collection.storage_gateway_id,
        "connector_id": gateway.connector_id,
        "connector_display_name": connector_name(gateway.connector_id),
        "manager_url": endpoint.manager_url + "/",
        "high_assurance": bool(gateway.fields.get("high_assurance")),
        "authentication_timeout_mins": gateway.fields.get("authentication_timeout_mins"),
        "require_mfa": bool(gateway.fields.get("require_mfa")),
        "created_at": iso(collection.created),
        "last_access": None,
        "deleted": False,
        "host_endpoint_id": endpoint.id,
        "root_path": root_path,
    }
    if collection.collection_type == "guest":
        doc["mapped_collection_id"] = collection.mapped_collection_id
        doc["user_credential_id"] = collection.user_credential_id
        doc["allow_guest_collections"] = False
    if not private:
        for key in PRIVATE_COLLECTION_FIELDS:
            doc.pop(key, None)
    return doc


def role_doc(role: Role) -> dict[str, t.Any]:
    return {
        "DATA_TYPE": "role#1.0.0",
        "id": role.id,
        "collection": role.collection_id,
        "principal": role.principal,
        "role": role.role,
    }


def credential_doc(credential: UserCredential, connector_id: str) -> dict[str, t.Any]:
    policies = dict(credential.policies or {})
    if "s3_secret_key" in policies:  # a secret goes in, never out
        policies["s3_secret_key"] = None
    return {
        "DATA_TYPE": "user_credential#1.0.0",
        "id": credential.id,
        "identity_id": credential.identity_id,
        "storage_gateway_id": credential.storage_gateway_id,
        "connector_id": connector_id,
        "username": credential.username,
        "display_name": credential.display_name,
        "invalid": False,
        "provisioned": True,
        "deleted": False,
        "policies": policies,
    }
