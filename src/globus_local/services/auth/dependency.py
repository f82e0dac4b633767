"""Bearer-token authentication for every service's routes.

This runs on every request of every service, so it is one primary-key read of the token's
sha256: who the token stands for is stored on the token row when it is minted.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from fastapi import Request
from sqlalchemy.orm import Session

from globus_local.db import DbSession
from globus_local.errors import ServiceError
from globus_local.services.auth.hashing import sha256_hex
from globus_local.services.auth.models import Token


@dataclass(frozen=True)
class AuthContext:
    identity_id: str  # effective identity; a client_credentials token's is the client's own id
    username: str
    client_id: str  # the client that obtained the token
    scopes: frozenset[str]
    resource_server: str
    identity_set: tuple[str, ...]  # all linked identity ids, identity_id first
    token_hash: str  # stable id of the token (dependent-token grants key on it)


def context_for(token: Token) -> AuthContext:
    return AuthContext(
        identity_id=token.identity_id,
        username=token.username,
        client_id=token.client_id,
        scopes=frozenset(token.scope.split()),
        resource_server=token.resource_server,
        identity_set=tuple(token.identity_set.split()) or (token.identity_id,),
        token_hash=token.token_hash,
    )


def find_active_token(session: Session, token_string: str, kind: str | None = None) -> Token | None:
    """The stored token for ``token_string`` if it is live (and of ``kind``, when given)."""
    if not token_string:
        return None
    token = session.get(Token, sha256_hex(token_string))
    if token is None or (kind is not None and token.kind != kind):
        return None
    return token if token.is_active(int(time.time())) else None


def authenticate_token(session: Session, token_string: str) -> AuthContext | None:
    """The context of a live access token, or None (for callers outside routes)."""
    token = find_active_token(session, token_string, "access")
    return context_for(token) if token is not None else None


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def _unauthorized(message: str) -> ServiceError:
    return ServiceError(
        401,
        "AuthenticationFailed",
        message,
        _headers={"WWW-Authenticate": 'Bearer realm="globus-local"'},
    )


def require_token(resource_server: str | None, *any_of_scopes: str) -> Callable[..., AuthContext]:
    """A FastAPI dependency accepting tokens for ``resource_server`` holding any listed scope.

    With no scopes listed any token for the resource server is accepted; with
    ``resource_server=None`` any live access token is.
    """
    wanted = frozenset(any_of_scopes)

    def _require(request: Request, db: DbSession) -> AuthContext:
        token_string = bearer_token(request)
        if token_string is None:
            raise _unauthorized("No Bearer token in the Authorization header")
        ctx = authenticate_token(db, token_string)
        if ctx is None:
            raise _unauthorized("Token is invalid, expired or revoked")
        if (resource_server is not None and ctx.resource_server != resource_server) or (
            wanted and not (wanted & ctx.scopes)
        ):
            required = list(any_of_scopes[:1])
            raise ServiceError(
                403,
                "ConsentRequired",
                "Missing required scopes: " + (" or ".join(any_of_scopes) or resource_server or ""),
                required_scopes=required,
            )
        request.state.auth = ctx
        return ctx

    return _require
