"""Bearer-token checks for every service's routes: ``require_token`` with the scopes a
route accepts, so no service writes its own.

This runs on every request of every service. A token seen in the last
``CACHE_SECONDS`` is answered from memory on the event loop, with no thread and no
connection; otherwise the token store (Auth's, registered with :func:`use_token_lookup`)
reads it in the thread pool. A revocation committed in this process empties the caches at
once; one committed elsewhere reaches this process within ``CACHE_SECONDS``.
"""

from __future__ import annotations

import hashlib
import time
import typing as t
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from fastapi import Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from globus_local.db import Database
from globus_local.db.after_commit import after_commit
from globus_local.kit.errors import ServiceError


@dataclass(frozen=True)
class AuthContext:
    identity_id: str  # effective identity; a client_credentials token's is the client's own id
    username: str
    client_id: str  # the client that obtained the token
    scopes: frozenset[str]
    resource_server: str
    identity_set: tuple[str, ...]  # all linked identity ids, identity_id first
    token_hash: str  # stable id of the token (dependent-token grants key on it)


# How long a looked-up token is trusted without a new look: the bound on how late another
# process learns of a revocation.
CACHE_SECONDS = 5.0
# Entries kept at most; the cache starts afresh past this.
CACHE_ENTRIES = 50_000


K = t.TypeVar("K")
V = t.TypeVar("V")


class ShortCache(t.Generic[K, V]):
    """Answers derived from live tokens, each kept until its token must be looked at again
    (``CACHE_SECONDS``, or the token's expiry if sooner). Emptied when a revocation
    commits in this process."""

    def __init__(self) -> None:
        self._entries: dict[K, tuple[V, float]] = {}

    def get(self, key: K) -> V | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry[1] <= time.monotonic():
            self._entries.pop(key, None)
            return None
        return entry[0]

    def put(self, key: K, value: V, expires_at: int | None) -> None:
        if len(self._entries) >= CACHE_ENTRIES:
            self._entries.clear()
        until = time.monotonic() + CACHE_SECONDS
        if expires_at is not None:
            until = min(until, time.monotonic() + (expires_at - time.time()))
        self._entries[key] = (value, until)

    def clear(self) -> None:
        self._entries.clear()


# Token contexts by the token's sha256.
token_cache: ShortCache[str, AuthContext] = ShortCache()
# Documents served for a token (userinfo, introspection), by a key naming what was asked.
document_cache: ShortCache[tuple[str, ...], dict[str, t.Any]] = ShortCache()


def _forget_tokens(_: list[t.Any], __: str) -> None:
    token_cache.clear()
    document_cache.clear()


def forget_tokens_after_commit(session: Session) -> None:
    """Empty the caches once ``session``, which revokes tokens, commits (not before, or a
    request could cache a token again from the old rows)."""
    after_commit(session, "tokens.revoked", None, _forget_tokens)


# Reads a token by its sha256 from the token store: its context if it is a live access
# token, else None. Auth registers the one the platform uses.
TokenLookup = Callable[[Database, str], "tuple[AuthContext, int | None] | None"]
_token_lookup: TokenLookup | None = None


def use_token_lookup(lookup: TokenLookup) -> None:
    """Register the token store (Auth's, when its service is imported)."""
    global _token_lookup
    _token_lookup = lookup


def token_hash(token_string: str) -> str:
    """The id a token is stored and cached under: its sha256, in hex."""
    return hashlib.sha256(token_string.encode()).hexdigest()


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


def _lookup(database: Database, token_hash: str) -> AuthContext | None:
    """Ask the token store (in the thread pool) and remember a live answer."""
    if _token_lookup is None:
        raise RuntimeError("no token store registered: import globus_local.services.auth")
    found = _token_lookup(database, token_hash)
    if found is not None:
        ctx, expires_at = found
        token_cache.put(token_hash, ctx, expires_at)
        return ctx
    return None


async def authenticate_request(request: Request) -> AuthContext | None:
    """The context of the request's bearer token if it is a live access token; raises 401
    when no bearer token was sent."""
    token_string = bearer_token(request)
    if token_string is None:
        raise _unauthorized("No Bearer token in the Authorization header")
    key = token_hash(token_string)
    ctx = token_cache.get(key)
    if ctx is None:
        ctx = await run_in_threadpool(_lookup, request.app.state.db, key)
    return ctx


def require_token(
    resource_server: str | None, *any_of_scopes: str
) -> Callable[[Request], Awaitable[AuthContext]]:
    """A FastAPI dependency accepting tokens for ``resource_server`` holding any listed scope.

    With no scopes listed any token for the resource server is accepted; with
    ``resource_server=None`` any live access token is. Async, so a cached token costs the
    request no trip to the thread pool.
    """
    wanted = frozenset(any_of_scopes)

    async def _require(request: Request) -> AuthContext:
        ctx = await authenticate_request(request)
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
