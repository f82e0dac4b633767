"""Who may see, change and read/write which endpoint — the checks every Transfer route and
the data mover make (the mover again at run time, since access can be revoked).

* Host endpoints: the owner and administrators have full data access; other roles only
  see the endpoint.
* Shared endpoints (guest collections): the owner and administrators have full access;
  everyone else needs an access rule covering the path (identity, group via Groups
  membership, all_authenticated_users, anonymous), ``r`` or ``rw``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterable
from typing import Literal

from sqlalchemy import bindparam, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from globus_local.db import utcnow
from globus_local.kit.errors import BadRequest, Forbidden, NotFound
from globus_local.kit.tokens import AuthContext
from globus_local.services.transfer.models_endpoints import (
    AccessRule,
    Endpoint,
    EndpointRole,
    EndpointUsage,
)
from globus_local.storage import (
    StorageConnector,
    connector_for_location,
    is_url,
    normalize,
    resolve,
)
from globus_local.storage.errors import StorageError

IDENTITY_URN = "urn:globus:auth:identity:"
GROUP_URN = "urn:globus:groups:id:"

Need = Literal["read", "monitor", "manage", "write"]
# Roles that satisfy each endpoint-level need (the owner always does).
_NEED_ROLES: dict[str, frozenset[str]] = {
    "read": frozenset({"administrator", "access_manager", "activity_manager", "activity_monitor"}),
    "monitor": frozenset({"administrator", "activity_manager", "activity_monitor"}),
    "manage": frozenset({"administrator", "access_manager"}),
    "write": frozenset({"administrator"}),
}

MONITOR_ROLES = _NEED_ROLES["monitor"]

# Functions telling which endpoints have unfinished tasks of some identities (the task
# side registers one); used by the ``in-use`` search scope and the ``in_use`` field.
InUseProvider = Callable[[Session, Iterable[str]], set[str]]
_in_use_providers: list[InUseProvider] = []


def register_in_use_provider(fn: InUseProvider) -> InUseProvider:
    if fn not in _in_use_providers:
        _in_use_providers.append(fn)
    return fn


InUseCheck = Callable[[Session, Iterable[str], str], bool]
_in_use_checks: list[InUseCheck] = []


def register_in_use_check(fn: InUseCheck) -> InUseCheck:
    """Register a cheaper answer for one endpoint than ``endpoints_in_use`` gives."""
    if fn not in _in_use_checks:
        _in_use_checks.append(fn)
    return fn


def endpoint_in_use(session: Session, identity_ids: Iterable[str], endpoint_id: str) -> bool:
    """Whether these identities have unfinished work on ``endpoint_id``."""
    ids = list(identity_ids)
    return any(check(session, ids, endpoint_id) for check in _in_use_checks)


def endpoints_in_use(session: Session, identity_ids: Iterable[str]) -> set[str]:
    ids = list(identity_ids)
    found: set[str] = set()
    for provider in _in_use_providers:
        found |= provider(session, ids)
    return found


# -- principals --------------------------------------------------------------------------
def identities(ctx: AuthContext) -> list[str]:
    """Every identity the caller acts as (their linked identity set)."""
    return list(ctx.identity_set or (ctx.identity_id,))


def require_identity(session: Session, identity_id: str) -> None:
    """Refuse a role or access rule naming an identity Auth does not know."""
    from globus_local.services.auth.identities import get_identity

    if get_identity(session, identity_id) is None:
        raise BadRequest(
            f"Unknown identity '{identity_id}'", code="ClientError.BadRequest.InvalidPrincipal"
        )


def principal_urns(session: Session, ctx: AuthContext) -> set[str]:
    """Identity URNs of the caller's identity set plus URNs of their groups.

    Kept for the rest of the transaction (``session.info``): one request checks several
    endpoints and paths, and memberships cannot change under its own transaction.
    """
    ids = tuple(identities(ctx))
    cache = session.info.setdefault("transfer.principal_urns", {})
    found = cache.get(ids)
    if found is not None:
        return set(found)
    urns = {IDENTITY_URN + i for i in ids}
    try:
        from globus_local.services.groups.principals import principal_urns_for
    except ImportError:  # Groups not installed: identities only
        pass
    else:
        urns |= set(principal_urns_for(session, ids))
    cache[ids] = frozenset(urns)
    return urns


def _principal_matches(principal_type: str, principal: str, urns: set[str]) -> bool:
    if principal_type == "identity":
        return IDENTITY_URN + principal in urns
    if principal_type == "group":
        return GROUP_URN + principal in urns
    return principal_type in ("all_authenticated_users", "anonymous")


def is_owner(ctx: AuthContext, endpoint: Endpoint) -> bool:
    return endpoint.owner_id in identities(ctx)


# Run for every endpoint document: built once.
_ROLES_OF = select(EndpointRole).where(EndpointRole.endpoint_id == bindparam("endpoint_id"))


def effective_roles(
    session: Session, ctx: AuthContext, endpoint: Endpoint, urns: set[str] | None = None
) -> set[str]:
    """Roles the caller holds on ``endpoint``; the owner holds ``administrator``.

    On a share, activity roles held on its host endpoint count too (an endpoint manager
    watches everything hosted there; the host's administrators manage that activity)."""
    rows = [
        (r.principal_type, r.principal, r.role)
        for r in session.scalars(_ROLES_OF, {"endpoint_id": endpoint.id})
    ]
    if rows:
        urns = urns if urns is not None else principal_urns(session, ctx)
    roles = roles_held(is_owner(ctx, endpoint), rows, urns or set())
    host = endpoint.host_endpoint if endpoint.host_endpoint_id else None
    if host is not None:
        roles |= inherited_from_host(effective_roles(session, ctx, host, urns))
    return roles


RoleRow = tuple[str, str, str]  # principal_type, principal, role


def roles_held(owner: bool, rows: Iterable[RoleRow], urns: set[str]) -> set[str]:
    """The roles that the role ``rows`` of one endpoint give a caller whose principals are
    ``urns``; its owner holds ``administrator``."""
    roles: set[str] = {"administrator"} if owner else set()
    roles |= {role for kind, principal, role in rows if _principal_matches(kind, principal, urns)}
    return roles


def inherited_from_host(host_roles: Iterable[str]) -> set[str]:
    """What the caller's roles on a host endpoint give them on a share it hosts."""
    return {_INHERITED_FROM_HOST[role] for role in host_roles if role in _INHERITED_FROM_HOST}


def roles_without_groups(ids: list[str], owner_id: str, rows: list[RoleRow]) -> set[str] | None:
    """:func:`roles_held` when no row names a group, so the caller's identities are all
    the principals that can match; None when one does (group memberships are needed)."""
    if any(kind == "group" for kind, _, _ in rows):
        return None
    return roles_held(owner_id in ids, rows, {IDENTITY_URN + i for i in ids})


# What a role on a host endpoint gives on the shares it hosts.
_INHERITED_FROM_HOST = {
    "administrator": "activity_manager",
    "activity_manager": "activity_manager",
    "activity_monitor": "activity_monitor",
}


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=dt.timezone.utc)
    return value


