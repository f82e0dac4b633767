"""The credentials a timer runs with: a dependent Transfer refresh token, obtained from the
user's Timers token when the timer is made (or resumed with new credentials) and held by
the Timers client, so runs go on after the login that made the timer has ended.

When the user withdraws their consent the refresh token stops working; the run that finds
out says so with an authorization requirement (a GARE), as Globus Timers does.
"""

from __future__ import annotations

import typing as t

from sqlalchemy.orm import Session

from globus_local.config import Settings
from globus_local.kit.errors import Forbidden, ServiceError
from globus_local.kit.tokens import AuthContext
from globus_local.services.auth.dependency import authenticate_token, find_active_token
from globus_local.services.auth.scopes import TIMER, TIMER_CLIENT_ID, TRANSFER_ALL, TRANSFER_RS
from globus_local.services.auth.service_tokens import acting_client, dependent_tokens, refreshed
from globus_local.services.auth.tokens import revoke

TIMERS_CLIENT = acting_client(TIMER_CLIENT_ID, "Globus Timers")
# What the user consents to again when a timer's credentials are lost.
REQUIRED_SCOPE = f"{TIMER}[{TRANSFER_ALL}]"


class CredentialsLost(Exception):
    """The timer's refresh token no longer works: ``requirement`` is the GARE to show."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.requirement: dict[str, t.Any] = {
            "code": "ConsentRequired",
            "authorization_parameters": {
                "session_message": message,
                "required_scopes": [REQUIRED_SCOPE],
            },
        }


def new_refresh_token(session: Session, settings: Settings, user_token: str) -> str:
    """A Transfer refresh token for the user whose Timers token this is."""
    docs = dependent_tokens(session, settings, TIMERS_CLIENT, user_token, scope=TRANSFER_ALL)
    for doc in docs:
        if doc.get("resource_server") == TRANSFER_RS and doc.get("refresh_token"):
            return str(doc["refresh_token"])
    raise Forbidden(
        "This token does not allow Timers to use Transfer for you",
        code="ConsentRequired",
        required_scopes=[REQUIRED_SCOPE],
    )


def transfer_context(
    session: Session, settings: Settings, refresh_token: str | None
) -> AuthContext:
    """The user's Transfer identity for one run, from a fresh access token."""
    if not refresh_token:
        raise CredentialsLost("This timer holds no credentials for Transfer")
    try:
        access = refreshed(session, settings, TIMERS_CLIENT, refresh_token)
    except ServiceError:
        raise CredentialsLost(
            "The consent this timer runs with was withdrawn: consent again and resume it"
        ) from None
    ctx = authenticate_token(session, access.value)
    if ctx is None:
        raise CredentialsLost("Transfer credentials could not be obtained for this timer")
    return ctx


def discard(session: Session, refresh_token: str | None) -> None:
    """A deleted timer's refresh token is revoked with the access tokens it gave."""
    token = find_active_token(session, refresh_token or "", "refresh")
    if token is not None:
        revoke(session, token)
