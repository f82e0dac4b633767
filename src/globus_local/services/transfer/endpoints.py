"""Endpoint logic behind the routes: creation, updates, documents, search, shares,
servers, roles, access rules and bookmarks. Routes parse HTTP; this module decides."""

from __future__ import annotations

import datetime as dt
import secrets
import typing as t
import uuid
from pathlib import Path

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from globus_local.db import utcnow
from globus_local.kit.errors import ServiceError
from globus_local.kit.tokens import AuthContext
from globus_local.services.transfer import access, params
from globus_local.services.transfer.documents import SETTINGS_DEFAULTS, endpoint_doc
from globus_local.services.transfer.models_endpoints import (
    ENTITY_GCP_GUEST,
    ENTITY_GCP_MAPPED,
    PRINCIPAL_TYPES,
    ROLE_NAMES,
    AccessRule,
    Bookmark,
    Endpoint,
    EndpointRole,
    EndpointServer,
    EndpointUsage,
)
from globus_local.storage import StorageError, normalize

ENTITY_GCSV4_HOST = "GCSv4_host"
ENTITY_GCSV4_SHARE = "GCSv4_share"
_COLUMN_FIELDS = ("description", "organization", "department", "keywords", "default_directory")
_BOOL_SETTINGS = {k for k, v in SETTINGS_DEFAULTS.items() if isinstance(v, bool)}
_INT_SETTINGS = {
    k for k, v in SETTINGS_DEFAULTS.items() if isinstance(v, int) and k not in _BOOL_SETTINGS
}
SEARCH_SCOPES = (
    "all",
    "my-endpoints",
    "my-gcp-endpoints",
    "recently-used",
    "in-use",
    "shared-by-me",
    "shared-with-me",
    "administered-by-me",
    "hosted-endpoints",
)


def bad_request(message: str, code: str = "ClientError.BadRequest") -> ServiceError:
    return ServiceError(400, code, message)


def parse_uuid(value: t.Any, what: str) -> str:
    try:
        return str(uuid.UUID(str(value)))
    except (ValueError, TypeError, AttributeError):
        raise bad_request(f"Invalid {what}: {value!r}")


def parse_bool(value: t.Any, what: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "1", "false", "0"):
        return value.lower() in ("true", "1")
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    raise bad_request(f"Invalid value for '{what}': expected a boolean")


def _optional_str(value: t.Any, what: str) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise bad_request(f"Invalid value for '{what}': expected a string or null")


def _check_setting_int(value: t.Any, key: str) -> None:
    """An integer setting: null or a count an INTEGER column could hold (clients read these
    into fixed-size integers)."""
    if value is None:
        return
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or not 0 <= value <= params.SQL_INT_MAX
    ):
        raise bad_request(
            f"Invalid value for '{key}': expected an integer from 0 to {params.SQL_INT_MAX}"
        )


# -- endpoint documents ------------------------------------------------------------------
# Run for every endpoint document: built once.
_SERVERS_OF = (
    select(EndpointServer)
    .where(EndpointServer.endpoint_id == bindparam("endpoint_id"))
    .order_by(EndpointServer.id)
)


def servers_of(session: Session, endpoint_id: str) -> list[EndpointServer]:
    return list(session.scalars(_SERVERS_OF, {"endpoint_id": endpoint_id}))


def document(
    session: Session,
    ctx: AuthContext,
    endpoint: Endpoint,
    *,
    in_use: set[str] | None = None,
) -> dict[str, t.Any]:
    roles = access.effective_roles(session, ctx, endpoint)
    identities = ctx.identity_set or (ctx.identity_id,)
    return endpoint_doc(
        endpoint,
        roles=roles,
        servers=servers_of(session, endpoint.id),
        in_use=(
            endpoint.id in in_use
            if in_use is not None
            else access.endpoint_in_use(session, identities, endpoint.id)
        ),
        can_manage_acl=bool(roles & {"administrator", "access_manager"}),
    )