def matching_rules(
    session: Session, ctx: AuthContext, endpoint: Endpoint, urns: set[str] | None = None
) -> list[AccessRule]:
    """The caller's live (unexpired) access rules on ``endpoint``."""
    rules = list(session.scalars(select(AccessRule).where(AccessRule.endpoint_id == endpoint.id)))
    if not rules:
        return []
    urns = urns if urns is not None else principal_urns(session, ctx)
    now = utcnow()
    return [
        r
        for r in rules
        if _principal_matches(r.principal_type, r.principal, urns)
        and (r.expiration_date is None or _aware(r.expiration_date) > now)  # type: ignore[operator]
    ]


def rule_covers(rule_path: str, path: str) -> bool:
    """Whether an access rule on ``rule_path`` (``/a/`` for a directory) covers ``path``."""
    base = rule_path.rstrip("/")
    return base == "" or path == base or path.startswith(base + "/")


def can_view(session: Session, ctx: AuthContext, endpoint: Endpoint) -> bool:
    if is_owner(ctx, endpoint) or endpoint.public:
        return True
    urns = principal_urns(session, ctx)
    if effective_roles(session, ctx, endpoint, urns):
        return True
    return endpoint.is_shared and bool(matching_rules(session, ctx, endpoint, urns))


def has_need(session: Session, ctx: AuthContext, endpoint: Endpoint, need: Need) -> bool:
    if need == "read":
        return can_view(session, ctx, endpoint)
    return bool(effective_roles(session, ctx, endpoint) & _NEED_ROLES[need])


