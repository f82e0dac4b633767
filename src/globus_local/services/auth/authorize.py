"""The authorize request of the authorization-code flow: checked in full at every step
(it travels through the login and consent forms as its own query string, so no server-side
state exists until a code is issued), the consent it needs, and the code it ends with.

A problem with the client or redirect URI is a :class:`PageError` (shown as a page: the
platform never redirects to an unregistered URI); any other is a :class:`RedirectError`,
reported to the client by redirecting with ``error=...``.
"""

from __future__ import annotations

import re
import typing as t
from dataclasses import dataclass
from urllib.parse import urlencode

from sqlalchemy.orm import Session

from globus_local.kit.errors import ServiceError
from globus_local.services.auth.clients import get_client, redirect_uri_allowed
from globus_local.services.auth.models import Client, Consent, Identity, LoginSession
from globus_local.services.auth.scope_requests import ScopeRequest
from globus_local.services.auth.scopes import ScopeInfo, requested_scopes
from globus_local.services.auth.tokens import issue_code

# Query parameters of an authorize request that are carried through the forms.
AUTHORIZE_KEYS = (
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "response_type",
    "access_type",
    "code_challenge",
    "code_challenge_method",
    "prompt",
    "nonce",
    "session_message",
    "session_required_identities",
    "session_required_single_domain",
    "session_required_mfa",
    "session_required_policies",
    "prefill_named_grant",
)
_CHALLENGE_RE = re.compile(r"^[A-Za-z0-9\-_]{43,128}$")


class PageError(Exception):
    def __init__(self, status: int, title: str, message: str) -> None:
        super().__init__(message)
        self.status, self.title, self.message = status, title, message


class RedirectError(Exception):
    def __init__(self, error: str, description: str) -> None:
        super().__init__(description)
        self.error, self.description = error, description


@dataclass
class AuthorizeRequest:
    params: dict[str, str]
    client: Client
    redirect_uri: str
    scopes: list[ScopeInfo]
    # The request trees of ``scope``: each top-level scope with the dependencies asked for.
    requests: list[ScopeRequest]

    @property
    def state(self) -> str:
        return self.params.get("state") or "_default"

    @property
    def scope_strings(self) -> list[str]:
        return [s.scope_string for s in self.scopes]

    @property
    def consent_strings(self) -> list[str]:
        """What the user consents to: each requested scope with its dependencies."""
        return [str(r) for r in self.requests]

    def encoded(self, **overrides: str | None) -> str:
        params = dict(self.params)
        for key, value in overrides.items():
            if value is None:
                params.pop(key, None)
            else:
                params[key] = value
        return urlencode(params)


def parse_authorize(
    session: Session, raw: t.Mapping[str, str], platform_hosts: set[str]
) -> AuthorizeRequest:
    """The request ``raw`` names, checked; ``platform_hosts`` are the hosts this platform
    answers on (its own auth-code page is a redirect URI every client may use)."""
    params = {k: str(raw[k]) for k in AUTHORIZE_KEYS if raw.get(k) not in (None, "")}
    client = get_client(session, params.get("client_id"))
    if client is None:
        raise PageError(400, "Unknown client", "No client is registered with this client_id.")
    redirect_uri = params.get("redirect_uri", "")
    if not redirect_uri_allowed(client, redirect_uri, platform_hosts):
        raise PageError(
            400,
            "Invalid redirect_uri",
            "The redirect_uri is missing or not registered for this client.",
        )
    request_with_uri = AuthorizeRequest(params, client, redirect_uri, [], [])
    if params.get("response_type", "code") != "code":
        raise RedirectError("unsupported_response_type", "Only response_type=code is supported")
    if params.get("access_type", "online") not in ("online", "offline"):
        raise RedirectError("invalid_request", "access_type must be 'online' or 'offline'")
    challenge = params.get("code_challenge")
    if challenge is not None:
        if params.get("code_challenge_method", "plain") != "S256":
            raise RedirectError("invalid_request", "code_challenge_method must be S256")
        if not _CHALLENGE_RE.match(challenge):
            raise RedirectError("invalid_request", "Malformed code_challenge")
    elif client.public_client:
        raise RedirectError("invalid_request", "Native apps must use PKCE (code_challenge, S256)")
    try:
        scopes, requests = requested_scopes(session, params.get("scope"))
    except ServiceError as err:
        raise RedirectError("invalid_scope", err.message) from None
    if not scopes:
        raise RedirectError("invalid_scope", "No scope was requested")
    request_with_uri.scopes, request_with_uri.requests = scopes, requests
    return request_with_uri


def consented(session: Session, ar: AuthorizeRequest, identity: Identity) -> bool:
    """Whether the identity consented before to every scope the client asks for, each
    with the dependencies it asks for now."""
    consent = session.get(Consent, (identity.id, ar.client.id))
    return consent is not None and set(ar.consent_strings) <= set(consent.scopes)


def record_consent(session: Session, ar: AuthorizeRequest, identity: Identity) -> None:
    """The identity allows these scopes to the client, besides any it allowed before."""
    consent = session.get(Consent, (identity.id, ar.client.id))
    if consent is None:
        session.add(
            Consent(identity_id=identity.id, client_id=ar.client.id, scopes=ar.consent_strings)
        )
    else:
        consent.scopes = list(dict.fromkeys([*consent.scopes, *ar.consent_strings]))


def code_for(
    session: Session, ar: AuthorizeRequest, identity: Identity, login: LoginSession
) -> str:
    """A new authorization code for the request, bound to the identity's login."""
    return issue_code(
        session,
        client=ar.client,
        identity=identity,
        redirect_uri=ar.redirect_uri,
        scopes=ar.scope_strings,
        code_challenge=ar.params.get("code_challenge"),
        code_challenge_method=ar.params.get("code_challenge_method"),
        access_type=ar.params.get("access_type", "online"),
        state=ar.state,
        session_id=login.id,
        nonce=ar.params.get("nonce"),
    )
