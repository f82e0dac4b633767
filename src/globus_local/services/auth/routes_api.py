"""Auth's REST API: identities and client registration (as globus-cli uses it)."""

from __future__ import annotations

import json
import typing as t

from fastapi import Depends, Request
from fastapi.responses import JSONResponse

from globus_local.kit.errors import BadRequest, NotFound
from globus_local.kit.params import parse_csv_values, query_bool
from globus_local.kit.router import ServiceRouter
from globus_local.kit.session import DbSession
from globus_local.kit.tokens import bearer_token
from globus_local.services.auth import account, registration
from globus_local.services.auth.access import (
    ApiCaller,
    api_caller,
    caller_identity_id,
    managed_client,
)
from globus_local.services.auth.clients import delete_client
from globus_local.services.auth.documents import (
    client_document,
    credential_document,
    identity_document,
)
from globus_local.services.auth.identities import get_identity, requested_identities

router = ServiceRouter()


def _caller_of(request: Request, db: DbSession) -> ApiCaller:
    return api_caller(db, request.headers.get("authorization"), bearer_token(request))


def _query_list(request: Request, key: str) -> list[str] | None:
    """A comma-joined or repeated query parameter; None when it is absent."""
    values = request.query_params.getlist(key)
    return parse_csv_values(values) if values else None


async def _json_body(request: Request) -> dict[str, t.Any]:
    raw = await request.body()
    try:
        body = json.loads(raw or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise BadRequest("Request body is not valid JSON") from None
    if not isinstance(body, dict):
        raise BadRequest("Request body must be a JSON object")
    return body


JsonObject = t.Annotated[dict[str, t.Any], Depends(_json_body)]


@router.get("/v2/api/identities")
def get_identities(request: Request, db: DbSession) -> JSONResponse:
    caller = _caller_of(request, db)
    ids, usernames = _query_list(request, "ids"), _query_list(request, "usernames")
    if ids is not None and usernames is not None:
        raise BadRequest("'ids' and 'usernames' are mutually exclusive")
    provision = bool(query_bool(request.query_params.get("provision"), "provision"))
    found = requested_identities(db, caller_identity_id(caller), ids, usernames, provision)
    return JSONResponse({"identities": [identity_document(i) for i in found]})


@router.get("/v2/api/identities/{identity_id}")
def get_one_identity(identity_id: str, request: Request, db: DbSession) -> JSONResponse:
    _caller_of(request, db)
    identity = get_identity(db, identity_id)
    if identity is None:
        raise NotFound(f"No identity with id {identity_id}")
    return JSONResponse({"identity": identity_document(identity)})


@router.get("/v2/api/clients")
def list_clients(request: Request, db: DbSession) -> JSONResponse:
    """The clients the caller registered (a client calling as itself: itself)."""
    clients = account.owned_clients(db, _caller_of(request, db))
    return JSONResponse({"clients": [client_document(c) for c in clients]})


@router.post("/v2/api/clients", status_code=201)
def register_client(request: Request, body: JsonObject, db: DbSession) -> JSONResponse:
    authorization = request.headers.get("authorization")
    doc = registration.register_client(db, body, authorization, bearer_token(request))
    return JSONResponse(doc, status_code=201, headers={"Cache-Control": "no-store"})


@router.get("/v2/api/clients/{client_id}")
def get_client_doc(client_id: str, request: Request, db: DbSession) -> JSONResponse:
    client = managed_client(db, _caller_of(request, db), client_id)
    return JSONResponse({"client": client_document(client)})


@router.put("/v2/api/clients/{client_id}")
def update_client_route(
    client_id: str, request: Request, body: JsonObject, db: DbSession
) -> JSONResponse:
    """Change a client's ``name`` or ``redirect_uris``; other fields are not settable here."""
    authorization = request.headers.get("authorization")
    doc = registration.change_client(db, client_id, body, authorization, bearer_token(request))
    return JSONResponse(doc)


@router.delete("/v2/api/clients/{client_id}")
def delete_client_route(client_id: str, request: Request, db: DbSession) -> JSONResponse:
    client = managed_client(db, _caller_of(request, db), client_id)
    doc = client_document(client)
    delete_client(db, client)
    return JSONResponse({"client": doc})


@router.post("/v2/api/clients/{client_id}/credentials", status_code=201)
def add_client_credential(client_id: str, request: Request, db: DbSession) -> JSONResponse:
    client = managed_client(db, _caller_of(request, db), client_id)
    return JSONResponse(registration.new_credential(db, client), status_code=201)


@router.get("/v2/api/clients/{client_id}/credentials")
def list_client_credentials(client_id: str, request: Request, db: DbSession) -> JSONResponse:
    """The client's secrets by id, name and date (the secrets themselves are never kept)."""
    client = managed_client(db, _caller_of(request, db), client_id)
    docs = []
    for cred in account.credentials_of(db, client):
        doc = credential_document(cred.id, cred.name, client.id, "")
        doc.pop("secret")
        doc["created"] = cred.created.isoformat()
        docs.append(doc)
    return JSONResponse({"credentials": docs})


@router.delete("/v2/api/clients/{client_id}/credentials/{credential_id}")
def delete_client_credential(
    client_id: str, credential_id: str, request: Request, db: DbSession
) -> JSONResponse:
    client = managed_client(db, _caller_of(request, db), client_id)
    cred = account.delete_credential(db, client, credential_id)
    doc = credential_document(cred.id, cred.name, client.id, "")
    doc.pop("secret")
    return JSONResponse({"credential": doc})


@router.get("/v2/api/identities/{identity_id}/consents")
def list_consents(identity_id: str, request: Request, db: DbSession) -> JSONResponse:
    """The scopes this identity granted each client (only the identity itself may look)."""
    own = account.own_identity(_caller_of(request, db), identity_id)
    return JSONResponse({"consents": account.consent_documents(db, own)})


@router.delete("/v2/api/identities/{identity_id}/consents")
def withdraw_consent(identity_id: str, request: Request, db: DbSession) -> JSONResponse:
    """Withdraw what the identity granted one client (``client_id``), with the tokens it led
    to. The platform's own route: Globus withdraws consents only in its web app."""
    own = account.own_identity(_caller_of(request, db), identity_id)
    client_id = request.query_params.get("client_id")
    if not client_id:
        raise BadRequest("client_id is required")
    revoked = account.withdraw_consent(db, own, client_id)
    return JSONResponse({"client": client_id, "revoked_tokens": revoked})