def endpoint_not_found(endpoint_id: str) -> NotFound:
    return NotFound(f"No such endpoint '{endpoint_id}'", code="EndpointNotFound")


def view_denied(endpoint_id: str) -> Forbidden:
    return Forbidden(
        f"You do not have permission to access endpoint '{endpoint_id}'",
        code="EndpointPermissionDenied",
    )


def get_endpoint_row(session: Session, endpoint_id: str) -> Endpoint | None:
    try:
        key = str(uuid.UUID(str(endpoint_id)))
    except ValueError:
        return None
    return session.get(Endpoint, key)


def endpoint_for(
    session: Session, ctx: AuthContext, endpoint_id: str, *, need: Need = "read"
) -> Endpoint:
    """The endpoint if the caller may ``need`` it: ``read`` (see it / use it subject to
    path checks), ``monitor`` (activity views), ``manage`` (access rules) or ``write``
    (change or delete it, its servers and roles)."""
    endpoint = get_endpoint_row(session, endpoint_id)
    if endpoint is None:
        raise endpoint_not_found(endpoint_id)
    if not can_view(session, ctx, endpoint):
        raise view_denied(endpoint.id)
    if need != "read" and not has_need(session, ctx, endpoint, need):
        raise Forbidden(
            f"You do not have the role needed to {_NEED_WORDS[need]} endpoint '{endpoint.id}'",
            code="PermissionDenied",
        )
    return endpoint


_NEED_WORDS = {
    "read": "use",
    "monitor": "monitor activity on",
    "manage": "manage access rules of",
    "write": "administer",
}


# Rules the storage behind some entity types adds to Transfer's own (a GCS collection's
# storage gateway): given Transfer's answer for a path, the permissions that stand.
PathPolicy = Callable[[Session, AuthContext, Endpoint, str, str], str]
_path_policies: dict[str, PathPolicy] = {}


def register_path_policy(entity_type: str, fn: PathPolicy) -> None:
    _path_policies[entity_type] = fn


def path_permissions(session: Session, ctx: AuthContext, endpoint: Endpoint, path: str) -> str:
    """``"rw"``, ``"r"`` or ``""``: what the caller may do at ``path`` of ``endpoint``."""
    path = normalize(path)
    perms = _rule_permissions(session, ctx, endpoint, path)
    policy = _path_policies.get(endpoint.entity_type)
    return perms if policy is None else policy(session, ctx, endpoint, path, perms)


def _rule_permissions(session: Session, ctx: AuthContext, endpoint: Endpoint, path: str) -> str:
    if is_owner(ctx, endpoint):  # the owner administers it: no roles or groups to look up
        return "rw"
    urns = principal_urns(session, ctx)
    if "administrator" in effective_roles(session, ctx, endpoint, urns):
        return "rw"
    if not endpoint.is_shared:
        return ""
    perms = ""
    for rule in matching_rules(session, ctx, endpoint, urns):
        if rule_covers(rule.path, path):
            if "w" in rule.permissions:
                return "rw"
            perms = "r"
    return perms


