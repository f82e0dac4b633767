"""The scope table: Globus's own scope strings plus scopes services register at run time.

A scope belongs to one resource server and may declare *dependencies*: the scopes a service
holding a token for it may obtain dependent tokens for (e.g. the Flows scopes depend on
Transfer). Built-in scopes are data in this module; services add theirs with
:func:`register_scope`, which stores them in ``auth_scopes``.
"""

from __future__ import annotations

import typing as t
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from globus_local.db import Database
from globus_local.db.after_commit import after_commit
from globus_local.db.lean import BriefCache
from globus_local.kit.tokens import CACHE_SECONDS
from globus_local.services.auth.errors import oauth_error
from globus_local.services.auth.models import Scope
from globus_local.services.auth.scope_requests import ScopeRequest, parse_scope_requests, walk

# Resource servers (Globus's names, so SDK constants and documented code work unchanged).
AUTH_RS = "auth.globus.org"
TRANSFER_RS = "transfer.api.globus.org"
GROUPS_RS = "groups.api.globus.org"
SEARCH_RS = "search.api.globus.org"
FLOWS_RS = "flows.globus.org"
# The Flows service's client id, which its URL-form scope strings are built on.
FLOWS_CLIENT_ID = "eec9b274-0c81-4334-bdc2-54e90e689b9a"
# The Timers service's client id, which is also its resource server's name.
TIMER_CLIENT_ID = "524230d7-ea86-4a52-8312-86065a9e0417"
TIMER_RS = TIMER_CLIENT_ID

URN_PREFIX = "urn:globus:auth:scope:"
URL_PREFIX = "https://auth.globus.org/scopes/"


def urn_scope(resource_server: str, name: str) -> str:
    return f"{URN_PREFIX}{resource_server}:{name}"


def url_scope(resource_server: str, name: str) -> str:
    return f"{URL_PREFIX}{resource_server}/{name}"


OPENID = "openid"
PROFILE = "profile"
EMAIL = "email"
AUTH_VIEW_IDENTITIES = urn_scope(AUTH_RS, "view_identities")
AUTH_VIEW_IDENTITY_SET = urn_scope(AUTH_RS, "view_identity_set")
AUTH_VIEW_AUTHENTICATIONS = urn_scope(AUTH_RS, "view_authentications")
AUTH_VIEW_CLIENTS = urn_scope(AUTH_RS, "view_clients")
AUTH_VIEW_CLIENTS_AND_SCOPES = urn_scope(AUTH_RS, "view_clients_and_scopes")
TRANSFER_ALL = urn_scope(TRANSFER_RS, "all")
GROUPS_ALL = urn_scope(GROUPS_RS, "all")
GROUPS_VIEW = urn_scope(GROUPS_RS, "view_my_groups_and_memberships")
GROUPS_VIEW_MY_GROUPS_AND_MEMBERSHIPS = GROUPS_VIEW
SEARCH_ALL = urn_scope(SEARCH_RS, "all")
SEARCH_INGEST = urn_scope(SEARCH_RS, "ingest")
SEARCH_SEARCH = urn_scope(SEARCH_RS, "search")
FLOWS_ALL = url_scope(FLOWS_CLIENT_ID, "all")
FLOWS_MANAGE_FLOWS = url_scope(FLOWS_CLIENT_ID, "manage_flows")
FLOWS_VIEW_FLOWS = url_scope(FLOWS_CLIENT_ID, "view_flows")
FLOWS_RUN = url_scope(FLOWS_CLIENT_ID, "run")
FLOWS_RUN_STATUS = url_scope(FLOWS_CLIENT_ID, "run_status")
FLOWS_RUN_MANAGE = url_scope(FLOWS_CLIENT_ID, "run_manage")
TIMER = url_scope(TIMER_CLIENT_ID, "timer")


@dataclass(frozen=True)
class ScopeInfo:
    scope_string: str
    resource_server: str
    name: str
    dependencies: tuple[str, ...] = ()


def _builtin(scope: str, rs: str, name: str, deps: tuple[str, ...] = ()) -> ScopeInfo:
    return ScopeInfo(scope, rs, name, deps)


_FLOWS_DEPS = (TRANSFER_ALL, GROUPS_VIEW, SEARCH_ALL)