def endpoints_with_roles(
    session: Session, ctx: AuthContext, roles: t.Collection[str]
) -> list[Endpoint]:
    """Endpoints where the caller holds any of ``roles`` (owners hold administrator)."""
    ids = list(ctx.identity_set or (ctx.identity_id,))
    urns = access.principal_urns(session, ctx)
    principals = [u.rsplit(":", 1)[1] for u in urns]
    role_endpoint_ids = set(
        session.scalars(
            select(EndpointRole.endpoint_id).where(
                EndpointRole.principal.in_(principals), EndpointRole.role.in_(list(roles))
            )
        )
    )
    query = select(Endpoint).order_by(Endpoint.created, Endpoint.id)
    found = []
    for endpoint in session.scalars(query):
        if endpoint.owner_id not in ids and endpoint.id not in role_endpoint_ids:
            continue
        if access.effective_roles(session, ctx, endpoint, urns) & set(roles):
            found.append(endpoint)
    return found


# -- create / update / delete ------------------------------------------------------------
def apply_fields(endpoint: Endpoint, data: dict[str, t.Any]) -> None:
    """Set every settable field present in ``data``; read-only keys are ignored."""
    if "display_name" in data:
        name = data["display_name"]
        if not isinstance(name, str) or not name.strip():
            raise bad_request("display_name must be a non-empty string")
        params.check_fits(name.strip(), Endpoint.display_name, "display_name")
        endpoint.display_name = name.strip()
    for key in _COLUMN_FIELDS:
        if key in data:
            value = data[key]
            if key == "keywords" and isinstance(value, list):
                value = ",".join(str(v) for v in value)
            value = _optional_str(value, key)
            params.check_fits(value, getattr(Endpoint, key), key)
            if key == "default_directory" and value:
                try:
                    normalize(value)
                except StorageError as exc:
                    raise bad_request(f"Invalid default_directory: {exc.message}")
            setattr(endpoint, key, value)
    if "public" in data:
        endpoint.public = parse_bool(data["public"], "public")
    settings = dict(endpoint.settings or {})
    for key in SETTINGS_DEFAULTS:
        if key not in data:
            continue
        value = data[key]
        if key in _BOOL_SETTINGS:
            value = parse_bool(value, key)
        elif key in _INT_SETTINGS or key == "authentication_timeout_mins":
            _check_setting_int(value, key)
        elif key == "subscription_id" and value is not None:
            value = parse_uuid(value, "subscription_id") if value != "DEFAULT" else value
        else:
            value = _optional_str(value, key)
        settings[key] = value
    endpoint.settings = settings


def new_endpoint(
    session: Session,
    *,
    owner_id: str,
    owner_string: str,
    display_name: str,
    storage_url: str | None,
    is_globus_connect: bool = True,
    storage_options: dict[str, t.Any] | None = None,
    entity_type: str | None = None,
    host: Endpoint | None = None,
    host_path: str | None = None,
) -> Endpoint:
    endpoint = Endpoint(
        id=str(uuid.uuid4()),
        display_name=display_name,
        owner_id=owner_id,
        owner_string=owner_string,
        entity_type=entity_type or (ENTITY_GCP_MAPPED if is_globus_connect else ENTITY_GCSV4_HOST),
        is_globus_connect=is_globus_connect,
        public=False,
        storage_url=storage_url,
        storage_options=storage_options,
        host_endpoint_id=host.id if host is not None else None,
        host_path=host_path,
        globus_connect_setup_key=secrets.token_hex(16) if is_globus_connect else None,
        settings={},
        created=utcnow(),
    )
    session.add(endpoint)
    if host is not None:
        endpoint.host_endpoint = host
    return endpoint


def managed_storage_dir(data_dir: Path, endpoint_id: str) -> Path:
    """Where endpoints created through the API keep their files (never a caller-chosen
    host path: only administrators expose existing directories)."""
    return data_dir / "endpoints" / endpoint_id


def create_endpoint_api(
    session: Session, ctx: AuthContext, data: dict[str, t.Any], data_dir: Path
) -> Endpoint:
    name = data.get("display_name")
    if not isinstance(name, str) or not name.strip():
        raise bad_request("An endpoint needs a display_name")
    if data.get("myproxy_server") and data.get("oauth_server"):
        raise bad_request("myproxy_server and oauth_server are mutually exclusive")
    is_gcp = parse_bool(data.get("is_globus_connect", True), "is_globus_connect")
    endpoint = new_endpoint(
        session,
        owner_id=ctx.identity_id,
        owner_string=ctx.username,
        display_name=name.strip(),
        storage_url=None,
        is_globus_connect=is_gcp,
    )
    directory = managed_storage_dir(data_dir, endpoint.id)
    directory.mkdir(parents=True, exist_ok=True)
    endpoint.storage_url = str(directory)
    apply_fields(endpoint, data)
    servers = data.get("DATA") or []
    if not isinstance(servers, list):
        raise bad_request("DATA must be a list of servers")
    session.flush()
    for server in servers:
        if isinstance(server, dict) and server.get("DATA_TYPE", "server") == "server":
            add_server(session, endpoint, server)
    session.flush()
    access.record_use(session, ctx, endpoint)
    return endpoint


