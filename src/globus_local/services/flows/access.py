"""Who may see and do what with flows and runs.

A caller stands for its identity URNs and the URNs of the groups any of them actively
belongs to (Groups' logic, in-process). Flow roles rank ``flow_owner`` >
``flow_administrator`` > ``flow_starter`` > ``flow_viewer``; each implies the ones below.
``public`` in ``flow_viewers`` lets anyone with a token see the flow, and
``all_authenticated_users`` in a list gives that role to every caller. Run roles are the
run's ``run_owner``, ``run_manager`` and ``run_monitor`` plus the flow's run managers and
monitors (``flow_run_manager``, ``flow_run_monitor``). What a caller may not see is
answered 404, so its existence is not revealed.
"""

from __future__ import annotations

import functools
import re
import typing as t
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from globus_local.kit.errors import Forbidden, NotFound
from globus_local.kit.tokens import AuthContext
from globus_local.services.auth.scopes import FLOWS_RS
from globus_local.services.flows.errors import missing_scope, unprocessable
from globus_local.services.flows.models import Flow, Run
from globus_local.services.groups.principals import (
    IDENTITY_URN_PREFIX,
    principal_urns_for,
)

PUBLIC = "public"
ALL_AUTHENTICATED = "all_authenticated_users"
_URN = re.compile(
    r"^urn:globus:(auth:identity|groups:id):"
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
)
MAX_PRINCIPALS = 100

# The principal lists of a flow, and the special principals each may hold.
FLOW_LISTS: dict[str, frozenset[str]] = {
    "flow_viewers": frozenset({PUBLIC, ALL_AUTHENTICATED}),
    "flow_starters": frozenset({ALL_AUTHENTICATED}),
    "flow_administrators": frozenset(),
    "run_managers": frozenset(),
    "run_monitors": frozenset(),
}
RUN_LISTS: dict[str, frozenset[str]] = {"run_managers": frozenset(), "run_monitors": frozenset()}

# Flow roles, lowest first; a role implies every one before it.
FLOW_RANKS = ("flow_viewer", "flow_starter", "flow_administrator", "flow_owner")
_LIST_ROLE = {
    "flow_viewers": "flow_viewer",
    "flow_starters": "flow_starter",
    "flow_administrators": "flow_administrator",
}


def identity_urn(identity_id: str) -> str:
    return IDENTITY_URN_PREFIX + identity_id


def check_principals(value: t.Any, field: str, specials: frozenset[str]) -> list[str]:
    """A principal list as the client sent it: URNs of identities or groups, plus the
    special principals this list may hold; anything else is a 422 naming it."""
    if value is None:
        return []
    if not isinstance(value, list) or len(value) > MAX_PRINCIPALS:
        raise unprocessable(
            f"{field} must be a list of at most {MAX_PRINCIPALS} principals", [field]
        )
    out: list[str] = []
    for i, item in enumerate(value):
        if not isinstance(item, str) or not (item in specials or _URN.match(item)):
            allowed = ", ".join(sorted(specials)) or "no special values"
            raise unprocessable(
                f"{field}[{i}] must be an identity or group URN ({allowed} also allowed): {item!r}",
                [field, i],
            )
        out.append(item.lower() if item.startswith("urn:") else item)
    return list(dict.fromkeys(out))


@dataclass(frozen=True)
class Caller:
    """The authenticated user as Flows sees them."""

    identity_id: str
    username: str
    identity_set: frozenset[str]
    session: Session

    @property
    def urn(self) -> str:
        return identity_urn(self.identity_id)

    @functools.cached_property
    def principals(self) -> frozenset[str]:
        """Every URN the caller stands for (identities and groups)."""
        return frozenset(principal_urns_for(self.session, self.identity_set))

    def holds(self, principals: t.Iterable[str]) -> bool:
        return any(p == ALL_AUTHENTICATED or p in self.principals for p in principals)


def check_scopes(ctx: AuthContext, *scopes: str, flow_id: str | None = None) -> None:
    """The token is for the Flows service with one of ``scopes``, or (where the route
    names a flow) for that flow's own scope, as the automate client sends on its routes."""
    if ctx.resource_server == FLOWS_RS and ctx.scopes & set(scopes):
        return
    if flow_id is not None and ctx.resource_server == flow_id:
        return
    raise missing_scope(scopes[0])


def caller_of(session: Session, ctx: AuthContext) -> Caller:
    """The token's user, whose group memberships are read through ``session``."""
    return Caller(
        identity_id=ctx.identity_id,
        username=ctx.username,
        identity_set=frozenset(ctx.identity_set) | {ctx.identity_id},
        session=session,
    )