def check_path_access(
    session: Session,
    ctx: AuthContext,
    endpoint: Endpoint,
    path: str,
    need: Literal["r", "rw"],
) -> None:
    """Raise 403 unless the caller may read (``r``) or write (``rw``) ``path``.

    An invalid or escaping path is refused the same way (never resolved further).
    """
    try:
        perms = path_permissions(session, ctx, endpoint, path)
    except StorageError:
        raise Forbidden("Path is outside the endpoint", code="PermissionDenied") from None
    if not perms or (need == "rw" and perms != "rw"):
        verb = "write to" if need == "rw" else "read"
        raise Forbidden(
            f"You do not have permission to {verb} '{normalize(path)}' on endpoint '{endpoint.id}'",
            code="EndpointPermissionDenied",
        )


def storage_root(endpoint: Endpoint) -> tuple[str, dict | None]:
    """Storage location of an endpoint: a share's is its host's location + ``host_path``."""
    if endpoint.is_shared:
        host = endpoint.host_endpoint
        if host is None or not host.storage_url:
            raise StorageError("the host endpoint of this share no longer exists", None)
        sub = normalize(endpoint.host_path or "/")
        base = host.storage_url
        if is_url(base) and not base.startswith("file://"):
            return base.rstrip("/") + (sub if sub != "/" else ""), host.storage_options
        if base.startswith("file://"):
            base = base[len("file://") :]
        # Resolved on the host's real filesystem: a linked host path cannot leave the host.
        return resolve(base, sub), None
    if not endpoint.storage_url:
        raise StorageError("endpoint has no storage", None)
    return endpoint.storage_url, endpoint.storage_options


def connector_for_endpoint(endpoint: Endpoint) -> StorageConnector:
    """The endpoint's storage, rooted at its own root (a share's at its host path, so
    symlinks inside a share cannot reach the rest of the host)."""
    location, options = storage_root(endpoint)
    return connector_for_location(location, options)


def connector_and_path(endpoint: Endpoint, path: str | None) -> tuple[StorageConnector, str]:
    """(connector, normalised endpoint path); raises ``StorageError``/``PathEscape``."""
    return connector_for_endpoint(endpoint), normalize(path)


def record_use(session: Session, ctx: AuthContext, *endpoints: Endpoint) -> None:
    """Remember that the caller used ``endpoints`` (``recently-used``, ``last_accessed_time``).

    Called only where the request writes anyway (a task submitted, an endpoint created or
    updated): reads must not take the database's write lock. A row another request is
    updating right now is left to it (``SKIP LOCKED``), so submissions to a busy endpoint
    never wait for each other here, nor lock its rows in different orders (a deadlock). The
    locks are ``NO KEY UPDATE``: a full ``FOR UPDATE`` would also block the key-share locks
    that other submissions' foreign keys take on the same endpoints."""
    ids = sorted({e.id for e in endpoints})
    if not ids:
        return
    now = utcnow()
    for endpoint in endpoints:  # already written below: keep the loaded objects in step
        set_committed_value(endpoint, "last_accessed", now)
    free_endpoints = (
        select(Endpoint.id)
        .where(Endpoint.id.in_(ids))
        .order_by(Endpoint.id)
        .with_for_update(skip_locked=True, key_share=True)
    )
    session.execute(
        update(Endpoint)
        .where(Endpoint.id.in_(free_endpoints.scalar_subquery()))
        .values(last_accessed=now)
        .execution_options(synchronize_session=False)
    )
    dialect = session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    rows = [{"identity_id": ctx.identity_id, "endpoint_id": i, "last_used": now} for i in ids]
    session.execute(insert(EndpointUsage).values(rows).on_conflict_do_nothing())
    mine = (EndpointUsage.identity_id == ctx.identity_id) & EndpointUsage.endpoint_id.in_(ids)
    free_usage = (
        select(EndpointUsage.endpoint_id)
        .where(mine)
        .order_by(EndpointUsage.endpoint_id)
        .with_for_update(skip_locked=True, key_share=True)
    )
    session.execute(
        update(EndpointUsage)
        .where(mine, EndpointUsage.endpoint_id.in_(free_usage.scalar_subquery()))
        .values(last_used=now)
        .execution_options(synchronize_session=False)
    )
