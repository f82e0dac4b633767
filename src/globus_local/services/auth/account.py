"""What a user looks after in Auth: the clients they registered, their secrets, and the
consents they granted."""

from __future__ import annotations

import hashlib
import typing as t

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from globus_local.kit.errors import Forbidden, NotFound
from globus_local.services.auth.access import ApiCaller, caller_identity_id
from globus_local.services.auth.clients import forget_client_secrets, get_client
from globus_local.services.auth.consents import revoke_consent
from globus_local.services.auth.models import Client, ClientCredential, Consent, Token
from globus_local.services.auth.scopes import lookup_scopes


def owned_clients(session: Session, caller: ApiCaller) -> list[Client]:
    """The clients the caller owns (a client calling as itself: just itself)."""
    if isinstance(caller, Client):
        return [caller]
    return list(
        session.scalars(
            select(Client).where(Client.owner_id == caller.identity_id).order_by(Client.created)
        )
    )


def credentials_of(session: Session, client: Client) -> list[ClientCredential]:
    return list(
        session.scalars(
            select(ClientCredential)
            .where(ClientCredential.client_id == client.id)
            .order_by(ClientCredential.created)
        )
    )


def delete_credential(session: Session, client: Client, credential_id: str) -> ClientCredential:
    credential = session.get(ClientCredential, credential_id)
    if credential is None or credential.client_id != client.id:
        raise NotFound(f"No credential with id {credential_id}")
    session.execute(delete(ClientCredential).where(ClientCredential.id == credential.id))
    forget_client_secrets(session, client.id)
    return credential


def own_identity(caller: ApiCaller, identity_id: str) -> str:
    """``identity_id`` when it is one of the caller's own identities; 403 otherwise."""
    if isinstance(caller, Token) and identity_id in caller.identity_set.split():
        return identity_id
    if caller_identity_id(caller) == identity_id:
        return identity_id
    raise Forbidden("Consents can only be viewed or changed by their identity")


def consent_id(identity_id: str, client_id: str, scope: str) -> int:
    """A stable number for one granted scope (Auth's consents are numbered)."""
    digest = hashlib.sha256(f"{identity_id}\0{client_id}\0{scope}".encode()).digest()
    return int.from_bytes(digest[:6], "big")


def consent_documents(session: Session, identity_id: str) -> list[dict[str, t.Any]]:
    """One document per scope a client was granted, as Auth's consent API lists them."""
    rows = list(
        session.scalars(
            select(Consent).where(Consent.identity_id == identity_id).order_by(Consent.updated)
        )
    )
    known = lookup_scopes(session, {s for row in rows for s in row.scopes or []})
    docs = []
    for row in rows:
        client = get_client(session, row.client_id)
        for scope in row.scopes or []:
            number = consent_id(identity_id, row.client_id, scope)
            info = known.get(scope)
            docs.append(
                {
                    "id": number,
                    "client": row.client_id,
                    "client_name": client.name if client else None,
                    "scope": scope,
                    "scope_name": info.name if info else scope,
                    "resource_server": info.resource_server if info else None,
                    "effective_identity": identity_id,
                    "dependency_path": [number],
                    "status": "approved",
                    "created": row.updated.isoformat(),
                    "updated": row.updated.isoformat(),
                    "last_used": None,
                    "atomically_revocable": True,
                }
            )
    return docs


def withdraw_consent(session: Session, identity_id: str, client_id: str) -> int:
    """Withdraw everything the identity granted the client; 404 when it granted nothing."""
    exists = session.get(Consent, {"identity_id": identity_id, "client_id": client_id})
    if exists is None:
        raise NotFound(f"No consent for client {client_id}")
    return revoke_consent(session, identity_id, client_id)
