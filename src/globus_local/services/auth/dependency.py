"""Auth's token store behind the platform's token check (``globus_local.kit.tokens``):
who a token stands for, read by the token's sha256 (stored on the token row when it is
minted), so the check is one primary-key read.
"""

from __future__ import annotations

import time

from sqlalchemy.orm import Session

from globus_local.db import Database
from globus_local.kit.tokens import AuthContext
from globus_local.services.auth.hashing import sha256_hex
from globus_local.services.auth.models import Token


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


def lookup_token(database: Database, token_hash: str) -> tuple[AuthContext, int | None] | None:
    """A live access token's context and expiry, read in its own short session so no
    connection outlives the look."""
    with database.sessionmaker() as session:
        token = session.get(Token, token_hash)
        if token is None or token.kind != "access" or not token.is_active(int(time.time())):
            return None
        return context_for(token), token.expires_at
