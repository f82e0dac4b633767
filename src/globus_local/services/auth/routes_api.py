"""Auth's REST API: identities and client registration (as globus-cli uses it)."""

from __future__ import annotations

import json
import typing as t

from fastapi import Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from globus_local.db import utcnow
from globus_local.kit.errors import ServiceError
from globus_local.kit.router import ServiceRouter
from globus_local.kit.session import DbSession
from globus_local.kit.tokens import bearer_token
from globus_local.services.auth.clients import (
    add_credential,
    check_secret,
    client_document,
    create_client,
    delete_client,
    get_client,
    parse_basic,
    update_client,
)
from globus_local.services.auth.dependency import find_active_token
from globus_local.services.auth.identities import (
    find_identities,
    get_identity,
    identity_document,
    identity_set,
    provision_identities,
)
from globus_local.services.auth.models import Client, Token
from globus_local.services.auth.redirect_uris import InvalidRedirectURI
from globus_local.services.auth.scopes import AUTH_RS

router = ServiceRouter()

# Characters in a client's name: the width of the column that holds it.
MAX_CLIENT_NAME = 255
_TRUE = {"true", "1", "yes"}
_FALSE = {"false", "0", "no", ""}


def _unauthorized(detail: str = "Call must be authenticated") -> ServiceError:
    return ServiceError(401, "UNAUTHORIZED", detail, error="unauthorized")


def _bad_request(detail: str) -> ServiceError:
    return ServiceError(400, "BAD_REQUEST", detail, error="invalid_request")


def _bad_redirect(err: InvalidRedirectURI) -> ServiceError:
    # RFC 7591 §3.2.2's error for a refused redirect URI, in Auth's error document.
    return ServiceError(400, "BAD_REQUEST", str(err), error="invalid_redirect_uri")


def _client_name(value: t.Any) -> str:
    """``client.name`` as a client row can hold it: non-blank text within its column and
    without NUL (which PostgreSQL refuses), surrounding spaces dropped."""
    if not isinstance(value, str) or not value.strip():
        raise _bad_request("client.name must be a non-empty string")
    if "\x00" in value:
        raise _bad_request("client.name must not contain the NUL character")
    name = value.strip()
    if len(name) > MAX_CLIENT_NAME:
        raise _bad_request(f"client.name must be at most {MAX_CLIENT_NAME} characters")
    return name


def _redirect_uris(spec: dict[str, t.Any]) -> list[str] | None:
    """``client.redirect_uris`` of a request body, None when absent."""
    value = spec.get("redirect_uris")
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(u, str) for u in value):
        raise _bad_request("client.redirect_uris must be a list of strings")
    return value


def _caller(session: Session, request: Request) -> Token | Client:
    """A live auth.globus.org access token, or a confidential client by Basic auth."""
    header = request.headers.get("authorization")
    try:
        basic = parse_basic(header)
    except ServiceError:
        raise _unauthorized("Malformed Basic authorization header")
    if basic is not None:
        client = get_client(session, basic[0])
        if client is None or client.public_client or not check_secret(session, client, basic[1]):
            raise _unauthorized("Invalid client credentials")
        return client
    value = bearer_token(request)
    if value is None:
        raise _unauthorized()
    token = find_active_token(session, value, "access")
    if token is None:
        raise _unauthorized("Token is invalid, expired or revoked")
    if token.resource_server != AUTH_RS:
        raise ServiceError(403, "FORBIDDEN", "Token is not for auth.globus.org", error="forbidden")
    return token


def _parse_bool(value: str | None) -> bool:
    text = (value or "").strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise _bad_request(f"Invalid boolean: {value!r}")


def _csv(request: Request, key: str) -> list[str] | None:
    values = request.query_params.getlist(key)
    if not values:
        return None
    return [part.strip() for v in values for part in v.split(",") if part.strip()]


@router.get("/v2/api/identities")
def get_identities(request: Request, db: DbSession) -> JSONResponse:
    caller = _caller(db, request)
    ids, usernames = _csv(request, "ids"), _csv(request, "usernames")
    if ids is not None and usernames is not None:
        raise _bad_request("'ids' and 'usernames' are mutually exclusive")
    provision = _parse_bool(request.query_params.get("provision"))
    if ids is not None:
        found = find_identities(db, ids=ids)
    elif usernames is not None:
        found = (
            provision_identities(db, usernames)
            if provision
            else find_identities(db, usernames=usernames)
        )
    else:
        # No filter: the caller's own identity set.
        me = get_identity(db, caller.identity_id if isinstance(caller, Token) else caller.id)
        found = identity_set(db, me) if me is not None else []
    return JSONResponse({"identities": [identity_document(i) for i in found]})


@router.get("/v2/api/identities/{identity_id}")
def get_one_identity(identity_id: str, request: Request, db: DbSession) -> JSONResponse:
    _caller(db, request)
    identity = get_identity(db, identity_id)
    if identity is None:
        raise ServiceError(
            404, "NOT_FOUND", f"No identity with id {identity_id}", error="not_found"
        )
    return JSONResponse({"identity": identity_document(identity)})


