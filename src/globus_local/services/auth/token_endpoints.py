"""What the OAuth2 token endpoints answer: each grant by type, validation and revocation of
a client's own tokens, introspection, and the userinfo claims of a token."""

from __future__ import annotations

import typing as t

from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from globus_local.config import Settings
from globus_local.db import Database
from globus_local.kit.errors import AuthenticationFailed, Forbidden
from globus_local.services.auth import tokens
from globus_local.services.auth.clients import (
    authenticate_client,
    authenticate_confidential_id,
    cached_confidential_id,
)
from globus_local.services.auth.errors import oauth_error
from globus_local.services.auth.models import Client
from globus_local.services.auth.scopes import AUTH_RS, OPENID, requested_scopes_cached

DEPENDENT_GRANT = "urn:globus:auth:grant_type:dependent_token"
T = t.TypeVar("T")


async def read_only(database: Database, work: t.Callable[[Session], T]) -> T:
    """Run ``work`` on a session in the thread pool, in one hop, and never commit.

    Read-only endpoints use this instead of the ``DbSession`` dependency, whose generator
    costs two more thread-pool hops and a commit per request.
    """

    def run() -> T:
        with database.sessionmaker() as session:  # closing rolls back: nothing is written
            return work(session)

    return await run_in_threadpool(run)


def _confidential(client: Client) -> None:
    if client.public_client:
        raise oauth_error("unauthorized_client", "This grant requires a confidential client")


def grant(
    session: Session, settings: Settings, client: Client, form: t.Mapping[str, str]
) -> dict[str, t.Any] | list[dict[str, t.Any]]:
    """The token response for the form's ``grant_type`` (a bare list for dependent tokens)."""
    grant_type = form.get("grant_type")
    if grant_type == "authorization_code":
        return tokens.exchange_code(session, settings, client, form)
    if grant_type == "refresh_token":
        return tokens.refresh_grant(session, settings, client, form)
    if grant_type == "client_credentials":
        _confidential(client)
        return tokens.client_credentials_grant(session, settings, client, form)
    if grant_type == DEPENDENT_GRANT:
        _confidential(client)
        return tokens.dependent_token_grant(session, settings, client, form)
    raise oauth_error("unsupported_grant_type", f"Unsupported grant_type: {grant_type}")


def token(
    database: Database, settings: Settings, authorization: str | None, form: t.Mapping[str, str]
) -> dict[str, t.Any] | list[dict[str, t.Any]]:
    """The token endpoint's answer, in the caller's thread: a client_credentials grant of a
    client seen in the last few seconds without the ORM, any other in one transaction."""
    if form.get("grant_type") == "client_credentials":
        doc = _client_credentials_lean(database, settings, authorization, form)
        if doc is not None:
            return doc
    with database.session() as session:
        client = authenticate_client(session, authorization, form)
        return grant(session, settings, client, form)


def _client_credentials_lean(
    database: Database, settings: Settings, authorization: str | None, form: t.Mapping[str, str]
) -> dict[str, t.Any] | None:
    """The grant from the verified-secret cache and the brief client and scope caches, or
    None when one of them has nothing to say (the ORM grant then decides and fills them)."""
    client_id = cached_confidential_id(database.engine, authorization, form)
    if client_id is None:
        return None
    principal = tokens.client_principal(database, client_id)
    if principal is None:
        return None
    value = form.get("scope") or tokens.DEFAULT_CLIENT_CREDENTIALS_SCOPES
    scopes = requested_scopes_cached(database, value)
    if not scopes:
        raise oauth_error("invalid_scope", "No scope requested")
    state = form.get("state") or "_default"
    return tokens.client_credentials_lean(database, settings, client_id, principal, scopes, state)


def _token_value(form: t.Mapping[str, str]) -> str:
    if "token" not in form:
        raise oauth_error("invalid_request", "'token' is required")
    return form["token"]


def validate(session: Session, client: Client, form: t.Mapping[str, str]) -> dict[str, t.Any]:
    """Active only if the token is live and was issued to the calling client."""
    token_row = tokens.lookup_token(session, _token_value(form))
    active = (
        token_row is not None
        and token_row.client_id == client.id
        and token_row.is_active(tokens.now())
    )
    return {"active": active}


def revoke(session: Session, client: Client, form: t.Mapping[str, str]) -> dict[str, t.Any]:
    """Revoke a token of the calling client; unknown or foreign tokens are ignored (RFC 7009)."""
    token_row = tokens.lookup_token(session, _token_value(form))
    if token_row is not None and token_row.client_id == client.id:
        tokens.revoke(session, token_row)
    return {"active": False}


def introspect(
    session: Session, settings: Settings, authorization: str | None, form: t.Mapping[str, str]
) -> tuple[str, dict[str, t.Any], int | None]:
    """``(client id, document, token expiry)`` for a confidential client's introspection."""
    client_id = authenticate_confidential_id(session, authorization, form)
    token_value = form.get("token")
    if token_value is None:
        raise oauth_error("invalid_request", "'token' is required")
    token_row, identity = tokens.lookup_token_and_identity(session, token_value)
    doc = tokens.introspection(session, settings, token_row, form.get("include"), identity)
    return client_id, doc, token_row.expires_at if token_row is not None else None


def userinfo(session: Session, value: str) -> tuple[dict[str, t.Any], int | None]:
    """The claims of a live auth.globus.org token holding ``openid``, and its expiry."""
    token_row, identity = tokens.lookup_token_and_identity(session, value)
    if token_row is None or token_row.kind != "access" or not token_row.is_active(tokens.now()):
        raise AuthenticationFailed("Call must be authenticated")
    if token_row.resource_server != AUTH_RS or OPENID not in token_row.scopes:
        raise Forbidden("Token lacks the 'openid' scope for auth.globus.org")
    if identity is None:
        raise AuthenticationFailed("Call must be authenticated")
    return tokens.user_claims(session, identity, set(token_row.scopes)), token_row.expires_at