BUILTIN_SCOPES: dict[str, ScopeInfo] = {
    s.scope_string: s
    for s in (
        _builtin(OPENID, AUTH_RS, "openid"),
        _builtin(PROFILE, AUTH_RS, "profile"),
        _builtin(EMAIL, AUTH_RS, "email"),
        _builtin(AUTH_VIEW_IDENTITIES, AUTH_RS, "view_identities"),
        _builtin(AUTH_VIEW_IDENTITY_SET, AUTH_RS, "view_identity_set"),
        _builtin(AUTH_VIEW_AUTHENTICATIONS, AUTH_RS, "view_authentications"),
        _builtin(AUTH_VIEW_CLIENTS, AUTH_RS, "view_clients"),
        _builtin(AUTH_VIEW_CLIENTS_AND_SCOPES, AUTH_RS, "view_clients_and_scopes"),
        _builtin(TRANSFER_ALL, TRANSFER_RS, "all"),
        _builtin(GROUPS_ALL, GROUPS_RS, "all"),
        _builtin(GROUPS_VIEW, GROUPS_RS, "view_my_groups_and_memberships"),
        _builtin(SEARCH_ALL, SEARCH_RS, "all"),
        _builtin(SEARCH_INGEST, SEARCH_RS, "ingest"),
        _builtin(SEARCH_SEARCH, SEARCH_RS, "search"),
        _builtin(FLOWS_ALL, FLOWS_RS, "all", _FLOWS_DEPS),
        _builtin(FLOWS_MANAGE_FLOWS, FLOWS_RS, "manage_flows"),
        _builtin(FLOWS_VIEW_FLOWS, FLOWS_RS, "view_flows"),
        _builtin(FLOWS_RUN, FLOWS_RS, "run", _FLOWS_DEPS),
        _builtin(FLOWS_RUN_STATUS, FLOWS_RS, "run_status"),
        _builtin(FLOWS_RUN_MANAGE, FLOWS_RS, "run_manage", _FLOWS_DEPS),
        # A transfer timer's runs submit Transfer tasks as the user.
        _builtin(TIMER, TIMER_RS, "timer", (TRANSFER_ALL,)),
    )
}


def register_scope(
    session: Session,
    resource_server: str,
    name: str,
    *,
    dependencies: Iterable[str] = (),
    scope_string: str | None = None,
    urn: bool = False,
    owner_client_id: str | None = None,
) -> str:
    """Make a scope requestable (idempotent; re-registering replaces its dependencies).

    The scope string defaults to ``https://auth.globus.org/scopes/<resource_server>/<name>``
    (``urn:globus:auth:scope:<resource_server>:<name>`` with ``urn=True``). A built-in scope
    may be registered too, to add dependencies to it. ``owner_client_id`` names the
    confidential client that acts as this resource server (for dependent-token grants).
    Returns the scope string.
    """
    if scope_string is None:
        scope_string = (urn_scope if urn else url_scope)(resource_server, name)
    deps = list(dict.fromkeys(dependencies))
    row = session.get(Scope, scope_string)
    if row is None:
        session.add(
            Scope(
                scope_string=scope_string,
                resource_server=resource_server,
                name=name,
                dependencies=deps,
                owner_client_id=owner_client_id,
            )
        )
    else:
        row.resource_server = resource_server
        row.name = name
        row.dependencies = deps
        if owner_client_id is not None:
            row.owner_client_id = owner_client_id
    session.flush()
    engine = session.get_bind().engine
    after_commit(session, "auth.scopes.changed", engine, _forget_scopes)
    return scope_string


def split_scopes(value: str | Iterable[str] | None) -> list[str]:
    """The top-level scopes of a ``scope`` parameter, in order and without duplicates
    (dependent scopes in brackets are checked by :func:`requested_scopes`)."""
    return [r.scope for r in parse_scope_requests(value)]


def requested_scopes(
    session: Session, value: str | Iterable[str] | None
) -> tuple[list[ScopeInfo], list[ScopeRequest]]:
    """The top-level scopes a ``scope`` parameter asks for, resolved, and its request
    trees. Every scope in the trees must be known, and each dependent scope in brackets
    must be one its parent declares: an ``invalid_scope`` error otherwise."""
    requests = parse_scope_requests(value)
    known = lookup_scopes(session, [r.scope for _, r in walk(requests)])
    unknown = [s for s in dict.fromkeys(r.scope for _, r in walk(requests)) if s not in known]
    if unknown:
        raise oauth_error("invalid_scope", "Unknown scope(s): " + " ".join(unknown))
    for parent, req in walk(requests):
        if parent is not None and req.scope not in known[parent.scope].dependencies:
            raise oauth_error(
                "invalid_scope", f"{req.scope} is not a dependent scope of {parent.scope}"
            )
    return [known[r.scope] for r in requests], requests