# -- flows ------------------------------------------------------------------------------------
def flow_roles(flow: Flow, caller: Caller) -> list[str]:
    """The caller's roles on ``flow``, implied ones included, lowest rank first."""
    held: set[str] = set()
    if flow.owner_id in caller.identity_set:
        held.add("flow_owner")
    for field, role in _LIST_ROLE.items():
        if caller.holds(getattr(flow, field)):
            held.add(role)
    if PUBLIC in flow.flow_viewers:
        held.add("flow_viewer")
    top = max((FLOW_RANKS.index(r) for r in held), default=-1)
    roles = list(FLOW_RANKS[: top + 1])
    if caller.holds(flow.run_managers):
        roles.append("run_manager")
    if caller.holds(flow.run_monitors):
        roles.append("run_monitor")
    return roles


def top_flow_role(roles: list[str]) -> str | None:
    ranked = [r for r in roles if r in FLOW_RANKS]
    return ranked[-1] if ranked else (roles[0] if roles else None)


def is_flow_admin(roles: list[str]) -> bool:
    return "flow_administrator" in roles


@dataclass(frozen=True)
class FlowAccess:
    flow: Flow
    caller: Caller
    roles: list[str]

    @property
    def is_admin(self) -> bool:
        return is_flow_admin(self.roles)

    @property
    def is_owner(self) -> bool:
        return "flow_owner" in self.roles

    def require_admin(self) -> None:
        if not self.is_admin:
            raise Forbidden("Only the flow's owner and administrators may do this")

    def require_owner(self) -> None:
        if not self.is_owner:
            raise Forbidden("Only the flow's owner may do this")

    def require_starter(self) -> None:
        if "flow_starter" not in self.roles:
            raise Forbidden(f"You may not start runs of flow {self.flow.id}")


def flow_access(flow: Flow, caller: Caller) -> FlowAccess:
    return FlowAccess(flow, caller, flow_roles(flow, caller))


def flow_not_found(flow_id: str) -> NotFound:
    return NotFound(f"No flow with id {flow_id} is visible to you")


def load_flow(session: Session, flow_id: str, caller: Caller) -> FlowAccess:
    """The flow as the caller may see it; 404 when unknown, deleted or invisible to them."""
    flow = session.get(Flow, flow_id) if _is_uuid(flow_id) else None
    if flow is None or flow.deleted_at is not None:
        raise flow_not_found(flow_id)
    roles = flow_roles(flow, caller)
    if not roles:
        raise flow_not_found(flow_id)
    return FlowAccess(flow, caller, roles)


# -- runs -------------------------------------------------------------------------------------
RUN_RANKS = ("run_monitor", "flow_run_monitor", "run_manager", "flow_run_manager", "run_owner")


def run_roles(run: Run, flow: Flow | None, caller: Caller) -> list[str]:
    roles: list[str] = []
    if caller.holds(run.run_monitors):
        roles.append("run_monitor")
    if flow is not None and caller.holds(flow.run_monitors):
        roles.append("flow_run_monitor")
    if caller.holds(run.run_managers):
        roles.append("run_manager")
    if flow is not None and caller.holds(flow.run_managers):
        roles.append("flow_run_manager")
    if run.owner_id in caller.identity_set:
        roles.append("run_owner")
    return roles


@dataclass(frozen=True)
class RunAccess:
    run: Run
    flow: Flow | None
    caller: Caller
    roles: list[str]

    @property
    def user_role(self) -> str:
        return self.roles[-1]

    @property
    def can_manage(self) -> bool:
        return bool({"run_owner", "run_manager", "flow_run_manager"} & set(self.roles))

    def require_manage(self) -> None:
        if not self.can_manage:
            raise Forbidden(f"You may not manage run {self.run.id}")


def run_not_found(run_id: str) -> NotFound:
    return NotFound(f"No run with id {run_id} is visible to you")


def load_run(
    session: Session, run_id: str, caller: Caller, flow_id: str | None = None
) -> RunAccess:
    """The run as the caller may see it (404 otherwise); ``flow_id`` when the route names
    the flow too (the legacy routes), which must match."""
    run = session.get(Run, run_id) if _is_uuid(run_id) else None
    if run is None or run.released or (flow_id is not None and run.flow_id != flow_id):
        raise run_not_found(run_id)
    flow = session.get(Flow, run.flow_id)
    roles = run_roles(run, flow, caller)
    if not roles:
        raise run_not_found(run_id)
    return RunAccess(run, flow, caller, roles)


def run_accesses(session: Session, runs: list[Run], caller: Caller) -> list[RunAccess]:
    """Listed runs with the caller's roles, reading each flow once."""
    flow_ids = sorted({r.flow_id for r in runs})
    flows = {f.id: f for f in session.scalars(select(Flow).where(Flow.id.in_(flow_ids)))}
    out = []
    for run in runs:
        flow = flows.get(run.flow_id)
        out.append(RunAccess(run, flow, caller, run_roles(run, flow, caller) or ["run_monitor"]))
    return out


_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def _is_uuid(value: str) -> bool:
    return bool(_UUID.match(value))
