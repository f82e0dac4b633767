"""Client registration as Auth's REST API speaks it (``/v2/api/clients``): request bodies
checked field by field, and the documents that carry a new secret, shown once."""

from __future__ import annotations

import typing as t

from sqlalchemy import select
from sqlalchemy.orm import Session

from globus_local.kit.errors import BadRequest
from globus_local.services.auth.access import api_caller, caller_identity_id, managed_client
from globus_local.services.auth.clients import (
    add_credential,
    create_client,
    get_client,
    update_client,
)
from globus_local.services.auth.documents import client_document, credential_document
from globus_local.services.auth.models import Client, ClientCredential
from globus_local.services.auth.redirect_uris import InvalidRedirectURI

# Characters in a client's name: the width of the column that holds it.
MAX_CLIENT_NAME = 255
FIRST_CREDENTIAL_NAME = "Auto-created at client creation"


def _bad_redirect(err: InvalidRedirectURI) -> BadRequest:
    # RFC 7591 §3.2.2's error for a refused redirect URI, in Auth's error document.
    return BadRequest(str(err), error="invalid_redirect_uri")


def _spec(body: dict[str, t.Any]) -> dict[str, t.Any]:
    spec = body.get("client")
    if not isinstance(spec, dict):
        raise BadRequest("Body must be {'client': {...}}")
    return spec


def _client_name(value: t.Any) -> str:
    """``client.name`` as a client row can hold it: non-blank text within its column and
    without NUL (which PostgreSQL refuses), surrounding spaces dropped."""
    if not isinstance(value, str) or not value.strip():
        raise BadRequest("client.name must be a non-empty string")
    if "\x00" in value:
        raise BadRequest("client.name must not contain the NUL character")
    name = value.strip()
    if len(name) > MAX_CLIENT_NAME:
        raise BadRequest(f"client.name must be at most {MAX_CLIENT_NAME} characters")
    return name


def _redirect_uris(spec: dict[str, t.Any]) -> list[str] | None:
    """``client.redirect_uris`` of a request body, None when absent."""
    value = spec.get("redirect_uris")
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(u, str) for u in value):
        raise BadRequest("client.redirect_uris must be a list of strings")
    return value


def register_client(
    session: Session, body: dict[str, t.Any], authorization: str | None, bearer: str | None
) -> dict[str, t.Any]:
    """A new client: from a template (globus-cli's scheme: anyone may mint a confidential
    client from one), or owned by the authenticated caller."""
    spec = _spec(body)
    if spec.get("name") is None:
        raise BadRequest("client.name is required")
    name = _client_name(spec["name"])
    redirect_uris = _redirect_uris(spec) or []
    template_id = spec.get("template_id")
    owner = None
    if template_id is not None:
        template = get_client(session, str(template_id))
        if template is None or not template.is_template:
            raise BadRequest(f"Unknown template client: {template_id}")
        kind, parent = "confidential", template.id
    else:
        owner = caller_identity_id(api_caller(session, authorization, bearer))
        kind = "native" if spec.get("public_client") is True else "confidential"
        parent = None
    try:
        client, secret = create_client(
            session, kind, name, redirect_uris, owner=owner, parent_client=parent
        )
    except InvalidRedirectURI as err:
        raise _bad_redirect(err) from None
    doc: dict[str, t.Any] = {"client": client_document(client)}
    if secret is not None:
        first = _first_credential_id(session, client)
        doc["included"] = {
            "client_credential": credential_document(
                first, FIRST_CREDENTIAL_NAME, client.id, secret
            )
        }
    return doc


def _first_credential_id(session: Session, client: Client) -> str:
    return t.cast(
        str,
        session.scalar(
            select(ClientCredential.id).where(ClientCredential.client_id == client.id).limit(1)
        ),
    )


def change_client(
    session: Session,
    client_id: str,
    body: dict[str, t.Any],
    authorization: str | None,
    bearer: str | None,
) -> dict[str, t.Any]:
    """Change a client's ``name`` or ``redirect_uris`` (other fields are not settable here);
    the body is checked before the caller."""
    spec = _spec(body)
    name = None if spec.get("name") is None else _client_name(spec["name"])
    redirect_uris = _redirect_uris(spec)
    client = managed_client(session, api_caller(session, authorization, bearer), client_id)
    try:
        update_client(session, client, name=name, redirect_uris=redirect_uris)
    except InvalidRedirectURI as err:
        raise _bad_redirect(err) from None
    return {"client": client_document(client)}


def new_credential(session: Session, client: Client) -> dict[str, t.Any]:
    """Another secret for a confidential client."""
    if client.public_client:
        raise BadRequest("Native clients have no secrets")
    cred, secret = add_credential(session, client, "Added credential")
    return {"credential": credential_document(cred.id, cred.name, client.id, secret)}
