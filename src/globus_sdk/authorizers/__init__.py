"""Authorizers: objects that supply Authorization headers to SDK clients."""

from globus_sdk.authorizers.access_token import AccessTokenAuthorizer
from globus_sdk.authorizers.base import GlobusAuthorizer, StaticGlobusAuthorizer
from globus_sdk.authorizers.basic import BasicAuthorizer
from globus_sdk.authorizers.client_credentials import ClientCredentialsAuthorizer
from globus_sdk.authorizers.null import NullAuthorizer
from globus_sdk.authorizers.refresh_token import RefreshTokenAuthorizer
from globus_sdk.authorizers.renewing import RenewingAuthorizer

__all__ = (
    "GlobusAuthorizer",
    "StaticGlobusAuthorizer",
    "RenewingAuthorizer",
    "NullAuthorizer",
    "BasicAuthorizer",
    "AccessTokenAuthorizer",
    "RefreshTokenAuthorizer",
    "ClientCredentialsAuthorizer",
)
