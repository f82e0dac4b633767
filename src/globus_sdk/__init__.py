"""The Globus SDK for Python, 3.2 API.

Names are imported lazily from their home modules, so ``import globus_sdk`` stays cheap
and every documented top-level name resolves to the same object as its module path.
"""

from __future__ import annotations

import importlib
import typing as t

from globus_sdk.version import __version__

_LAZY: dict[str, str] = {
    # core
    "BaseClient": "globus_sdk.client",
    "GlobusHTTPResponse": "globus_sdk.response",
    # exceptions
    "GlobusError": "globus_sdk.exc",
    "GlobusSDKUsageError": "globus_sdk.exc",
    "GlobusAPIError": "globus_sdk.exc",
    "NetworkError": "globus_sdk.exc",
    "GlobusConnectionError": "globus_sdk.exc",
    "GlobusTimeoutError": "globus_sdk.exc",
    "GlobusConnectionTimeoutError": "globus_sdk.exc",
    # authorizers
    "NullAuthorizer": "globus_sdk.authorizers",
    "BasicAuthorizer": "globus_sdk.authorizers",
    "AccessTokenAuthorizer": "globus_sdk.authorizers",
    "RefreshTokenAuthorizer": "globus_sdk.authorizers",
    "ClientCredentialsAuthorizer": "globus_sdk.authorizers",
    # local endpoints
    "LocalGlobusConnectPersonal": "globus_sdk.local_endpoint",
    "GlobusConnectPersonalOwnerInfo": "globus_sdk.local_endpoint",
    # auth
    "AuthClient": "globus_sdk.services.auth",
    "AuthAPIError": "globus_sdk.services.auth",
    "NativeAppAuthClient": "globus_sdk.services.auth",
    "ConfidentialAppAuthClient": "globus_sdk.services.auth",
    "IdentityMap": "globus_sdk.services.auth",
    "OAuthTokenResponse": "globus_sdk.services.auth",
    "OAuthDependentTokenResponse": "globus_sdk.services.auth",
    # transfer
    "TransferClient": "globus_sdk.services.transfer",
    "TransferData": "globus_sdk.services.transfer",
    "DeleteData": "globus_sdk.services.transfer",
    "TransferAPIError": "globus_sdk.services.transfer",
    # groups
    "GroupsClient": "globus_sdk.services.groups",
    "GroupsManager": "globus_sdk.services.groups",
    "GroupsAPIError": "globus_sdk.services.groups",
    "BatchMembershipActions": "globus_sdk.services.groups",
    "GroupPolicies": "globus_sdk.services.groups",
    "GroupMemberVisibility": "globus_sdk.services.groups",
    "GroupRequiredSignupFields": "globus_sdk.services.groups",
    "GroupRole": "globus_sdk.services.groups",
    "GroupVisibility": "globus_sdk.services.groups",
    # search
    "SearchClient": "globus_sdk.services.search",
    "SearchQuery": "globus_sdk.services.search",
    "SearchAPIError": "globus_sdk.services.search",
    # gcs
    "GCSClient": "globus_sdk.services.gcs",
    "GCSAPIError": "globus_sdk.services.gcs",
    "CollectionDocument": "globus_sdk.services.gcs",
    "MappedCollectionDocument": "globus_sdk.services.gcs",
    "GuestCollectionDocument": "globus_sdk.services.gcs",
}

__all__ = ["__version__", *_LAZY]


def __getattr__(name: str) -> t.Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'globus_sdk' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