def lookup_scopes(session: Session, scope_strings: Iterable[str]) -> dict[str, ScopeInfo]:
    """Every known scope among ``scope_strings`` (one query), built-ins merged with rows."""
    wanted = list(dict.fromkeys(scope_strings))
    found: dict[str, ScopeInfo] = {s: BUILTIN_SCOPES[s] for s in wanted if s in BUILTIN_SCOPES}
    # No stored scope holds a NUL, and PostgreSQL refuses to compare text holding one.
    storable = [s for s in wanted if "\x00" not in s]
    if storable:
        for row in session.scalars(select(Scope).where(Scope.scope_string.in_(storable))):
            base = found.get(row.scope_string)
            deps = tuple(dict.fromkeys([*(base.dependencies if base else ()), *row.dependencies]))
            found[row.scope_string] = ScopeInfo(
                row.scope_string,
                base.resource_server if base else row.resource_server,
                base.name if base else row.name,
                deps,
            )
    return found


# What ``requested_scopes`` answered for a ``scope`` value, kept briefly per database for
# the client_credentials grant, which asks the same on every call. A scope registered here
# empties it once it commits; one registered by another process is seen within
# SCOPE_CACHE_SECONDS.
SCOPE_CACHE_SECONDS = CACHE_SECONDS
_requested: BriefCache[str, list[ScopeInfo]] = BriefCache(SCOPE_CACHE_SECONDS, 1_000)


def _forget_scopes(engines: list[t.Any], _url: str) -> None:
    for engine in set(engines):
        _requested.forget(engine)


def requested_scopes_cached(database: Database, value: str) -> list[ScopeInfo]:
    """The top-level scopes of ``requested_scopes(session, value)``, read at most every
    ``SCOPE_CACHE_SECONDS``; errors are raised as it raises them and never kept."""
    engine = database.engine
    found = _requested.get(engine, value)
    if found is None:
        generation = _requested.generation(engine)
        with database.sessionmaker() as session:
            found, _ = requested_scopes(session, value)
        _requested.put(engine, value, found, generation)
    return found


def resolve_scopes(session: Session, scope_strings: Iterable[str]) -> list[ScopeInfo]:
    """The requested scopes in order; any unknown scope is an ``invalid_scope`` error."""
    wanted = list(dict.fromkeys(scope_strings))
    found = lookup_scopes(session, wanted)
    unknown = [s for s in wanted if s not in found]
    if unknown:
        raise oauth_error("invalid_scope", "Unknown scope(s): " + " ".join(unknown))
    return [found[s] for s in wanted]


def group_by_resource_server(scopes: Iterable[ScopeInfo]) -> dict[str, list[str]]:
    """Scope strings per resource server; auth.globus.org first, then in request order."""
    groups: dict[str, list[str]] = {}
    for info in scopes:
        groups.setdefault(info.resource_server, []).append(info.scope_string)
    if AUTH_RS in groups:
        groups = {AUTH_RS: groups.pop(AUTH_RS), **groups}
    return groups


def scope_owner_clients(session: Session, resource_server: str) -> set[str]:
    """Clients allowed to act as ``resource_server`` (its id itself, or a registered owner)."""
    owners = {resource_server}
    rows = session.scalars(
        select(Scope.owner_client_id).where(
            Scope.resource_server == resource_server, Scope.owner_client_id.is_not(None)
        )
    )
    owners.update(t.cast(str, r) for r in rows)
    return owners


_DESCRIPTIONS = {
    OPENID: "Know who you are in Globus",
    PROFILE: "View your name and organization",
    EMAIL: "View your email address",
    AUTH_VIEW_IDENTITIES: "View identities in Globus Auth",
    AUTH_VIEW_IDENTITY_SET: "View your linked identities",
    AUTH_VIEW_AUTHENTICATIONS: "View your authentications",
    AUTH_VIEW_CLIENTS: "View your registered clients",
    AUTH_VIEW_CLIENTS_AND_SCOPES: "View your clients and their scopes",
    TRANSFER_ALL: "Transfer files using Globus Transfer",
    GROUPS_ALL: "Manage your groups",
    GROUPS_VIEW: "View your groups and memberships",
    SEARCH_ALL: "Search, ingest and manage your Globus Search indices",
    SEARCH_INGEST: "Ingest data into Globus Search indices",
    SEARCH_SEARCH: "Search Globus Search indices",
    FLOWS_ALL: "Manage and run flows",
    FLOWS_MANAGE_FLOWS: "Manage your flows",
    FLOWS_VIEW_FLOWS: "View flows",
    FLOWS_RUN: "Run flows",
    FLOWS_RUN_STATUS: "View the status of your flow runs",
    FLOWS_RUN_MANAGE: "Manage your flow runs",
    TIMER: "Schedule and manage your Globus Timers",
}


