"""OAuth2/OIDC endpoints: token (all grants), introspect, validate, revoke, userinfo,
discovery and JWKS."""

from __future__ import annotations

import typing as t

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from globus_local.db import DbSession
from globus_local.errors import ServiceError
from globus_local.services.auth import oidc, tokens
from globus_local.services.auth.clients import authenticate_client
from globus_local.services.auth.dependency import bearer_token, find_active_token
from globus_local.services.auth.errors import oauth_error
from globus_local.services.auth.identities import get_identity
from globus_local.services.auth.scopes import AUTH_RS, OPENID

router = APIRouter()
oidc_router = APIRouter()

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
def introspect(request: Request, form: Form, db: DbSession) -> JSONResponse:
    """Any confidential client may introspect a token it holds (as resource servers do)."""
    client = authenticate_client(db, request.headers.get("authorization"), form, allow_public=False)
    del client
    if "token" not in form:
        raise oauth_error("invalid_request", "'token' is required")
    doc = tokens.introspection(
        db,
        request.app.state.settings,
        tokens.lookup_token(db, form["token"]),
        form.get("include"),
    )
    return _json(doc)


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


def _userinfo(request: Request, db: Session) -> JSONResponse:
    value = bearer_token(request)
    token_row = find_active_token(db, value or "", "access")
    if token_row is None:
        raise ServiceError(401, "UNAUTHORIZED", "Call must be authenticated", error="unauthorized")
    if token_row.resource_server != AUTH_RS or OPENID not in token_row.scopes:
        raise ServiceError(
            403,
            "FORBIDDEN",
            "Token lacks the 'openid' scope for auth.globus.org",
            error="forbidden",
        )
    identity = get_identity(db, token_row.identity_id)
    if identity is None:
        raise ServiceError(401, "UNAUTHORIZED", "Call must be authenticated", error="unauthorized")
    return _json(tokens.user_claims(db, identity, set(token_row.scopes)))


@router.get("/v2/oauth2/userinfo")
def userinfo_get(request: Request, db: DbSession) -> JSONResponse:
    return _userinfo(request, db)


@router.post("/v2/oauth2/userinfo")
def userinfo_post(request: Request, db: DbSession) -> JSONResponse:
    return _userinfo(request, db)


@oidc_router.get("/.well-known/openid-configuration")
def openid_configuration(request: Request) -> JSONResponse:
    return JSONResponse(oidc.openid_configuration(request.app.state.settings))


@oidc_router.get("/jwk.json")
def jwk(request: Request) -> JSONResponse:
    return JSONResponse(oidc.jwks(request.app.state.settings))
