"""Endpoint logic behind the routes: creation, updates, deletion, documents and lists,
shares and servers. Routes parse HTTP; this module decides."""

from __future__ import annotations

import secrets
import typing as t
import uuid
from dataclasses import fields
from pathlib import Path

from sqlalchemy import bindparam, exists, false, or_, select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from globus_local.db import Database, lean, utcnow
from globus_local.db.lean import DriverQuery, Reader
from globus_local.kit.errors import BadRequest, Forbidden, NotFound
from globus_local.kit.params import (
    SQL_INT_MAX,
    InvalidValue,
    check_fits,
    parse_bool,
    parse_int,
    parse_uuid,
)
from globus_local.kit.tokens import AuthContext
from globus_local.services.transfer import access
from globus_local.services.transfer.documents import SETTINGS_DEFAULTS, endpoint_doc
from globus_local.services.transfer.models_endpoints import (
    ENTITY_GCP_GUEST,
    ENTITY_GCP_MAPPED,
    AccessRule,
    Bookmark,
    Endpoint,
    EndpointRecord,
    EndpointRole,
    EndpointServer,
    EndpointUsage,
    HostRecord,
    ServerRecord,
)
from globus_local.services.transfer.models_tasks import ACTIVE, TransferTask
from globus_local.storage import StorageError, normalize

R = t.TypeVar("R")

ENTITY_GCSV4_HOST = "GCSv4_host"
ENTITY_GCSV4_SHARE = "GCSv4_share"
_COLUMN_FIELDS = ("description", "organization", "department", "keywords", "default_directory")
_BOOL_SETTINGS = {k for k, v in SETTINGS_DEFAULTS.items() if isinstance(v, bool)}
_INT_SETTINGS = {
    k for k, v in SETTINGS_DEFAULTS.items() if isinstance(v, int) and k not in _BOOL_SETTINGS
}


def required_text(value: t.Any, column: t.Any, what: str, missing: str) -> str:
    """Non-blank text, stripped, that fits ``column``; ``missing`` says what is wanted."""
    if not isinstance(value, str) or not value.strip():
        raise BadRequest(missing)
    check_fits(value.strip(), column, what)
    return value.strip()


def optional_str(value: t.Any, what: str) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise BadRequest(f"Invalid value for '{what}': expected a string or null")


def _check_setting_int(value: t.Any, key: str) -> None:
    """An integer setting: null or a count an INTEGER column could hold (clients read these
    into fixed-size integers)."""
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= SQL_INT_MAX:
        raise BadRequest(f"Invalid value for '{key}': expected an integer from 0 to {SQL_INT_MAX}")


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
    identities = access.identities(ctx)
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


# -- one endpoint's document without the ORM ----------------------------------------------
# ``GET /endpoint/<id>`` is what clients poll: its rows are read at the driver's level (see
# ``globus_local.db.lean``), a few microseconds per query instead of an ORM load each.
_host = Endpoint.__table__.alias("host")
_endpoints = Endpoint.__table__
_RECORD_COLUMNS = [f.name for f in fields(EndpointRecord) if f.name != "host_endpoint"]
_HOST_COLUMNS = [f.name for f in fields(HostRecord)]
_ROLE_ROWS = DriverQuery(
    select(
        EndpointRole.endpoint_id,
        EndpointRole.principal_type,
        EndpointRole.principal,
        EndpointRole.role,
    ).where(
        or_(
            EndpointRole.endpoint_id == bindparam("endpoint_id"),
            EndpointRole.endpoint_id == bindparam("host_id"),
        )
    )
)
_SERVER_COLUMNS = [f.name for f in fields(ServerRecord)]
_SERVER_ROWS = DriverQuery(
    select(*(EndpointServer.__table__.c[name] for name in _SERVER_COLUMNS))
    .where(EndpointServer.endpoint_id == bindparam("endpoint_id"))
    .order_by(EndpointServer.id)
)
# Identity sets larger than this take the ORM path.
_MAX_OWNERS = 16


