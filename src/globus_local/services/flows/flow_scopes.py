"""Each flow's own scope in Auth, and the provider scopes it depends on.

A flow is a resource server named by its id, with the one scope
``https://auth.globus.org/scopes/<flow_id>/flow_<flow_id with - as _>_user``; a token for it
is what starting a run takes. Its dependencies are the scopes of the flow's action states
(given as ``ActionScope``, or found from the provider), so the engine gets a dependent
token for each provider with exactly the user's consent.
"""

from __future__ import annotations

import typing as t

from sqlalchemy.orm import Session

from globus_local.flow_language.validation import action_states
from globus_local.services.auth.scopes import (
    BUILTIN_SCOPES,
    URL_PREFIX,
    URN_PREFIX,
    lookup_scopes,
    register_scope,
)
from globus_local.services.flows.errors import unprocessable
from globus_local.services.flows.models import Flow
from globus_local.services.flows.providers import hosted_flow_id, provider_scope


def flow_scope_name(flow_id: str) -> str:
    return f"flow_{flow_id.replace('-', '_')}_user"


def flow_scope_string(flow_id: str) -> str:
    return f"{URL_PREFIX}{flow_id}/{flow_scope_name(flow_id)}"


def find_action_scopes(definition: dict[str, t.Any], public_root: str) -> dict[str, str]:
    """Each action state's scope by state name; a provider whose scope cannot be found is
    a 422 naming its state. Asks providers over HTTP: call it before writing anything."""
    found: dict[str, str] = {}
    for state in action_states(definition):
        flow_id = hosted_flow_id(state.action_url)
        scope = (
            state.action_scope
            or (flow_scope_string(flow_id) if flow_id else None)
            or provider_scope(public_root, state.action_url)
        )
        if not scope:
            message = (
                f"State {state.name}: no ActionScope given and the action provider at "
                f"{state.action_url} did not say its scope"
            )
            raise unprocessable(message, ["definition", "States", state.name, "ActionScope"])
        found[state.name] = scope
    return found


_PLATFORM_SERVERS = frozenset(info.resource_server for info in BUILTIN_SCOPES.values())


def _is_flow_id(session: Session, resource_server: str) -> bool:
    return session.get(Flow, resource_server) is not None


def _resource_server_of(scope: str) -> str | None:
    if scope.startswith(URL_PREFIX):
        rest = scope[len(URL_PREFIX) :]
        rs, sep, name = rest.partition("/")
        return rs if sep and rs and name else None
    if scope.startswith(URN_PREFIX):
        rs, sep, name = scope[len(URN_PREFIX) :].rpartition(":")
        return rs if sep and rs and name else None
    return None


def register_flow_scope(
    session: Session, flow_id: str, definition: dict[str, t.Any], action_scopes: dict[str, str]
) -> str:
    """Store (or update) the flow's scope, depending on the scopes its states use as the
    user (a RunAs Flow state acts as the flow and needs no consent of the user); a
    provider scope Auth does not know yet is added under the resource server its string
    names."""
    dependencies = scopes_by_run_as(definition, action_scopes).get("User", [])
    known = set(lookup_scopes(session, action_scopes.values()))
    for state_name, scope in action_scopes.items():
        if scope in known:
            continue
        rs = _resource_server_of(scope)
        if rs is None or rs in _PLATFORM_SERVERS or _is_flow_id(session, rs):
            # Only a provider's own resource server gets a new scope: none is added to a
            # platform service's or a flow's.
            raise unprocessable(
                f"State {state_name}: ActionScope {scope!r} is not a scope Globus Auth knows",
                ["definition", "States", state_name, "ActionScope"],
            )
        name = scope.rsplit("/" if scope.startswith(URL_PREFIX) else ":", 1)[1]
        register_scope(session, rs, name, scope_string=scope)
    return register_scope(
        session,
        flow_id,
        flow_scope_name(flow_id),
        dependencies=dependencies,
        scope_string=flow_scope_string(flow_id),
        owner_client_id=flow_id,
    )


def scopes_by_run_as(
    definition: dict[str, t.Any], action_scopes: dict[str, str]
) -> dict[str, list[str]]:
    """The provider scopes each RunAs role's token must cover (``validate_flow``'s answer)."""
    out: dict[str, list[str]] = {}
    for state in action_states(definition):
        scope = action_scopes.get(state.name)
        role = state.run_as or "User"
        if scope and scope not in out.setdefault(role, []):
            out[role].append(scope)
    return out
