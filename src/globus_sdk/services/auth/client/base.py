"""``AuthClient``: the Globus Auth API, for users (Bearer tokens) and OAuth2 apps."""

from __future__ import annotations

import logging
import typing as t
import uuid

from globus_sdk import exc, utils
from globus_sdk.authorizers import NullAuthorizer
from globus_sdk.client import BaseClient
from globus_sdk.response import GlobusHTTPResponse
from globus_sdk.scopes import AuthScopes
from globus_sdk.services.auth.errors import AuthAPIError
from globus_sdk.services.auth.response import OAuthTokenResponse

if t.TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

    from globus_sdk.services.auth.flow_managers import GlobusOAuthFlowManager

log = logging.getLogger(__name__)

RT = t.TypeVar("RT", bound=GlobusHTTPResponse)


def _provision_text(provision: t.Any) -> str:
    """``provision`` as Auth reads it: only a value whose text is ``false`` (any case)
    turns provisioning off, so ``"False"`` from a config file means what it says."""
    return "false" if str(provision).lower() == "false" else "true"


class AuthClient(BaseClient):
    """Client for the Globus Auth API.

    Resources for end users are authenticated with a Bearer token
    (``authorizer=AccessTokenAuthorizer(...)`` or a RefreshTokenAuthorizer); resources for
    OAuth clients use Basic auth with the client's id and secret (see
    :class:`ConfidentialAppAuthClient`). Some accept either.

    :param client_id: the OAuth2 client id of the app this client acts for, used by the
        OAuth2 flows (optional for plain API use with a token)
    """

    service_name = "auth"
    base_path = "/"
    error_class = AuthAPIError
    scopes = AuthScopes

    def __init__(self, client_id: str | None = None, **kwargs: t.Any) -> None:
        super().__init__(**kwargs)
        self.client_id = client_id
        #: the flow started by ``oauth2_start_flow`` (None until one is started)
        self.current_oauth2_flow_manager: GlobusOAuthFlowManager | None = None

    # -- identities -----------------------------------------------------------------

    def get_identities(
        self,
        *,
        usernames: t.Iterable[str] | str | None = None,
        ids: t.Iterable[uuid.UUID | str] | uuid.UUID | str | None = None,
        provision: bool = False,
        query_params: dict[str, t.Any] | None = None,
    ) -> GlobusHTTPResponse:
        """``GET /v2/api/identities``: look up identities by usernames or (exclusively)
        by ids; each may be a comma-delimited string or an iterable of strings.

        ``provision=True`` asks Globus Auth to create identities for unknown usernames.
        It is sent with usernames only, as ``"false"`` when the value given reads
        ``false`` in any case (``False``, ``"FALSE"``) and ``"true"`` otherwise.
        An empty ``usernames`` or ``ids`` is not sent. Available with any
        authentication/client type.
        """
        params: dict[str, t.Any] = dict(query_params or {})
        if usernames:
            params["usernames"] = utils.commajoin(usernames)
            params["provision"] = _provision_text(provision)
        if ids:
            params["ids"] = utils.commajoin(ids)
        log.debug("looking up identities: %s", sorted(params))
        return self.get("/v2/api/identities", query_params=params)

    # -- OAuth2 flows -----------------------------------------------------------------

    def _require_flow(self, what: str) -> GlobusOAuthFlowManager:
        flow = self.current_oauth2_flow_manager
        if flow is None:
            raise exc.GlobusSDKUsageError(
                f"cannot {what} before starting an OAuth2 flow (call oauth2_start_flow first)"
            )
        return flow

    def oauth2_get_authorize_url(self, *, query_params: dict[str, t.Any] | None = None) -> str:
        """Get the authorization URL to which users should be sent.

        May only be called after ``oauth2_start_flow``.

        :param query_params: Additional query parameters to include in the authorize URL
        """
        url = self._require_flow("get an authorize URL").get_authorize_url(
            query_params=query_params
        )
        log.debug("authorize URL built")
        return url

    def oauth2_exchange_code_for_tokens(self, auth_code: str) -> OAuthTokenResponse:
        """Exchange an authorization code (from the authorize step) for tokens."""
        return self._require_flow("exchange a code for tokens").exchange_code_for_tokens(auth_code)

    # -- token endpoint ---------------------------------------------------------------

    @t.overload
    def oauth2_token(
        self, form_data: dict[str, t.Any] | utils.PayloadWrapper
    ) -> OAuthTokenResponse: ...

    @t.overload
    def oauth2_token(
        self,
        form_data: dict[str, t.Any] | utils.PayloadWrapper,
        *,
        body_params: dict[str, t.Any] | None,
    ) -> OAuthTokenResponse: ...

    @t.overload
    def oauth2_token(
        self,
        form_data: dict[str, t.Any] | utils.PayloadWrapper,
        *,
        response_class: type[RT],
    ) -> RT: ...

    @t.overload
    def oauth2_token(
        self,
        form_data: dict[str, t.Any] | utils.PayloadWrapper,
        *,
        body_params: dict[str, t.Any] | None,
        response_class: type[RT],
    ) -> RT: ...

    def oauth2_token(
        self,
        form_data: dict[str, t.Any] | utils.PayloadWrapper,
        *,
        body_params: dict[str, t.Any] | None = None,
        response_class: type[GlobusHTTPResponse] = OAuthTokenResponse,
    ) -> GlobusHTTPResponse:
        """The generic form of calling the OAuth2 Token endpoint (``POST /v2/oauth2/token``
        with a form body). Most users want a grant-specific method instead.

        :param form_data: the form fields of the grant
        :param body_params: extra fields merged into the form
        :param response_class: the response type to build (e.g. the dependent token grant
            uses :class:`OAuthDependentTokenResponse`)
        """
        form = dict(form_data)
        if body_params:
            form.update(body_params)
        log.debug("token grant: %s", form.get("grant_type"))
        response = self.post("/v2/oauth2/token", data=form, encoding="form")
        return response_class(response)  # the wrapped response carries this client

    def oauth2_refresh_token(
        self, refresh_token: str, *, body_params: dict[str, t.Any] | None = None
    ) -> OAuthTokenResponse:
        """Exchange a refresh token for an :class:`OAuthTokenResponse` with a new access
        token (``grant_type=refresh_token``).

        :param refresh_token: A Globus Refresh Token as a string
        :param body_params: A dict of extra params to encode in the refresh call
        """
        form = {"refresh_token": refresh_token, "grant_type": "refresh_token"}
        return self.oauth2_token(form, body_params=body_params)

    def _token_form(self, token: str, body_params: dict[str, t.Any] | None) -> dict[str, t.Any]:
        """Form for validate/revoke: apps that cannot authenticate identify themselves."""
        form: dict[str, t.Any] = {"token": token}
        unauthenticated = self.authorizer is None or isinstance(self.authorizer, NullAuthorizer)
        if unauthenticated and self.client_id is not None:
            form["client_id"] = self.client_id
        if body_params:
            form.update(body_params)
        return form

    def oauth2_validate_token(
        self, token: str, *, body_params: dict[str, t.Any] | None = None
    ) -> GlobusHTTPResponse:
        """Validate an access or refresh token issued to this client.

        The response is ``{"active": True}`` for a valid token, ``{"active": False}``
        otherwise.

        :param token: The token which should be validated
        :param body_params: Additional parameters to include in the validation body
        """
        return self.post(
            "/v2/oauth2/token/validate",
            data=self._token_form(token, body_params),
            encoding="form",
        )

    def oauth2_revoke_token(
        self, token: str, *, body_params: dict[str, t.Any] | None = None
    ) -> GlobusHTTPResponse:
        """Revoke an access or refresh token issued to this client, making it unusable.

        :param token: The token which should be revoked
        :param body_params: Additional parameters to include in the revocation body
        """
        return self.post(
            "/v2/oauth2/token/revoke",
            data=self._token_form(token, body_params),
            encoding="form",
        )

    # -- OpenID Connect -------------------------------------------------------------

    def oauth2_userinfo(self) -> GlobusHTTPResponse:
        """Call the OIDC Userinfo endpoint for the identity of the current token."""
        return self.get("/v2/oauth2/userinfo")

    def get_openid_configuration(self) -> GlobusHTTPResponse:
        """Fetch the OpenID Connect configuration from Globus Auth's well-known URI."""
        return self.get("/.well-known/openid-configuration")

    @t.overload
    def get_jwk(
        self,
        openid_configuration: GlobusHTTPResponse | dict[str, t.Any] | None,
        *,
        as_pem: t.Literal[True],
    ) -> RSAPublicKey: ...

    @t.overload
    def get_jwk(
        self,
        openid_configuration: GlobusHTTPResponse | dict[str, t.Any] | None = None,
        *,
        as_pem: t.Literal[False] = False,
    ) -> dict[str, t.Any]: ...

    def get_jwk(
        self,
        openid_configuration: GlobusHTTPResponse | dict[str, t.Any] | None = None,
        *,
        as_pem: bool = False,
    ) -> RSAPublicKey | dict[str, t.Any]:
        """Fetch the Globus Auth JWK set from the ``jwks_uri`` of the OIDC config.

        :param openid_configuration: The OIDC config as a GlobusHTTPResponse or dict;
            fetched when not provided
        :param as_pem: return the first key decoded as an RSA public key (for JWT
            decoding) instead of the JWK set dict
        """
        if openid_configuration is None:
            openid_configuration = self.get_openid_configuration()
        config = (
            openid_configuration.data
            if isinstance(openid_configuration, GlobusHTTPResponse)
            else openid_configuration
        )
        jwks_uri = config["jwks_uri"]
        log.debug("fetching JWK set from %s", jwks_uri)
        jwk_data: dict[str, t.Any] = self.get(jwks_uri).data
        if not as_pem:
            return jwk_data
        from jwt.algorithms import RSAAlgorithm  # heavy import; only needed here

        keys = jwk_data.get("keys") or []
        if not keys:
            raise exc.GlobusSDKUsageError("Globus Auth's JWK set has no keys")
        return t.cast("RSAPublicKey", RSAAlgorithm.from_jwk(keys[0]))