def _endpoint_query(owners: int) -> DriverQuery:
    """The endpoint joined with its host, and whether ``owners`` identities (``owner_0``...)
    have an unfinished task on it: the rule of ``tasks.endpoint_in_use``, with one
    parameter per identity."""
    in_use = exists().where(
        TransferTask.owner_id.in_([bindparam(f"owner_{n}") for n in range(owners)]),
        TransferTask.status == ACTIVE,
        or_(
            TransferTask.source_endpoint_id == _endpoints.c.id,
            TransferTask.destination_endpoint_id == _endpoints.c.id,
        ),
    )
    return DriverQuery(
        select(
            *(_endpoints.c[name] for name in _RECORD_COLUMNS),
            *(_host.c[name] for name in _HOST_COLUMNS),
            (in_use if owners else false()).label("in_use"),
        )
        .select_from(_endpoints.outerjoin(_host, _host.c.id == _endpoints.c.host_endpoint_id))
        .where(_endpoints.c.id == bindparam("endpoint_id"))
    )


_ENDPOINT_ROW = {n: _endpoint_query(n) for n in range(_MAX_OWNERS + 1)}


def read_document(reader: Reader, ctx: AuthContext, endpoint_id: str) -> dict[str, t.Any] | None:
    """What ``GET /endpoint/<id>`` answers, read without the ORM; raises as
    :func:`access.endpoint_for` does. None when the answer needs more than these rows
    (a role or access rule naming a group, a share seen through an access rule, a large
    identity set): :func:`document` on a session decides those."""
    try:
        key = str(uuid.UUID(str(endpoint_id)))
    except ValueError:
        raise access.endpoint_not_found(endpoint_id) from None
    ids = access.identities(ctx)
    owners = sorted(set(ids))
    if len(owners) > _MAX_OWNERS:
        return None
    params = {f"owner_{n}": owner for n, owner in enumerate(owners)}
    row = _ENDPOINT_ROW[len(owners)].first(reader, {"endpoint_id": key, **params})
    if row is None:
        raise access.endpoint_not_found(endpoint_id)
    split = len(_RECORD_COLUMNS)
    host = HostRecord(*row[split:-1]) if row[split] is not None else None
    endpoint = EndpointRecord(**dict(zip(_RECORD_COLUMNS, row, strict=False)), host_endpoint=host)
    in_use = bool(row[-1])
    if host is not None and host.host_endpoint_id is not None:
        return None
    role_rows = _ROLE_ROWS.rows(reader, {"endpoint_id": key, "host_id": endpoint.host_endpoint_id})
    mine = [r[1:] for r in role_rows if r[0] == key]
    roles = access.roles_without_groups(ids, endpoint.owner_id, mine)
    if roles is None:
        return None
    if endpoint.host_endpoint_id is not None and host is not None:
        on_host = [r[1:] for r in role_rows if r[0] == host.id]
        host_roles = access.roles_without_groups(ids, host.owner_id, on_host)
        if host_roles is None:
            return None
        roles |= access.inherited_from_host(host_roles)
    if not (endpoint.owner_id in ids or endpoint.public or roles):
        if endpoint.is_shared:
            return None  # an access rule may let the caller see it
        raise access.view_denied(endpoint.id)
    servers = [ServerRecord(*r) for r in _SERVER_ROWS.rows(reader, {"endpoint_id": key})]
    return endpoint_doc(
        endpoint,
        roles=roles,
        servers=servers,
        in_use=in_use,
        can_manage_acl=bool(roles & {"administrator", "access_manager"}),
    )


async def document_by_id(
    database: Database, ctx: AuthContext, endpoint_id: str
) -> dict[str, t.Any]:
    """``GET /endpoint/<id>``, which clients poll: the driver-level read (on SQLite without a
    trip to the thread pool), or the ORM's in the thread pool when that cannot decide."""
    doc = await lean.read(database, lambda rows: read_document(rows, ctx, endpoint_id))
    if doc is None:
        doc = await run_in_threadpool(_document_on_session, database, ctx, endpoint_id)
    return doc


