"""``ConfidentialAppAuthClient``: Globus Auth for apps with a client id and secret."""

from __future__ import annotations

import logging
import typing as t

from globus_sdk import exc
from globus_sdk.authorizers import BasicAuthorizer
from globus_sdk.response import GlobusHTTPResponse
from globus_sdk.services.auth.client.base import AuthClient
from globus_sdk.services.auth.flow_managers import GlobusAuthorizationCodeFlowManager
from globus_sdk.services.auth.flow_managers.base import scopes_to_str
from globus_sdk.services.auth.oauth2_constants import DEFAULT_REQUESTED_SCOPES
from globus_sdk.services.auth.response import OAuthDependentTokenResponse, OAuthTokenResponse

log = logging.getLogger(__name__)

DEPENDENT_TOKEN_GRANT = "urn:globus:auth:grant_type:dependent_token"


class ConfidentialAppAuthClient(AuthClient):
    """An AuthClient for an app with its own credentials (a server-side portal, a
    service). Calls are authenticated with Basic auth from the client id and secret.

    Any keyword arguments given are passed through to the AuthClient constructor.
    """

    def __init__(self, client_id: str, client_secret: str, **kwargs: t.Any) -> None:
        if "authorizer" in kwargs:
            raise exc.GlobusSDKUsageError("Cannot give a ConfidentialAppAuthClient an authorizer")
        super().__init__(
            client_id=client_id,
            authorizer=BasicAuthorizer(client_id, client_secret),
            **kwargs,
        )

    def oauth2_client_credentials_tokens(
        self, requested_scopes: t.Iterable[str] | str | None = None
    ) -> OAuthTokenResponse:
        """Client Credentials Grant: tokens that represent this client itself, acting
        on its own behalf rather than for a user.

        :param requested_scopes: scopes as a space-separated string or iterable; defaults
            to ``openid profile email urn:globus:auth:scope:transfer.api.globus.org:all``
        """
        scope = scopes_to_str(requested_scopes or DEFAULT_REQUESTED_SCOPES)
        log.debug("client credentials grant for scopes %s", scope)
        return self.oauth2_token({"grant_type": "client_credentials", "scope": scope})

    def oauth2_start_flow(
        self,
        redirect_uri: str,
        requested_scopes: t.Iterable[str] | str | None = None,
        *,
        state: str = "_default",
        refresh_tokens: bool = False,
    ) -> GlobusAuthorizationCodeFlowManager:
        """Start (or resume) an Authorization Code OAuth2 flow, kept as this client's
        current flow.

        :param redirect_uri: where users are sent after authenticating
        :param requested_scopes: scopes as a space-separated string or iterable; defaults
            to ``openid profile email urn:globus:auth:scope:transfer.api.globus.org:all``
        :param state: passed back to the redirect_uri so the app can keep context
        :param refresh_tokens: also request refresh tokens
        """
        log.debug("starting authorization code flow")
        self.current_oauth2_flow_manager = GlobusAuthorizationCodeFlowManager(
            self,
            redirect_uri,
            requested_scopes=requested_scopes,
            state=state,
            refresh_tokens=refresh_tokens,
        )
        return self.current_oauth2_flow_manager

    def oauth2_get_dependent_tokens(
        self, token: str, *, additional_params: dict[str, t.Any] | None = None
    ) -> OAuthDependentTokenResponse:
        """Dependent Token Grant: exchange a token given to this service for tokens to
        the services it depends on (per the scopes' declared dependencies).

        :param token: A Globus Access Token as a string
        :param additional_params: Additional parameters to include in the request body
            (e.g. ``{"access_type": "offline"}`` for refresh tokens)
        """
        form = {"grant_type": DEPENDENT_TOKEN_GRANT, "token": token}
        return self.oauth2_token(
            form, body_params=additional_params, response_class=OAuthDependentTokenResponse
        )

    def oauth2_token_introspect(
        self, token: str, *, include: str | None = None
    ) -> GlobusHTTPResponse:
        """``POST /v2/oauth2/token/introspect``: information about a token.

        :param token: An Access Token as a raw string
        :param include: value of the ``include`` parameter (e.g. ``"identity_set"``);
            omitted by default
        """
        form: dict[str, t.Any] = {"token": token}
        if include is not None:
            form["include"] = include
        return self.post("/v2/oauth2/token/introspect", data=form, encoding="form")
