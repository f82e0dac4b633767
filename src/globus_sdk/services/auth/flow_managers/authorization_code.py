"""The Authorization Code flow, for web apps whose server side keeps a client secret."""

from __future__ import annotations

import logging
import typing as t

from globus_sdk.services.auth.flow_managers.base import (
    GlobusOAuthFlowManager,
    authorize_url,
    scopes_to_str,
)

if t.TYPE_CHECKING:
    from globus_sdk.services.auth.client.base import AuthClient
    from globus_sdk.services.auth.response import OAuthTokenResponse

log = logging.getLogger(__name__)


class GlobusAuthorizationCodeFlowManager(GlobusOAuthFlowManager):
    """The OAuth flow for web applications backed by a server that can keep a Client
    Secret: the user brings back a short-lived code, which the server exchanges for
    tokens, authenticating the exchange with its credentials.

    :param auth_client: The ConfidentialAppAuthClient used for the flow
    :param redirect_uri: where users are sent after authenticating
    :param requested_scopes: scopes as a space-separated string or iterable; defaults
        to ``openid profile email urn:globus:auth:scope:transfer.api.globus.org:all``
    :param state: passed back to the redirect_uri so the app can keep context
    :param refresh_tokens: also request refresh tokens
    """

    def __init__(
        self,
        auth_client: AuthClient,
        redirect_uri: str,
        requested_scopes: str | t.Iterable[str] | None = None,
        state: str = "_default",
        refresh_tokens: bool = False,
    ) -> None:
        self.auth_client = auth_client
        self.client_id = auth_client.client_id
        self.redirect_uri = redirect_uri
        self.requested_scopes = scopes_to_str(requested_scopes)
        self.state = state
        self.refresh_tokens = refresh_tokens
        log.debug("auth code flow: redirect_uri=%s scopes=%s", redirect_uri, self.requested_scopes)

    def get_authorize_url(self, query_params: dict[str, t.Any] | None = None) -> str:
        """The authorization URL to send users to; after login they are redirected to the
        redirect_uri with the code in a query parameter.

        :param query_params: Additional parameters to include in the authorize URL
        """
        params: dict[str, t.Any] = {
            "client_id": self.client_id,
            "redirect_uri": self.redirect_uri,
            "scope": self.requested_scopes,
            "state": self.state,
            "response_type": "code",
            "access_type": "offline" if self.refresh_tokens else "online",
        }
        params.update(query_params or {})
        return authorize_url(self.auth_client, params)

    def exchange_code_for_tokens(self, auth_code: str) -> OAuthTokenResponse:
        """Exchange the authorization code for access (and maybe refresh) tokens."""
        return self.auth_client.oauth2_token(
            {
                "grant_type": "authorization_code",
                "code": auth_code,
                "redirect_uri": self.redirect_uri,
            }
        )
