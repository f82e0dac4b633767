"""Transfer's endpoint-side JSON documents (§1.2–1.8): endpoint, server, role, access rule,
bookmark, file entries, and the generic result document."""

from __future__ import annotations

import datetime as dt
import typing as t

from fastapi import Request

from globus_local.kit.documents import iso
from globus_local.services.transfer.errors import resource_path
from globus_local.services.transfer.models_endpoints import (
    AccessRule,
    Bookmark,
    Endpoint,
    EndpointRecord,
    EndpointRole,
    EndpointServer,
    HostRecord,
    ServerRecord,
)
from globus_local.storage import FileInfo

# An endpoint as the ORM loads it or as a driver-level read gives it.
EndpointLike = Endpoint | EndpointRecord

# Where every Transfer route is served, under the service's own prefix.
API_PREFIX = "/v0.10"

# Settable endpoint fields kept in ``Endpoint.settings``, with their defaults.
SETTINGS_DEFAULTS: dict[str, t.Any] = {
    "contact_email": None,
    "contact_info": None,
    "info_link": None,
    "user_message": None,
    "user_message_link": None,
    "force_encryption": False,
    "force_verify": False,
    "disable_verify": False,
    "disable_anonymous_writes": False,
    "location": "Automatic",
    "network_use": "normal",
    "max_concurrency": 4,
    "preferred_concurrency": 2,
    "max_parallelism": 8,
    "preferred_parallelism": 4,
    "subscription_id": None,
    "myproxy_server": None,
    "myproxy_dn": None,
    "oauth_server": None,
    "french_english_bilingual": False,
    "requester_pays": False,
    "authentication_timeout_mins": None,
    "authentication_assurance_timeout": None,
    "authentication_policy_id": None,
    "high_assurance": False,
    "mfa_required": False,
}


def file_time(ts: float) -> str:
    """A file's ``last_modified``: ``2021-02-26 18:35:02+00:00``."""
    moment = dt.datetime.fromtimestamp(int(ts), tz=dt.timezone.utc)
    return moment.strftime("%Y-%m-%d %H:%M:%S+00:00")


def result_doc(
    request: Request,
    code: str,
    message: str,
    data_type: str = "result",
    **extra: t.Any,
) -> dict[str, t.Any]:
    doc: dict[str, t.Any] = {
        "DATA_TYPE": data_type,
        "code": code,
        "message": message,
        "request_id": getattr(request.state, "request_id", None),
        "resource": resource_path(request),
    }
    doc.update(extra)
    return doc


def activation_doc(
    request: Request, data_type: str, code: str | None = None, message: str | None = None
) -> dict[str, t.Any]:
    """An activation result or requirements document: endpoints here never need activating."""
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
            resource=resource_path(request),
        )
    return doc


def canonical_name(endpoint: EndpointLike | HostRecord) -> str:
    return f"{username_of(endpoint.owner_string)}#{endpoint.id}"


def username_of(owner_string: str) -> str:
    return owner_string.split("@", 1)[0]


def server_doc(server: EndpointServer | ServerRecord) -> dict[str, t.Any]:
    return {
        "DATA_TYPE": "server",
        "id": server.id,
        "hostname": server.hostname,
        "port": server.port,
        "scheme": server.scheme,
        "uri": f"{server.scheme}://{server.hostname}:{server.port}",
        "subject": server.subject,
        "is_connected": True,
        "is_paused": server.is_paused,
        "incoming_data_port_start": server.incoming_data_port_start,
        "incoming_data_port_end": server.incoming_data_port_end,
        "outgoing_data_port_start": server.outgoing_data_port_start,
        "outgoing_data_port_end": server.outgoing_data_port_end,
    }


