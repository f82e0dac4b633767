"""Network failures, and the mapping from ``requests`` exceptions onto them.

The transport calls :func:`convert_request_exception` once retries are exhausted, so
callers only ever need to catch SDK types, never ``requests`` ones.
"""

from __future__ import annotations

import typing as t

import requests

from globus_sdk.exc.base import GlobusError


class NetworkError(GlobusError):
    """Error communicating with the REST API server.

    ``str(err)`` and ``err.args`` are the message alone; the original exception, which may
    be confusing on its own, is kept as ``underlying_exception``. Extra positional and
    keyword arguments are accepted and ignored.
    """

    def __init__(self, msg: str, exc: Exception, *args: t.Any, **kw: t.Any) -> None:
        super().__init__(msg)
        self.underlying_exception = exc


class GlobusConnectionError(NetworkError):
    """A connection error occurred while making a REST request."""


class GlobusTimeoutError(NetworkError):
    """The REST request timed out."""


class GlobusConnectionTimeoutError(GlobusTimeoutError):
    """The request timed out while connecting; nothing reached the server, so retrying is safe."""


def convert_request_exception(exc: requests.RequestException) -> NetworkError:
    """Map a ``requests`` exception onto the matching :class:`NetworkError` subclass.

    ``ConnectTimeout`` is both a ``ConnectionError`` and a ``Timeout`` in requests, so it is
    checked first. The messages are globus-sdk 3.2's wording.
    """
    if isinstance(exc, requests.ConnectTimeout):
        return GlobusConnectionTimeoutError("ConnectTimeoutError on request", exc)
    if isinstance(exc, requests.Timeout):
        return GlobusTimeoutError("TimeoutError on request", exc)
    if isinstance(exc, requests.ConnectionError):
        return GlobusConnectionError("ConnectionError on request", exc)
    return NetworkError("NetworkError on request", exc)
