"""Globus Auth: clients, OAuth2 flow managers, token responses and identity lookups."""

from globus_sdk.services.auth.client import (
    AuthClient,
    ConfidentialAppAuthClient,
    NativeAppAuthClient,
)
from globus_sdk.services.auth.errors import AuthAPIError
from globus_sdk.services.auth.flow_managers import (
    GlobusAuthorizationCodeFlowManager,
    GlobusNativeAppFlowManager,
    GlobusOAuthFlowManager,
)
from globus_sdk.services.auth.identity_map import IdentityMap
from globus_sdk.services.auth.response import OAuthDependentTokenResponse, OAuthTokenResponse

__all__ = (
    "AuthClient",
    "AuthAPIError",
    "NativeAppAuthClient",
    "ConfidentialAppAuthClient",
    "IdentityMap",
    "OAuthTokenResponse",
    "OAuthDependentTokenResponse",
    "GlobusOAuthFlowManager",
    "GlobusNativeAppFlowManager",
    "GlobusAuthorizationCodeFlowManager",
)