def update_endpoint(
    session: Session, ctx: AuthContext, endpoint: Endpoint, data: dict[str, t.Any]
) -> None:
    """Apply a PUT of the endpoint document; the change counts as use (``recently-used``)."""
    if data.get("myproxy_server") and data.get("oauth_server"):
        raise bad_request("myproxy_server and oauth_server are mutually exclusive")
    apply_fields(endpoint, data)
    access.record_use(session, ctx, endpoint)


def delete_endpoint(session: Session, endpoint: Endpoint) -> None:
    """Remove the endpoint, its shares and everything hanging off them (files stay)."""
    shares = list(session.scalars(select(Endpoint).where(Endpoint.host_endpoint_id == endpoint.id)))
    for share in [*shares, endpoint]:
        for model in (EndpointServer, EndpointRole, AccessRule, Bookmark, EndpointUsage):
            for row in session.scalars(select(model).where(model.endpoint_id == share.id)):
                session.delete(row)
    session.flush()
    for share in shares:
        session.delete(share)
    session.flush()
    session.delete(endpoint)
    session.flush()


# -- search --------------------------------------------------------------------------------
_FULLTEXT_FIELDS = (
    "display_name",
    "description",
    "organization",
    "department",
    "keywords",
    "owner_string",
    "id",
)


def fulltext_rank(endpoint: Endpoint, text: str) -> float:
    """Score of ``endpoint`` for a full-text query: 0 unless every term matches somewhere."""
    terms = [w for w in text.lower().split() if w]
    if not terms:
        return 1.0
    fields = [str(getattr(endpoint, f) or "").lower() for f in _FULLTEXT_FIELDS]
    fields.append(f"{endpoint.owner_string.split('@', 1)[0]}#{endpoint.id}".lower())
    score = 0.0
    for term in terms:
        hits = [f for f in fields if term in f]
        if not hits:
            return 0.0
        score += sum(3.0 if term == f else (2.0 if f.startswith(term) else 1.0) for f in hits)
    if endpoint.display_name.lower() == text.strip().lower():
        score += 10.0
    return score


def search(
    session: Session,
    ctx: AuthContext,
    *,
    scope: str,
    fulltext: str | None,
    owner_id: str | None,
    host_endpoint: str | None,
    non_functional: bool | None,
    entity_type: str | None,
) -> list[tuple[Endpoint, float]]:
    """Endpoints the caller can see for ``filter_scope`` ``scope``, best first."""
    if scope not in SEARCH_SCOPES:
        raise bad_request(
            f"Invalid filter_scope '{scope}'; must be one of {', '.join(SEARCH_SCOPES)}"
        )
    if (
        scope == "all"
        and not (fulltext and fulltext.strip())
        and not host_endpoint
        and not owner_id
    ):
        raise bad_request("filter_fulltext is required when filter_scope is 'all'")
    if scope == "hosted-endpoints" and not host_endpoint:
        raise bad_request(
            "filter_host_endpoint is required when filter_scope is 'hosted-endpoints'"
        )
    ids = set(ctx.identity_set or (ctx.identity_id,))
    urns = access.principal_urns(session, ctx)
    query = select(Endpoint)
    if owner_id:
        query = query.where(Endpoint.owner_id == parse_uuid(owner_id, "filter_owner_id"))
    if host_endpoint:
        query = query.where(
            Endpoint.host_endpoint_id == parse_uuid(host_endpoint, "filter_host_endpoint")
        )
    if entity_type:
        query = query.where(Endpoint.entity_type == entity_type)
    if non_functional:
        return []  # no endpoint here is a non-functional GCSv5 endpoint
    candidates = list(session.scalars(query.order_by(Endpoint.created, Endpoint.id)))

    recent: dict[str, dt.datetime] = {}
    if scope == "recently-used":
        for usage in session.scalars(
            select(EndpointUsage).where(EndpointUsage.identity_id.in_(sorted(ids)))
        ):
            prev = recent.get(usage.endpoint_id)
            recent[usage.endpoint_id] = max(prev, usage.last_used) if prev else usage.last_used
    in_use = access.endpoints_in_use(session, ids) if scope == "in-use" else set()

    found: list[tuple[Endpoint, float]] = []
    for endpoint in candidates:
        owner = endpoint.owner_id in ids
        roles = access.effective_roles(session, ctx, endpoint, urns)
        rules = (
            access.matching_rules(session, ctx, endpoint, urns)
            if endpoint.is_shared and not owner
            else []
        )
        visible = owner or endpoint.public or bool(roles) or bool(rules)
        if not visible:
            continue
        keep = {
            "all": True,
            "hosted-endpoints": True,
            "my-endpoints": owner,
            "my-gcp-endpoints": owner and endpoint.is_globus_connect and not endpoint.is_shared,
            "recently-used": endpoint.id in recent,
            "in-use": endpoint.id in in_use,
            "shared-by-me": owner and endpoint.is_shared,
            "shared-with-me": endpoint.is_shared and not owner and bool(rules),
            "administered-by-me": "administrator" in roles,
        }[scope]
        if not keep:
            continue
        rank = fulltext_rank(endpoint, fulltext or "")
        if rank <= 0:
            continue
        found.append((endpoint, rank))
    if scope == "recently-used":
        found.sort(key=lambda pair: recent[pair[0].id], reverse=True)
    elif fulltext and fulltext.strip():
        found.sort(key=lambda pair: -pair[1])
    return found