def _document_on_session(
    database: Database, ctx: AuthContext, endpoint_id: str
) -> dict[str, t.Any]:
    with database.sessionmaker() as session:  # closing rolls back: nothing is written
        return document(session, ctx, access.endpoint_for(session, ctx, endpoint_id))


def endpoints_with_roles(
    session: Session, ctx: AuthContext, roles: t.Collection[str]
) -> list[Endpoint]:
    """Endpoints where the caller holds any of ``roles`` (owners hold administrator)."""
    ids = access.identities(ctx)
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


def documents(
    session: Session, ctx: AuthContext, found: t.Iterable[Endpoint]
) -> list[dict[str, t.Any]]:
    """The documents of several endpoints, with one look at which are in use."""
    in_use = access.endpoints_in_use(session, access.identities(ctx))
    return [document(session, ctx, e, in_use=in_use) for e in found]


def rows_on(session: Session, model: type[R], endpoint_id: str, *order_by: t.Any) -> list[R]:
    """The rows of ``model`` (servers, roles, access rules...) that belong to one endpoint."""
    query = select(model).where(model.endpoint_id == endpoint_id)  # type: ignore[attr-defined]
    return list(session.scalars(query.order_by(*order_by)))


def row_on(session: Session, model: type[R], key: t.Any, endpoint: Endpoint) -> R | None:
    """The row of ``model`` with primary key ``key`` if it belongs to ``endpoint``."""
    row = session.get(model, key) if key is not None else None
    if row is None or row.endpoint_id != endpoint.id:  # type: ignore[attr-defined]
        return None
    return row


# -- create / update / delete ------------------------------------------------------------
def apply_fields(endpoint: Endpoint, data: dict[str, t.Any]) -> None:
    """Set every settable field present in ``data``; read-only keys are ignored."""
    if "display_name" in data:
        endpoint.display_name = required_text(
            data["display_name"],
            Endpoint.display_name,
            "display_name",
            "display_name must be a non-empty string",
        )
    for key in _COLUMN_FIELDS:
        if key in data:
            value = data[key]
            if key == "keywords" and isinstance(value, list):
                value = ",".join(str(v) for v in value)
            value = optional_str(value, key)
            check_fits(value, getattr(Endpoint, key), key)
            if key == "default_directory" and value:
                try:
                    normalize(value)
                except StorageError as exc:
                    raise BadRequest(f"Invalid default_directory: {exc.message}")
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
            value = optional_str(value, key)
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
        raise BadRequest("An endpoint needs a display_name")
    if data.get("myproxy_server") and data.get("oauth_server"):
        raise BadRequest("myproxy_server and oauth_server are mutually exclusive")
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
        raise BadRequest("DATA must be a list of servers")
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
        raise BadRequest("myproxy_server and oauth_server are mutually exclusive")
    apply_fields(endpoint, data)
    access.record_use(session, ctx, endpoint)


def set_subscription(endpoint: Endpoint, data: dict[str, t.Any]) -> None:
    if "subscription_id" not in data:
        raise BadRequest("subscription_id is required")
    apply_fields(endpoint, {"subscription_id": data["subscription_id"]})


def delete_endpoint(session: Session, endpoint: Endpoint) -> None:
    """Remove the endpoint, its shares and everything hanging off them (files stay)."""
    shares = list(session.scalars(select(Endpoint).where(Endpoint.host_endpoint_id == endpoint.id)))
    for share in [*shares, endpoint]:
        for model in (EndpointServer, EndpointRole, AccessRule, Bookmark, EndpointUsage):
            for row in rows_on(session, model, share.id):
                session.delete(row)
    session.flush()
    for share in shares:
        session.delete(share)
    session.flush()
    session.delete(endpoint)
    session.flush()


