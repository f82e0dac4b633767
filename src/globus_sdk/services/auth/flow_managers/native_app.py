"""The Native App flow: authorization code with PKCE, for apps without a secret."""

from __future__ import annotations

import base64
import hashlib
import logging
import re
import secrets
import typing as t

from globus_sdk import exc, utils
from globus_sdk.services.auth.flow_managers.base import (
    GlobusOAuthFlowManager,
    authorize_url,
    scopes_to_str,
)

if t.TYPE_CHECKING:
    from globus_sdk.services.auth.client.base import AuthClient
    from globus_sdk.services.auth.response import OAuthTokenResponse

log = logging.getLogger(__name__)

# RFC 7636 §4.1: 43-128 characters from the "unreserved" set
_VERIFIER_RE = re.compile(r"^[A-Za-z0-9\-._~]{43,128}$")


def make_native_app_challenge(verifier: str | None = None) -> tuple[str, str]:
    """A PKCE ``(verifier, S256 challenge)`` pair; a fresh random verifier if none given.

    The challenge is the unpadded base64url SHA-256 of the verifier, so the server can
    check at the token step that the code is redeemed by whoever started the flow.
    """
    if verifier is None:
        verifier = secrets.token_urlsafe(64)  # 86 URL-safe characters
    elif not _VERIFIER_RE.match(verifier):
        raise exc.GlobusSDKUsageError(
            "verifier must be 43 to 128 characters of A-Z a-z 0-9 - . _ ~ (RFC 7636)"
        )
    digest = hashlib.sha256(verifier.encode("utf-8")).digest()
    challenge = base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")
    return verifier, challenge


class GlobusNativeAppFlowManager(GlobusOAuthFlowManager):
    """The OAuth flow for clients that authenticate users without a Client Secret:
    a temporary secret (the PKCE verifier) is generated for this attempt only.

    :param auth_client: The NativeAppAuthClient on which this flow is based
    :param requested_scopes: scopes as a space-separated string or iterable; defaults
        to ``openid profile email urn:globus:auth:scope:transfer.api.globus.org:all``
    :param redirect_uri: where users go after authenticating; defaults to Auth's page
        that displays the code (``<auth>/v2/web/auth-code``)
    :param state: included in the redirect, default ``"_default"``
    :param verifier: the PKCE secret; a fresh random string by default
    :param refresh_tokens: also request refresh tokens
    :param prefill_named_grant: prefill the named grant label on the consent page
    """

    def __init__(
        self,
        auth_client: AuthClient,
        requested_scopes: str | t.Iterable[str] | None = None,
        redirect_uri: str | None = None,
        state: str = "_default",
        verifier: str | None = None,
        refresh_tokens: bool = False,
        prefill_named_grant: str | None = None,
    ) -> None:
        if not auth_client.client_id:
            raise exc.GlobusSDKUsageError("a Native App flow needs an AuthClient with a client_id")
        self.auth_client = auth_client
        self.client_id: str = auth_client.client_id
        self.verifier, self.challenge = make_native_app_challenge(verifier)
        self.requested_scopes = scopes_to_str(requested_scopes)
        if redirect_uri is None:
            redirect_uri = utils.slash_join(auth_client.base_url, "/v2/web/auth-code")
        self.redirect_uri = redirect_uri
        self.state = state
        self.refresh_tokens = refresh_tokens
        self.prefill_named_grant = prefill_named_grant
        log.debug("native app flow: redirect_uri=%s scopes=%s", redirect_uri, self.requested_scopes)

    def get_authorize_url(self, query_params: dict[str, t.Any] | None = None) -> str:
        """The authorization URL to send users to; after login they are redirected to the
        redirect_uri with the code in a query parameter.

        :param query_params: Additional query parameters to include in the URL
        """
        params: dict[str, t.Any] = {
            "client_id": self.client_id,
            "redirect_uri": self.redirect_uri,
            "scope": self.requested_scopes,
            "state": self.state,
            "response_type": "code",
            "code_challenge": self.challenge,
            "code_challenge_method": "S256",
            "access_type": "offline" if self.refresh_tokens else "online",
            "prefill_named_grant": self.prefill_named_grant,
        }
        params.update(query_params or {})
        return authorize_url(self.auth_client, params)

    def exchange_code_for_tokens(self, auth_code: str) -> OAuthTokenResponse:
        """Exchange the authorization code for access (and maybe refresh) tokens,
        proving with the verifier that this flow started the login."""
        return self.auth_client.oauth2_token(
            {
                "client_id": self.client_id,
                "grant_type": "authorization_code",
                "code": auth_code,
                "code_verifier": self.verifier,
                "redirect_uri": self.redirect_uri,
            }
        )
