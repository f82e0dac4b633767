"""Tokens a platform service obtains for itself, in-process, exactly as an outside resource
server would through the token endpoint: dependent tokens of a user's token for the service,
and fresh access tokens from the dependent refresh tokens it keeps.

A service acts as the client whose id is its resource server's name (Timers, each flow);
that client is never stored, as nothing logs in with it.
"""

from __future__ import annotations

import time
import typing as t
from dataclasses import dataclass

from sqlalchemy.orm import Session

from globus_local.config import Settings
from globus_local.services.auth.models import Client
from globus_local.services.auth.tokens import dependent_token_grant, refresh_grant


def acting_client(client_id: str, name: str) -> Client:
    """The service acting as the confidential client of its own resource server."""
    return Client(id=client_id, name=name, public_client=False)


@dataclass(frozen=True)
class AccessToken:
    """An access token and the moment (epoch seconds) it ends."""

    value: str
    expires_at: int


def dependent_tokens(
    session: Session,
    settings: Settings,
    client: Client,
    token: str,
    *,
    scope: str | None = None,
    offline: bool = True,
) -> list[dict[str, t.Any]]:
    """The dependent-token grant for ``token`` (one document per resource server, with
    refresh tokens when ``offline``); an ``invalid_grant`` error when the token is not
    live or not issued for ``client``'s resource server."""
    form = {"token": token, "access_type": "offline" if offline else "online"}
    if scope:
        form["scope"] = scope
    return dependent_token_grant(session, settings, client, form)


def refreshed(
    session: Session, settings: Settings, client: Client, refresh_token: str
) -> AccessToken:
    """A new access token from a refresh token ``client`` holds; an ``invalid_grant`` error
    once the refresh token was revoked (the user withdrew the consent it came from)."""
    doc = refresh_grant(session, settings, client, {"refresh_token": refresh_token})
    return AccessToken(str(doc["access_token"]), int(time.time()) + int(doc["expires_in"]))
