"""The SDK's exception types; every error the SDK raises is a :class:`GlobusError`."""

from globus_sdk.exc.api import GlobusAPIError
from globus_sdk.exc.base import GlobusError, GlobusSDKUsageError
from globus_sdk.exc.convert import (
    GlobusConnectionError,
    GlobusConnectionTimeoutError,
    GlobusTimeoutError,
    NetworkError,
    convert_request_exception,
)
from globus_sdk.exc.err_info import (
    AuthorizationParameterInfo,
    ConsentRequiredInfo,
    ErrorInfo,
    ErrorInfoContainer,
)

__all__ = [
    "GlobusError",
    "GlobusSDKUsageError",
    "GlobusAPIError",
    "NetworkError",
    "GlobusConnectionError",
    "GlobusTimeoutError",
    "GlobusConnectionTimeoutError",
    "convert_request_exception",
    "ErrorInfo",
    "ErrorInfoContainer",
    "AuthorizationParameterInfo",
    "ConsentRequiredInfo",
]
