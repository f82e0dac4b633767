"""Who may call a provider and see or change an action.

A provider takes tokens carrying its scope (anything else is a 401, as the Action
Provider tools answer); an action may be seen by its creator and the principals of its
``monitor_by`` and ``manage_by``, and changed by its creator and those of ``manage_by``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import Request
from sqlalchemy.orm import Session

from globus_local.kit.errors import AuthenticationFailed, Forbidden
from globus_local.kit.tokens import AuthContext, authenticate_request
from globus_local.services.actions.models import Action
from globus_local.services.groups.principals import principal_urns_for

IDENTITY_URN = "urn:globus:auth:identity:"
GROUP_URN = "urn:globus:groups:id:"
ALL_AUTHENTICATED = "all_authenticated_users"
PUBLIC = "public"


def creator_urn(action: Action) -> str:
    return IDENTITY_URN + action.creator_id


def provider_token(scope: str) -> Callable[[Request], Awaitable[AuthContext]]:
    """A FastAPI dependency: the request's token context if the token carries ``scope``."""

    async def _require(request: Request) -> AuthContext:
        ctx = await authenticate_request(request)
        if ctx is None:
            raise AuthenticationFailed("Token is invalid, expired or revoked")
        if scope not in ctx.scopes:
            raise AuthenticationFailed(
                f"Token is not valid for this action provider: it lacks the scope {scope}",
                required_scopes=[scope],
            )
        request.state.auth = ctx
        return ctx

    return _require


def principals(session: Session, ctx: AuthContext) -> set[str]:
    """The caller's identity and group URNs, and the principals everyone holds."""
    identities = ctx.identity_set or (ctx.identity_id,)
    return {*principal_urns_for(session, identities), ALL_AUTHENTICATED, PUBLIC}


def may_monitor(action: Action, held: set[str]) -> bool:
    return creator_urn(action) in held or bool(held & {*action.monitor_by, *action.manage_by})


def may_manage(action: Action, held: set[str]) -> bool:
    return creator_urn(action) in held or bool(held & set(action.manage_by))


def require_monitor(session: Session, ctx: AuthContext, action: Action) -> None:
    if not may_monitor(action, principals(session, ctx)):
        raise Forbidden(f"Not allowed to view Action {action.id}", code="ForbiddenRequest")


def require_manage(session: Session, ctx: AuthContext, action: Action) -> None:
    if not may_manage(action, principals(session, ctx)):
        raise Forbidden(f"Not allowed to manage Action {action.id}", code="ForbiddenRequest")


def valid_principal(value: str) -> bool:
    return value.startswith((IDENTITY_URN, GROUP_URN)) or value in (ALL_AUTHENTICATED, PUBLIC)