# -- shared endpoints ----------------------------------------------------------------------
def create_shared_endpoint(session: Session, ctx: AuthContext, data: dict[str, t.Any]) -> Endpoint:
    host_id = data.get("host_endpoint")
    if not host_id:
        raise BadRequest("A shared endpoint needs a host_endpoint")
    host = access.endpoint_for(session, ctx, str(host_id), need="read")
    if host.is_shared:
        raise BadRequest("A shared endpoint cannot be hosted on another shared endpoint")
    raw_path = data.get("host_path")
    if not isinstance(raw_path, str) or not raw_path.strip():
        raise BadRequest("A shared endpoint needs a host_path")
    name = data.get("display_name")
    if not isinstance(name, str) or not name.strip():
        raise BadRequest("A shared endpoint needs a display_name")
    access.check_path_access(session, ctx, host, raw_path, "rw")
    try:
        connector, path = access.connector_and_path(host, raw_path)
        info = connector.stat(path, follow=True)
    except StorageError as exc:
        message = f"host_path '{raw_path}' is not usable on the host endpoint: {exc.message}"
        if exc.code == "FILE_NOT_FOUND":
            raise NotFound(message, code="ClientError.NotFound") from None
        raise Forbidden(message, code="PermissionDenied") from None
    if info.type != "dir":
        raise BadRequest(f"host_path '{raw_path}' is not a directory")
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
    query = select(Endpoint).where(Endpoint.host_endpoint_id == host.id)
    return list(session.scalars(query.order_by(Endpoint.created, Endpoint.id)))


def my_shares(session: Session, ctx: AuthContext, host: Endpoint) -> list[Endpoint]:
    """The caller's own shares of ``host``."""
    return [s for s in shares_of(session, host) if access.is_owner(ctx, s)]


def visible_shares(session: Session, ctx: AuthContext, host: Endpoint) -> list[Endpoint]:
    """The shares of ``host`` the caller may see (all of them for the host's administrator)."""
    host_admin = access.has_need(session, ctx, host, "write")
    return [s for s in shares_of(session, host) if host_admin or access.can_view(session, ctx, s)]


# -- servers -------------------------------------------------------------------------------
def _port(value: t.Any, what: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 65536:
        raise BadRequest(f"Invalid {what}: {value!r}")
    return value


def apply_server_fields(server: EndpointServer, data: dict[str, t.Any]) -> None:
    if "hostname" in data:
        server.hostname = required_text(
            data["hostname"], EndpointServer.hostname, "hostname", "A server needs a hostname"
        )
    if "port" in data:
        server.port = _port(data["port"], "port") or 2811
    if "scheme" in data:
        scheme = data["scheme"]
        if scheme not in ("gsiftp", "ftp"):
            raise BadRequest("scheme must be 'gsiftp' or 'ftp'")
        server.scheme = scheme
    if "subject" in data:
        server.subject = optional_str(data["subject"], "subject")
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
        raise BadRequest("A server needs a hostname")
    server = EndpointServer(endpoint_id=endpoint.id, hostname="", port=2811, scheme="gsiftp")
    apply_server_fields(server, data)
    session.add(server)
    session.flush()
    return server


def _server_key(server_id: str) -> int | None:
    """The server id named, or None when no server can have it (not an id in range)."""
    try:
        return parse_int(server_id, "server_id", minimum=1, maximum=SQL_INT_MAX)
    except InvalidValue:
        return None


def get_server(session: Session, endpoint: Endpoint, server_id: str) -> EndpointServer:
    server = row_on(session, EndpointServer, _server_key(server_id), endpoint)
    if server is None:
        raise NotFound(f"Server '{server_id}' not found on endpoint", code="ClientError.NotFound")
    return server


def delete_server(session: Session, endpoint: Endpoint, server_id: str) -> int:
    """Remove one of the endpoint's servers; its id, for the result document."""
    server = get_server(session, endpoint, server_id)
    session.delete(server)
    return server.id