def describe_scope(info: ScopeInfo) -> str:
    """A one-line description for the consent page."""
    return _DESCRIPTIONS.get(info.scope_string) or f"Use {info.resource_server} ({info.name})"


def consent_items(session: Session, requests: Iterable[ScopeRequest]) -> list[dict[str, t.Any]]:
    """The consent page's list: each requested scope described, with the dependent scopes
    the user lets it use nested under it."""
    requests = list(requests)
    known = lookup_scopes(session, [r.scope for _, r in walk(requests)])

    def item(req: ScopeRequest) -> dict[str, t.Any]:
        info = known.get(req.scope)
        return {
            "scope_string": req.scope,
            "description": describe_scope(info) if info else req.scope,
            "optional": req.optional,
            "dependencies": [item(d) for d in req.dependencies],
        }

    return [item(r) for r in requests]


# -- Globus-hosted action providers -------------------------------------------------------------
# Their scope strings as Globus issues them, so flows written for Globus ask for the same.
# A provider that acts on another service depends on that service's scope.
ACTIONS_RS = "actions.globus.org"
ACTIONS_CLIENT_ID = "5fac2e64-c734-4e6b-90ea-ff12ddbf9653"
AP_HELLO_WORLD = url_scope(ACTIONS_RS, "hello_world")
AP_TRANSFER = url_scope(ACTIONS_RS, "transfer/transfer")
AP_DELETE = url_scope(ACTIONS_RS, "transfer/delete")
AP_SET_PERMISSION = url_scope(ACTIONS_RS, "transfer/set_permission")
AP_SEARCH_INGEST = url_scope(ACTIONS_RS, "search/ingest")
AP_LS = url_scope(ACTIONS_CLIENT_ID, "transfer_ls")
AP_MKDIR = url_scope(ACTIONS_CLIENT_ID, "transfer_mkdir")
AP_COLLECTION_INFO = url_scope(ACTIONS_CLIENT_ID, "transfer_collection_info")
AP_SEARCH_DELETE = url_scope(ACTIONS_CLIENT_ID, "search_delete")
AP_NOTIFY = url_scope(ACTIONS_CLIENT_ID, "notification_notify")
AP_EXPRESSION = url_scope(ACTIONS_CLIENT_ID, "expression")

BUILTIN_SCOPES.update(
    {
        s.scope_string: s
        for s in (
            _builtin(AP_HELLO_WORLD, ACTIONS_RS, "hello_world"),
            _builtin(AP_TRANSFER, ACTIONS_RS, "transfer/transfer", (TRANSFER_ALL,)),
            _builtin(AP_DELETE, ACTIONS_RS, "transfer/delete", (TRANSFER_ALL,)),
            _builtin(AP_SET_PERMISSION, ACTIONS_RS, "transfer/set_permission", (TRANSFER_ALL,)),
            _builtin(AP_SEARCH_INGEST, ACTIONS_RS, "search/ingest", (SEARCH_ALL,)),
            _builtin(AP_LS, ACTIONS_CLIENT_ID, "transfer_ls", (TRANSFER_ALL,)),
            _builtin(AP_MKDIR, ACTIONS_CLIENT_ID, "transfer_mkdir", (TRANSFER_ALL,)),
            _builtin(
                AP_COLLECTION_INFO, ACTIONS_CLIENT_ID, "transfer_collection_info", (TRANSFER_ALL,)
            ),
            _builtin(AP_SEARCH_DELETE, ACTIONS_CLIENT_ID, "search_delete", (SEARCH_ALL,)),
            _builtin(AP_NOTIFY, ACTIONS_CLIENT_ID, "notification_notify"),
            _builtin(AP_EXPRESSION, ACTIONS_CLIENT_ID, "expression"),
        )
    }
)
_DESCRIPTIONS.update(
    {
        AP_HELLO_WORLD: "Run the Hello World action",
        AP_TRANSFER: "Transfer files as an action",
        AP_DELETE: "Delete files as an action",
        AP_SET_PERMISSION: "Set permissions on collections as an action",
        AP_SEARCH_INGEST: "Ingest into Globus Search indices as an action",
        AP_LS: "List directories as an action",
        AP_MKDIR: "Make directories as an action",
        AP_COLLECTION_INFO: "View collection information as an action",
        AP_SEARCH_DELETE: "Delete from Globus Search indices as an action",
        AP_NOTIFY: "Send notifications as an action",
        AP_EXPRESSION: "Evaluate expressions as an action",
    }
)
