"""``NativeAppAuthClient``: Globus Auth for apps that cannot keep a secret (PKCE)."""

from __future__ import annotations

import logging
import typing as t

from globus_sdk import exc
from globus_sdk.authorizers import NullAuthorizer
from globus_sdk.services.auth.client.base import AuthClient
from globus_sdk.services.auth.flow_managers import GlobusNativeAppFlowManager
from globus_sdk.services.auth.response import OAuthTokenResponse

log = logging.getLogger(__name__)


class NativeAppAuthClient(AuthClient):
    """An AuthClient for a Native App (like the Globus CLI), which runs client-side and
    therefore has no secret. It requires a client id and cannot take an authorizer:
    calls are unauthenticated and identify the app by ``client_id`` instead.

    Any keyword arguments given are passed through to the AuthClient constructor.
    """

    def __init__(self, client_id: str, **kwargs: t.Any) -> None:
        if "authorizer" in kwargs:
            raise exc.GlobusSDKUsageError("Cannot give a NativeAppAuthClient an authorizer")
        super().__init__(client_id=client_id, authorizer=NullAuthorizer(), **kwargs)

    def oauth2_start_flow(
        self,
        requested_scopes: t.Iterable[str] | str | None = None,
        *,
        redirect_uri: str | None = None,
        state: str = "_default",
        verifier: str | None = None,
        refresh_tokens: bool = False,
        prefill_named_grant: str | None = None,
    ) -> GlobusNativeAppFlowManager:
        """Start a Native App (PKCE) OAuth2 flow, kept as this client's current flow.

        While the flow is in progress the client holds its state, so it is not
        thread-safe.

        :param requested_scopes: scopes as a space-separated string or iterable; defaults
            to ``openid profile email urn:globus:auth:scope:transfer.api.globus.org:all``
        :param redirect_uri: where users go after login; defaults to Auth's page that
            displays the code (``<auth>/v2/web/auth-code``)
        :param state: passed back to the redirect_uri page (default ``"_default"``)
        :param verifier: the PKCE secret; by default a fresh random string
        :param refresh_tokens: also request refresh tokens
        :param prefill_named_grant: prefill the named grant label on the consent page
        """
        log.debug("starting native app flow")
        self.current_oauth2_flow_manager = GlobusNativeAppFlowManager(
            self,
            requested_scopes=requested_scopes,
            redirect_uri=redirect_uri,
            state=state,
            verifier=verifier,
            refresh_tokens=refresh_tokens,
            prefill_named_grant=prefill_named_grant,
        )
        return self.current_oauth2_flow_manager

    def oauth2_refresh_token(
        self, refresh_token: str, *, body_params: dict[str, t.Any] | None = None
    ) -> OAuthTokenResponse:
        """Refresh grant for a Native App: it cannot authenticate with credentials, so it
        sends its client id in the body."""
        params = {"client_id": self.client_id, **(body_params or {})}
        return super().oauth2_refresh_token(refresh_token, body_params=params)