# -- shared endpoints ----------------------------------------------------------------------
def create_shared_endpoint(session: Session, ctx: AuthContext, data: dict[str, t.Any]) -> Endpoint:
    host_id = data.get("host_endpoint")
    if not host_id:
        raise bad_request("A shared endpoint needs a host_endpoint")
    host = access.endpoint_for(session, ctx, str(host_id), need="read")
    if host.is_shared:
        raise bad_request("A shared endpoint cannot be hosted on another shared endpoint")
    raw_path = data.get("host_path")
    if not isinstance(raw_path, str) or not raw_path.strip():
        raise bad_request("A shared endpoint needs a host_path")
    name = data.get("display_name")
    if not isinstance(name, str) or not name.strip():
        raise bad_request("A shared endpoint needs a display_name")
    access.check_path_access(session, ctx, host, raw_path, "rw")
    try:
        connector, path = access.connector_and_path(host, raw_path)
        info = connector.stat(path, follow=True)
    except StorageError as exc:
        raise ServiceError(
            404 if exc.code == "FILE_NOT_FOUND" else 403,
            "ClientError.NotFound" if exc.code == "FILE_NOT_FOUND" else "PermissionDenied",
            f"host_path '{raw_path}' is not usable on the host endpoint: {exc.message}",
        )
    if info.type != "dir":
        raise bad_request(f"host_path '{raw_path}' is not a directory")
    share = new_endpoint(
        session,
        owner_id=ctx.identity_id,
        owner_string=ctx.username,
        display_name=name.strip(),
        storage_url=None,
        is_globus_connect=False,
        entity_type=ENTITY_GCP_GUEST if host.is_globus_connect else ENTITY_GCSV4_SHARE,
        host=host,
        host_path=path.rstrip("/") + "/",
    )
    share.globus_connect_setup_key = None
    apply_fields(share, {k: v for k, v in data.items() if k not in ("host_path",)})
    session.flush()
    access.record_use(session, ctx, share)
    return share


def shares_of(session: Session, host: Endpoint) -> list[Endpoint]:
    return list(
        session.scalars(
            select(Endpoint)
            .where(Endpoint.host_endpoint_id == host.id)
            .order_by(Endpoint.created, Endpoint.id)
        )
    )


