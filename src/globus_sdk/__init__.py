"""The Globus SDK for Python, 3.2 API.

Names and submodules are imported lazily from their home modules, so ``import globus_sdk``
stays cheap, yet every documented top-level name and submodule (``globus_sdk.scopes``,
``globus_sdk.transport`` ...) is an attribute of the package from the start and resolves
to the same object as its module path.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
import typing as t

from globus_sdk.version import __version__ as __version__

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
    # gcs, as later SDKs export it
    "IterableGCSResponse": "globus_sdk.services.gcs",
    "UnpackingGCSResponse": "globus_sdk.services.gcs",
    "EndpointDocument": "globus_sdk.services.gcs",
    "StorageGatewayDocument": "globus_sdk.services.gcs",
    "POSIXStoragePolicies": "globus_sdk.services.gcs",
    "S3StoragePolicies": "globus_sdk.services.gcs",
    "POSIXCollectionPolicies": "globus_sdk.services.gcs",
    "GCSRoleDocument": "globus_sdk.services.gcs",
    "UserCredentialDocument": "globus_sdk.services.gcs",
}

# the documented subpackages and modules: each is an attribute of the package, imported
# on first access
_SUBMODULES = frozenset(
    {
        "authorizers",
        "client",
        "config",
        "exc",
        "local_endpoint",
        "paging",
        "response",
        "scopes",
        "services",
        "tokenstorage",
        "transport",
        "utils",
        "version",
    }
)

# 3.2's public names, in its order; a name whose home module is not part of this
# package (yet) is left out, so ``from globus_sdk import *`` always succeeds
__all__ = tuple(
    name
    for name in (
        "__version__",
        "BaseClient",
        "GlobusHTTPResponse",
        "GlobusError",
        "GlobusSDKUsageError",
        "GlobusAPIError",
        "AuthAPIError",
        "TransferAPIError",
        "SearchAPIError",
        "GroupsAPIError",
        "NetworkError",
        "GlobusConnectionError",
        "GlobusTimeoutError",
        "GlobusConnectionTimeoutError",
        "NullAuthorizer",
        "BasicAuthorizer",
        "AccessTokenAuthorizer",
        "RefreshTokenAuthorizer",
        "ClientCredentialsAuthorizer",
        "AuthClient",
        "NativeAppAuthClient",
        "ConfidentialAppAuthClient",
        "OAuthDependentTokenResponse",
        "OAuthTokenResponse",
        "IdentityMap",
        "TransferClient",
        "TransferData",
        "DeleteData",
        "SearchClient",
        "SearchQuery",
        "GroupsClient",
        "BatchMembershipActions",
        "GroupPolicies",
        "GroupMemberVisibility",
        "GroupRequiredSignupFields",
        "GroupRole",
        "GroupVisibility",
        "GroupsManager",
        "GCSClient",
        "CollectionDocument",
        "GuestCollectionDocument",
        "MappedCollectionDocument",
        "GCSAPIError",
        "GlobusConnectPersonalOwnerInfo",
        "LocalGlobusConnectPersonal",
    )
    if name not in _LAZY or importlib.util.find_spec(_LAZY[name]) is not None
)


def __getattr__(name: str) -> t.Any:
    if name in _SUBMODULES:
        # importing a submodule binds it as an attribute of this package
        return importlib.import_module(f"{__name__}.{name}")
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__, *_SUBMODULES})


# a library leaves logging output to the application: no "No handlers" warnings
logging.getLogger(__name__).addHandler(logging.NullHandler())
