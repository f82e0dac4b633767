"""OAuth2/OIDC endpoints: token (all grants), introspect, validate, revoke, userinfo,
discovery and JWKS."""

from __future__ import annotations

import typing as t
from urllib.parse import parse_qsl

from fastapi import Depends, Request
from fastapi.responses import JSONResponse

from globus_local.kit.router import ServiceRouter
from globus_local.kit.session import DbSession, json_from_thread
from globus_local.kit.tokens import bearer_token, document_cache
from globus_local.services.auth import oidc, token_endpoints
from globus_local.services.auth.clients import authenticate_client, cached_confidential_id
from globus_local.services.auth.errors import oauth_error
from globus_local.services.auth.hashing import sha256_hex
from globus_local.services.auth.token_endpoints import read_only

router = ServiceRouter()
oidc_router = ServiceRouter()

_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


_URLENCODED = "application/x-www-form-urlencoded"
# A urlencoded body this small, with this few fields, is within the form parser's limits
# and is read with the standard library; it answers as the parser would, in a fraction
# of its time (clients send one on every token request).
_SMALL_FORM_BYTES = 64 * 1024
_SMALL_FORM_FIELDS = 999


async def form_data(request: Request) -> dict[str, str]:
    """The urlencoded (or multipart) body as a plain dict; a body that is not a form is empty."""
    media_type = request.headers.get("content-type", "").partition(";")[0].strip()
    if media_type == _URLENCODED:
        body = await request.body()
        if len(body) <= _SMALL_FORM_BYTES and body.count(b"&") < _SMALL_FORM_FIELDS:
            return dict(parse_qsl(body.decode("latin-1"), keep_blank_values=True))
    try:
        form = await request.form()
    except Exception:
        raise oauth_error("invalid_request", "The request body is not a valid form")
    return {k: v for k, v in form.items() if isinstance(v, str)}


Form = t.Annotated[dict[str, str], Depends(form_data)]


def _json(doc: t.Any) -> JSONResponse:
    return JSONResponse(doc, headers=_NO_STORE)


@router.post("/v2/oauth2/token")
async def token(request: Request, form: Form) -> JSONResponse:
    """Every grant, in one trip to the thread pool (services call this often)."""
    if not form.get("grant_type"):
        raise oauth_error("invalid_request", "'grant_type' is required")
    authorization = request.headers.get("authorization")
    database, settings = request.app.state.db, request.app.state.settings
    return await json_from_thread(
        lambda: token_endpoints.token(database, settings, authorization, form), headers=_NO_STORE
    )


@router.post("/v2/oauth2/token/introspect")
async def introspect(request: Request, form: Form) -> JSONResponse:
    """Any confidential client may introspect a token it holds (as resource servers do).

    Resource servers introspect on every request they serve: an answer about a live token
    is kept briefly (see ``kit.tokens.document_cache``) and served from memory to the same
    client while its secret stays verified."""
    authorization = request.headers.get("authorization")
    settings = request.app.state.settings
    token_value = form.get("token")
    known = cached_confidential_id(request.app.state.db.engine, authorization, form)
    if known is not None and token_value:
        cached = document_cache.get(_introspection_key(known, token_value, form))
        if cached is not None:
            return _json(cached)
    client_id, doc, expires_at = await read_only(
        request.app.state.db,
        lambda db: token_endpoints.introspect(db, settings, authorization, form),
    )
    if doc.get("active") and token_value:
        document_cache.put(_introspection_key(client_id, token_value, form), doc, expires_at)
    return _json(doc)


def _introspection_key(client_id: str, token: str, form: t.Mapping[str, str]) -> tuple[str, ...]:
    return ("introspect", client_id, sha256_hex(token), form.get("include") or "")


@router.post("/v2/oauth2/token/validate")
def validate(request: Request, form: Form, db: DbSession) -> JSONResponse:
    """Active only if the token is live and was issued to the calling client."""
    client = authenticate_client(db, request.headers.get("authorization"), form)
    return _json(token_endpoints.validate(db, client, form))


@router.post("/v2/oauth2/token/revoke")
def revoke(request: Request, form: Form, db: DbSession) -> JSONResponse:
    """Revoke a token of the calling client; unknown or foreign tokens are ignored (RFC 7009)."""
    client = authenticate_client(db, request.headers.get("authorization"), form)
    return _json(token_endpoints.revoke(db, client, form))


async def _userinfo_response(request: Request) -> JSONResponse:
    """The claims of the token's identity; kept briefly per token, as introspection is."""
    value = bearer_token(request) or ""
    key = ("userinfo", sha256_hex(value))
    cached = document_cache.get(key)
    if cached is not None:
        return _json(cached)
    claims, expires_at = await read_only(
        request.app.state.db, lambda db: token_endpoints.userinfo(db, value)
    )
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