def endpoint_doc(
    endpoint: EndpointLike,
    *,
    roles: set[str],
    servers: t.Sequence[EndpointServer | ServerRecord],
    in_use: bool,
    can_manage_acl: bool,
) -> dict[str, t.Any]:
    """The full §1.2 endpoint document as the caller (holding ``roles``) sees it."""
    settings = {**SETTINGS_DEFAULTS, **(endpoint.settings or {})}
    is_admin = "administrator" in roles
    host = endpoint.host_endpoint if endpoint.is_shared else None
    doc: dict[str, t.Any] = {
        "DATA_TYPE": "endpoint",
        "id": endpoint.id,
        "display_name": endpoint.display_name,
        "canonical_name": canonical_name(endpoint),
        "name": endpoint.id,
        "username": username_of(endpoint.owner_string),
        "owner_id": endpoint.owner_id,
        "owner_string": endpoint.owner_string,
        "entity_type": endpoint.entity_type,
        "gcs_version": None,
        "gcs_manager_url": None,
        "description": endpoint.description,
        "organization": endpoint.organization,
        "department": endpoint.department,
        "keywords": endpoint.keywords,
        "public": endpoint.public,
        "is_globus_connect": endpoint.is_globus_connect,
        "globus_connect_setup_key": endpoint.globus_connect_setup_key if is_admin else None,
        "gcp_connected": True if endpoint.is_globus_connect else None,
        "gcp_paused": False if endpoint.is_globus_connect else None,
        "non_functional": False,
        "non_functional_endpoint_display_name": None,
        "non_functional_endpoint_id": None,
        "host_endpoint": canonical_name(host) if host is not None else None,
        "host_endpoint_id": endpoint.host_endpoint_id,
        "host_endpoint_display_name": host.display_name if host is not None else None,
        "host_path": endpoint.host_path if (host is not None and is_admin) else None,
        "mapped_collection_id": endpoint.host_endpoint_id,
        "mapped_collection_display_name": host.display_name if host is not None else None,
        "sharing_target_endpoint": None,
        "sharing_target_root_path": None,
        "shareable": not endpoint.is_shared,
        "acl_available": endpoint.is_shared,
        "acl_editable": endpoint.is_shared and can_manage_acl,
        "in_use": in_use,
        "activated": True,
        "expires_in": -1,
        "expire_time": None,
        "default_directory": endpoint.default_directory,
        "local_user_info_available": False,
        "my_effective_roles": sorted(roles),
        "s3_url": None,
        "s3_owner_activated": False,
        "https_server": None,
        "tlsftp_server": None,
        "is_go_storage": False,
        "storage_type": None,
        "last_accessed_time": iso(endpoint.last_accessed),
        "DATA": [server_doc(s) for s in servers],
    }
    for key, value in settings.items():
        doc[key] = value
    return doc


def role_doc(role: EndpointRole) -> dict[str, t.Any]:
    return {
        "DATA_TYPE": "role",
        "id": role.id,
        "principal_type": role.principal_type,
        "principal": role.principal,
        "role": role.role,
    }


def access_doc(rule: AccessRule) -> dict[str, t.Any]:
    return {
        "DATA_TYPE": "access",
        "id": rule.id,
        "path": rule.path,
        "permissions": rule.permissions,
        "principal": rule.principal,
        "principal_type": rule.principal_type,
        "role_id": None,
        "role_type": None,
        "create_time": iso(rule.create_time),
        "expiration_date": iso(rule.expiration_date),
    }


def bookmark_doc(bookmark: Bookmark) -> dict[str, t.Any]:
    return {
        "DATA_TYPE": "bookmark",
        "id": bookmark.id,
        "name": bookmark.name,
        "endpoint_id": bookmark.endpoint_id,
        "path": bookmark.path,
        "pinned": bookmark.pinned,
    }


def file_doc(info: FileInfo) -> dict[str, t.Any]:
    """A directory entry. For a symlink the main fields describe its target (inside the
    endpoint) and ``link_*`` the link itself; a link whose target is missing or outside
    the endpoint is an ``invalid_symlink`` described only by the link."""
    shown = info.target if (info.is_link and info.target is not None) else info
    doc: dict[str, t.Any] = {
        "DATA_TYPE": "file",
        "name": info.name,
        "type": info.effective_type,
        "link_target": info.link_target if info.is_link else None,
        "permissions": shown.permissions,
        "size": shown.size,
        "user": shown.user,
        "group": shown.group,
        "last_modified": file_time(shown.mtime),
        "link_size": info.size if info.is_link else None,
        "link_user": info.user if info.is_link else None,
        "link_group": info.group if info.is_link else None,
        "link_last_modified": file_time(info.mtime) if info.is_link else None,
    }
    return doc