# -- servers -------------------------------------------------------------------------------
def _port(value: t.Any, what: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 65536:
        raise bad_request(f"Invalid {what}: {value!r}")
    return value


def apply_server_fields(server: EndpointServer, data: dict[str, t.Any]) -> None:
    if "hostname" in data:
        hostname = data["hostname"]
        if not isinstance(hostname, str) or not hostname.strip():
            raise bad_request("A server needs a hostname")
        params.check_fits(hostname.strip(), EndpointServer.hostname, "hostname")
        server.hostname = hostname.strip()
    if "port" in data:
        server.port = _port(data["port"], "port") or 2811
    if "scheme" in data:
        scheme = data["scheme"]
        if scheme not in ("gsiftp", "ftp"):
            raise bad_request("scheme must be 'gsiftp' or 'ftp'")
        server.scheme = scheme
    if "subject" in data:
        server.subject = _optional_str(data["subject"], "subject")
    if "is_paused" in data:
        server.is_paused = parse_bool(data["is_paused"], "is_paused")
    for key in (
        "incoming_data_port_start",
        "incoming_data_port_end",
        "outgoing_data_port_start",
        "outgoing_data_port_end",
    ):
        if key in data:
            setattr(server, key, _port(data[key], key))


def add_server(session: Session, endpoint: Endpoint, data: dict[str, t.Any]) -> EndpointServer:
    if not data.get("hostname"):
        raise bad_request("A server needs a hostname")
    server = EndpointServer(endpoint_id=endpoint.id, hostname="", port=2811, scheme="gsiftp")
    apply_server_fields(server, data)
    session.add(server)
    session.flush()
    return server


def _server_key(server_id: str) -> int | None:
    """The server id named, or None when no server can have it (not an id in range)."""
    try:
        return params.parse_int(server_id, "server_id", minimum=1, maximum=params.SQL_INT_MAX)
    except ServiceError:
        return None


def get_server(session: Session, endpoint: Endpoint, server_id: str) -> EndpointServer:
    key = _server_key(server_id)
    server = session.get(EndpointServer, key) if key is not None else None
    if server is None or server.endpoint_id != endpoint.id:
        raise ServiceError(
            404, "ClientError.NotFound", f"Server '{server_id}' not found on endpoint"
        )
    return server


# -- roles -----------------------------------------------------------------------------------
def create_role(
    session: Session, ctx: AuthContext, endpoint: Endpoint, data: dict[str, t.Any]
) -> EndpointRole:
    principal_type = data.get("principal_type")
    if principal_type not in ("identity", "group"):
        raise bad_request("principal_type must be 'identity' or 'group'")
    principal = parse_uuid(data.get("principal"), "principal")
    role = data.get("role")
    if role not in ROLE_NAMES:
        raise bad_request(f"role must be one of {', '.join(ROLE_NAMES)}")
    if principal_type == "identity":
        _require_identity(session, principal)
    existing = session.scalar(
        select(EndpointRole).where(
            EndpointRole.endpoint_id == endpoint.id,
            EndpointRole.principal_type == principal_type,
            EndpointRole.principal == principal,
            EndpointRole.role == role,
        )
    )
    if existing is not None:
        raise ServiceError(409, "Exists", f"A role '{role}' for that principal already exists")
    row = EndpointRole(
        id=str(uuid.uuid4()),
        endpoint_id=endpoint.id,
        principal_type=principal_type,
        principal=principal,
        role=role,
        created=utcnow(),
    )
    session.add(row)
    session.flush()
    return row


def _require_identity(session: Session, identity_id: str) -> None:
    from globus_local.services.auth.identities import get_identity

    if get_identity(session, identity_id) is None:
        raise bad_request(
            f"Unknown identity '{identity_id}'", "ClientError.BadRequest.InvalidPrincipal"
        )


def get_role(session: Session, endpoint: Endpoint, role_id: str) -> EndpointRole:
    row = session.get(EndpointRole, role_id)
    if row is None or row.endpoint_id != endpoint.id:
        raise ServiceError(404, "RoleNotFound", f"Role '{role_id}' not found")
    return row


def roles_of(session: Session, endpoint: Endpoint) -> list[EndpointRole]:
    return list(
        session.scalars(
            select(EndpointRole)
            .where(EndpointRole.endpoint_id == endpoint.id)
            .order_by(EndpointRole.created, EndpointRole.id)
        )
    )


# -- access rules ----------------------------------------------------------------------------
def require_acl_endpoint(endpoint: Endpoint) -> None:
    if not endpoint.is_shared:
        raise ServiceError(
            409,
            "ClientError.Conflict.ACLNotSupported",
            "Access rules can only be set on shared endpoints",
        )


def parse_time(value: t.Any, what: str) -> dt.datetime | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise bad_request(f"Invalid {what}: expected an ISO 8601 timestamp")
    return params.parse_datetime(value, what)


def _rule_path(value: t.Any) -> str:
    if not isinstance(value, str) or not value.startswith(("/", "~")):
        raise bad_request("An access rule needs an absolute path")
    try:
        path = normalize(value)
    except StorageError as exc:
        raise bad_request(f"Invalid path: {exc.message}")
    if value.endswith("/") or path == "/":
        return path.rstrip("/") + "/"
    return path  # a rule on a single file


def create_rule(
    session: Session, ctx: AuthContext, endpoint: Endpoint, data: dict[str, t.Any]
) -> AccessRule:
    require_acl_endpoint(endpoint)
    principal_type = data.get("principal_type")
    if principal_type not in PRINCIPAL_TYPES:
        raise bad_request(f"principal_type must be one of {', '.join(PRINCIPAL_TYPES)}")
    if principal_type in ("identity", "group"):
        principal = parse_uuid(data.get("principal"), "principal")
        if principal_type == "identity":
            _require_identity(session, principal)
    else:
        if data.get("principal") not in (None, ""):
            raise bad_request(f"principal must be empty for principal_type '{principal_type}'")
        principal = ""
    permissions = data.get("permissions")
    if permissions not in ("r", "rw"):
        raise bad_request("permissions must be 'r' or 'rw'")
    if principal_type == "anonymous" and permissions != "r":
        raise bad_request("anonymous access can only be read-only")
    path = _rule_path(data.get("path"))
    notify_email = _optional_str(data.get("notify_email"), "notify_email")
    params.check_fits(notify_email, AccessRule.notify_email, "notify_email")
    duplicate = session.scalar(
        select(AccessRule).where(
            AccessRule.endpoint_id == endpoint.id,
            AccessRule.principal_type == principal_type,
            AccessRule.principal == principal,
            AccessRule.path == path,
        )
    )
    if duplicate is not None:
        raise ServiceError(409, "Exists", "An access rule for that principal and path exists")
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
    rule = session.get(AccessRule, str(rule_id))
    if rule is None or rule.endpoint_id != endpoint.id:
        raise ServiceError(404, "AccessRuleNotFound", f"Access rule '{rule_id}' not found")
    return rule


def update_rule(rule: AccessRule, data: dict[str, t.Any]) -> None:
    if "permissions" in data:
        if data["permissions"] not in ("r", "rw"):
            raise bad_request("permissions must be 'r' or 'rw'")
        if rule.principal_type == "anonymous" and data["permissions"] != "r":
            raise bad_request("anonymous access can only be read-only")
        rule.permissions = data["permissions"]
    if "expiration_date" in data:
        rule.expiration_date = parse_time(data["expiration_date"], "expiration_date")
    for key in ("principal_type", "principal", "path"):
        if key in data and data[key] != getattr(rule, key):
            raise bad_request(f"'{key}' of an access rule cannot be changed")


def rules_of(session: Session, endpoint: Endpoint) -> list[AccessRule]:
    return list(
        session.scalars(
            select(AccessRule)
            .where(AccessRule.endpoint_id == endpoint.id)
            .order_by(AccessRule.create_time, AccessRule.id)
        )
    )


# -- bookmarks ---------------------------------------------------------------------------------
def bookmark_path(value: t.Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise bad_request("A bookmark needs a path")
    try:
        normalize(value)
    except StorageError as exc:
        raise bad_request(f"Invalid path: {exc.message}")
    return value


def get_bookmark(session: Session, ctx: AuthContext, bookmark_id: str) -> Bookmark:
    bookmark = session.get(Bookmark, str(bookmark_id))
    if bookmark is None or bookmark.owner_id not in (ctx.identity_set or (ctx.identity_id,)):
        raise ServiceError(404, "BookmarkNotFound", f"Bookmark '{bookmark_id}' not found")
    return bookmark


def bookmark_name(value: t.Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise bad_request("A bookmark needs a name")
    params.check_fits(value.strip(), Bookmark.name, "name")
    return value.strip()


def check_bookmark_name_free(
    session: Session, ctx: AuthContext, name: str, exclude: str | None = None
) -> None:
    clash = session.scalar(
        select(Bookmark).where(
            Bookmark.owner_id.in_(list(ctx.identity_set or (ctx.identity_id,))),
            Bookmark.name == name,
        )
    )
    if clash is not None and clash.id != exclude:
        raise ServiceError(409, "Exists", f"A bookmark named '{name}' already exists")
