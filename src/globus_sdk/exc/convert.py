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

    Keeps the original exception (``underlying_exception``) and a message explaining it.
    """

    def __init__(self, msg: str, exc: Exception, *args: t.Any, **kw: t.Any) -> None:
        super().__init__(msg, *args)
        self.msg = msg
        self.underlying_exception = exc

    def __str__(self) -> str:
        return f"{self.msg}: {self.underlying_exception}" if self.underlying_exception else self.msg


class GlobusConnectionError(NetworkError):
    """A connection error occurred while making a REST request."""


class GlobusTimeoutError(NetworkError):
    """The REST request timed out."""


class GlobusConnectionTimeoutError(GlobusTimeoutError):
    """The request timed out while connecting; nothing reached the server, so retrying is safe."""


def convert_request_exception(exc: requests.RequestException) -> NetworkError:
    """Map a ``requests`` exception onto the matching :class:`NetworkError` subclass.

    ``ConnectTimeout`` is both a ``ConnectionError`` and a ``Timeout`` in requests, so it is
    checked first.
    """
    if isinstance(exc, requests.ConnectTimeout):
        return GlobusConnectionTimeoutError("Connection to the server timed out", exc)
    if isinstance(exc, requests.Timeout):
        return GlobusTimeoutError("Request to the server timed out", exc)
    if isinstance(exc, requests.ConnectionError):
        return GlobusConnectionError("Could not connect to the server", exc)
    return NetworkError("Network error while talking to the server", exc)
