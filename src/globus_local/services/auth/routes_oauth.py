"""OAuth2/OIDC endpoints: token (all grants), introspect, validate, revoke, userinfo,
discovery and JWKS."""

from __future__ import annotations

import typing as t

from fastapi import Depends, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from globus_local.db import Database
from globus_local.kit.errors import ServiceError
from globus_local.kit.router import ServiceRouter
from globus_local.kit.session import DbSession
from globus_local.kit.tokens import bearer_token, document_cache
from globus_local.services.auth import oidc, tokens
from globus_local.services.auth.clients import (
    authenticate_client,
    authenticate_confidential_id,
    cached_confidential_id,
)
from globus_local.services.auth.errors import oauth_error
from globus_local.services.auth.hashing import sha256_hex
from globus_local.services.auth.scopes import AUTH_RS, OPENID

router = ServiceRouter()
oidc_router = ServiceRouter()

DEPENDENT_GRANT = "urn:globus:auth:grant_type:dependent_token"
_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


async def form_data(request: Request) -> dict[str, str]:
    """The urlencoded (or multipart) body as a plain dict; a body that is not a form is empty."""
    try:
        form = await request.form()
    except Exception:
        raise oauth_error("invalid_request", "The request body is not a valid form")
    return {k: v for k, v in form.items() if isinstance(v, str)}


Form = t.Annotated[dict[str, str], Depends(form_data)]
T = t.TypeVar("T")


async def _read_only(request: Request, work: t.Callable[[Session], T]) -> T:
    """Run ``work`` on a session in the thread pool, in one hop, and never commit.

    Read-only endpoints use this instead of the ``DbSession`` dependency, whose generator
    costs two more thread-pool hops and a commit per request.
    """
    database: Database = request.app.state.db

    def run() -> T:
        with database.sessionmaker() as session:  # closing rolls back: nothing is written
            return work(session)

    return await run_in_threadpool(run)


def _json(doc: t.Any) -> JSONResponse:
    return JSONResponse(doc, headers=_NO_STORE)


@router.post("/v2/oauth2/token")
def token(request: Request, form: Form, db: DbSession) -> JSONResponse:
    grant_type = form.get("grant_type")
    if not grant_type:
        raise oauth_error("invalid_request", "'grant_type' is required")
    settings = request.app.state.settings
    client = authenticate_client(db, request.headers.get("authorization"), form)
    if grant_type == "authorization_code":
        return _json(tokens.exchange_code(db, settings, client, form))
    if grant_type == "refresh_token":
        return _json(tokens.refresh_grant(db, settings, client, form))
    if grant_type == "client_credentials":
        _confidential(client)
        return _json(tokens.client_credentials_grant(db, settings, client, form))
    if grant_type == DEPENDENT_GRANT:
        _confidential(client)
        return _json(tokens.dependent_token_grant(db, settings, client, form))
    raise oauth_error("unsupported_grant_type", f"Unsupported grant_type: {grant_type}")


def _confidential(client: t.Any) -> None:
    if client.public_client:
        raise oauth_error("unauthorized_client", "This grant requires a confidential client")


@router.post("/v2/oauth2/token/introspect")
async def introspect(request: Request, form: Form) -> JSONResponse:
    """Any confidential client may introspect a token it holds (as resource servers do).

    Resource servers introspect on every request they serve: an answer about a live token
    is kept briefly (see ``dependency.document_cache``) and served from memory to the same
    client while its secret stays verified."""
    authorization = request.headers.get("authorization")
    settings = request.app.state.settings
    token_value = form.get("token")
    known = cached_confidential_id(request.app.state.db.engine, authorization, form)
    if known is not None and token_value:
        cached = document_cache.get(_introspection_key(known, token_value, form))
        if cached is not None:
            return _json(cached)

    def work(db: Session) -> tuple[str, dict[str, t.Any], int | None]:
        client_id = authenticate_confidential_id(db, authorization, form)
        if token_value is None:
            raise oauth_error("invalid_request", "'token' is required")
        token_row, identity = tokens.lookup_token_and_identity(db, token_value)
        doc = tokens.introspection(db, settings, token_row, form.get("include"), identity)
        return client_id, doc, token_row.expires_at if token_row is not None else None

    client_id, doc, expires_at = await _read_only(request, work)
    if doc.get("active") and token_value:
        document_cache.put(_introspection_key(client_id, token_value, form), doc, expires_at)
    return _json(doc)


def _introspection_key(client_id: str, token: str, form: t.Mapping[str, str]) -> tuple[str, ...]:
    return ("introspect", client_id, sha256_hex(token), form.get("include") or "")


@router.post("/v2/oauth2/token/validate")
def validate(request: Request, form: Form, db: DbSession) -> JSONResponse:
    """Active only if the token is live and was issued to the calling client."""
    client = authenticate_client(db, request.headers.get("authorization"), form)
    if "token" not in form:
        raise oauth_error("invalid_request", "'token' is required")
    token_row = tokens.lookup_token(db, form["token"])
    active = (
        token_row is not None
        and token_row.client_id == client.id
        and token_row.is_active(tokens.now())
    )
    return _json({"active": active})


@router.post("/v2/oauth2/token/revoke")
def revoke(request: Request, form: Form, db: DbSession) -> JSONResponse:
    """Revoke a token of the calling client; unknown or foreign tokens are ignored (RFC 7009)."""
    client = authenticate_client(db, request.headers.get("authorization"), form)
    if "token" not in form:
        raise oauth_error("invalid_request", "'token' is required")
    token_row = tokens.lookup_token(db, form["token"])
    if token_row is not None and token_row.client_id == client.id:
        tokens.revoke(db, token_row)
    return _json({"active": False})


def _userinfo(value: str, db: Session) -> tuple[dict[str, t.Any], int | None]:
    token_row, identity = tokens.lookup_token_and_identity(db, value)
    if token_row is None or token_row.kind != "access" or not token_row.is_active(tokens.now()):
        raise ServiceError(401, "UNAUTHORIZED", "Call must be authenticated", error="unauthorized")
    if token_row.resource_server != AUTH_RS or OPENID not in token_row.scopes:
        raise ServiceError(
            403,
            "FORBIDDEN",
            "Token lacks the 'openid' scope for auth.globus.org",
            error="forbidden",
        )
    if identity is None:
        raise ServiceError(401, "UNAUTHORIZED", "Call must be authenticated", error="unauthorized")
    return tokens.user_claims(db, identity, set(token_row.scopes)), token_row.expires_at


async def _userinfo_response(request: Request) -> JSONResponse:
    """The claims of the token's identity; kept briefly per token, as introspection is."""
    value = bearer_token(request) or ""
    key = ("userinfo", sha256_hex(value))
    cached = document_cache.get(key)
    if cached is not None:
        return _json(cached)
    claims, expires_at = await _read_only(request, lambda db: _userinfo(value, db))
    document_cache.put(key, claims, expires_at)
    return _json(claims)


@router.get("/v2/oauth2/userinfo")
async def userinfo_get(request: Request) -> JSONResponse:
    return await _userinfo_response(request)


@router.post("/v2/oauth2/userinfo")
async def userinfo_post(request: Request) -> JSONResponse:
    return await _userinfo_response(request)


@oidc_router.get("/.well-known/openid-configuration")
async def openid_configuration(request: Request) -> JSONResponse:
    return JSONResponse(oidc.openid_configuration(request.app.state.settings))


@oidc_router.get("/jwk.json")
def jwk(request: Request) -> JSONResponse:
    return JSONResponse(oidc.jwks(request.app.state.settings))
