"""Auth's documents: clients, their credentials and identities, as the Auth API returns
them."""

from __future__ import annotations

import typing as t

from globus_local.db import utcnow
from globus_local.services.auth.models import Client, Identity


def client_document(client: Client) -> dict[str, t.Any]:
    return {
        "id": client.id,
        "name": client.name,
        "public_client": client.public_client,
        "parent_client": client.parent_client,
        "grant_types": (
            ["authorization_code", "refresh_token"]
            if client.public_client
            else ["authorization_code", "client_credentials", "refresh_token"]
        ),
        "redirect_uris": list(client.redirect_uris or []),
        "scopes": [],
        "fqdns": [],
        "visibility": "private",
        "project": None,
        "required_idp": None,
        "preselect_idp": None,
        "client_type": "public_installed_client" if client.public_client else "confidential_client",
        "prompt_for_named_grant": False,
        "userinfo_from_effective_identity": True,
        "links": {"privacy_policy": None, "terms_and_conditions": None},
    }


def credential_document(
    credential_id: str, name: str, client_id: str, secret: str
) -> dict[str, t.Any]:
    return {
        "id": credential_id,
        "name": name,
        "client": client_id,
        "secret": secret,
        "created": utcnow().isoformat(),
    }


def identity_document(identity: Identity) -> dict[str, t.Any]:
    """The §2.6 identity shape."""
    return {
        "id": identity.id,
        "username": identity.username,
        "status": identity.status,
        "identity_provider": identity.identity_provider,
        "identity_type": identity.identity_type,
        "name": identity.name,
        "email": identity.email,
        "organization": identity.organization,
    }