async def _json_body(request: Request) -> dict[str, t.Any]:
    raw = await request.body()
    try:
        body = json.loads(raw or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise _bad_request("Request body is not valid JSON")
    if not isinstance(body, dict):
        raise _bad_request("Request body must be a JSON object")
    return body


@router.post("/v2/api/clients", status_code=201)
async def register_client(request: Request) -> JSONResponse:
    body = await _json_body(request)
    from starlette.concurrency import run_in_threadpool

    return await run_in_threadpool(_register_client, request, body)


def _register_client(request: Request, body: dict[str, t.Any]) -> JSONResponse:
    spec = body.get("client")
    if not isinstance(spec, dict):
        raise _bad_request("Body must be {'client': {...}}")
    if spec.get("name") is None:
        raise _bad_request("client.name is required")
    name = _client_name(spec["name"])
    redirect_uris = _redirect_uris(spec) or []
    with request.app.state.db.session() as db:
        template_id = spec.get("template_id")
        owner = None
        if template_id is not None:
            # globus-cli's scheme: anyone may mint a confidential client from a template.
            template = get_client(db, str(template_id))
            if template is None or not template.is_template:
                raise _bad_request(f"Unknown template client: {template_id}")
            kind, parent = "confidential", template.id
        else:
            caller = _caller(db, request)
            owner = caller.identity_id if isinstance(caller, Token) else caller.id
            kind = "native" if spec.get("public_client") is True else "confidential"
            parent = None
        try:
            client, secret = create_client(
                db, kind, name, redirect_uris, owner=owner, parent_client=parent
            )
        except InvalidRedirectURI as err:
            raise _bad_redirect(err)
        doc: dict[str, t.Any] = {"client": client_document(client)}
        if secret is not None:
            cred_name = "Auto-created at client creation"
            doc["included"] = {
                "client_credential": {
                    "id": _first_credential_id(db, client),
                    "name": cred_name,
                    "client": client.id,
                    "secret": secret,
                    "created": utcnow().isoformat(),
                }
            }
        return JSONResponse(doc, status_code=201, headers={"Cache-Control": "no-store"})


def _first_credential_id(session: Session, client: Client) -> str:
    from sqlalchemy import select

    from globus_local.services.auth.models import ClientCredential

    return t.cast(
        str,
        session.scalar(
            select(ClientCredential.id).where(ClientCredential.client_id == client.id).limit(1)
        ),
    )


def _client_for_management(session: Session, request: Request, client_id: str) -> Client:
    """The client itself (Basic auth) or its owner (Bearer) may manage it."""
    caller = _caller(session, request)
    client = get_client(session, client_id)
    if client is None or client.is_template:
        raise ServiceError(404, "NOT_FOUND", f"No client with id {client_id}", error="not_found")
    allowed = (isinstance(caller, Client) and caller.id == client.id) or (
        isinstance(caller, Token)
        and client.owner_id is not None
        and caller.identity_id == client.owner_id
    )
    if not allowed:
        raise ServiceError(403, "FORBIDDEN", "Not allowed to manage this client", error="forbidden")
    return client


@router.get("/v2/api/clients/{client_id}")
def get_client_doc(client_id: str, request: Request, db: DbSession) -> JSONResponse:
    client = _client_for_management(db, request, client_id)
    return JSONResponse({"client": client_document(client)})


@router.put("/v2/api/clients/{client_id}")
async def update_client_route(client_id: str, request: Request) -> JSONResponse:
    """Change a client's ``name`` or ``redirect_uris``; other fields are not settable here."""
    body = await _json_body(request)
    from starlette.concurrency import run_in_threadpool

    return await run_in_threadpool(_update_client, request, client_id, body)


def _update_client(request: Request, client_id: str, body: dict[str, t.Any]) -> JSONResponse:
    spec = body.get("client")
    if not isinstance(spec, dict):
        raise _bad_request("Body must be {'client': {...}}")
    name = None if spec.get("name") is None else _client_name(spec["name"])
    redirect_uris = _redirect_uris(spec)
    with request.app.state.db.session() as db:
        client = _client_for_management(db, request, client_id)
        try:
            update_client(db, client, name=name, redirect_uris=redirect_uris)
        except InvalidRedirectURI as err:
            raise _bad_redirect(err)
        return JSONResponse({"client": client_document(client)})


@router.delete("/v2/api/clients/{client_id}")
def delete_client_route(client_id: str, request: Request, db: DbSession) -> JSONResponse:
    client = _client_for_management(db, request, client_id)
    doc = client_document(client)
    delete_client(db, client)
    return JSONResponse({"client": doc})


@router.post("/v2/api/clients/{client_id}/credentials", status_code=201)
def add_client_credential(client_id: str, request: Request, db: DbSession) -> JSONResponse:
    client = _client_for_management(db, request, client_id)
    if client.public_client:
        raise _bad_request("Native clients have no secrets")
    cred, secret = add_credential(db, client, "Added credential")
    return JSONResponse(
        {
            "credential": {
                "id": cred.id,
                "name": cred.name,
                "client": client.id,
                "secret": secret,
                "created": utcnow().isoformat(),
            }
        },
        status_code=201,
    )
