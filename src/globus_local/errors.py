"""One error mechanism for every service.

Routes raise :class:`ServiceError`; the app turns it (and validation failures, unknown
routes and unexpected exceptions) into the error document of the service that owns the
path, always with a ``request_id`` and never with a traceback.
"""

from __future__ import annotations

import typing as t


class ServiceError(Exception):
    """An error a service answers with.

    ``code`` and ``message`` are the service's own (e.g. Transfer's
    ``ClientError.NotFound``); ``extra`` carries fields particular to one service's
    document (Auth's OAuth ``error``, ``required_scopes``, ...).
    """

    def __init__(self, http_status: int, code: str, message: str, **extra: t.Any) -> None:
        super().__init__(message)
        self.http_status = http_status
        self.code = code
        self.message = message
        self.extra = extra


# Builds the JSON body of an error for one service: (error, request_id) -> document.
ErrorFormatter = t.Callable[[ServiceError, str], dict[str, t.Any] | list[t.Any]]


def default_error_document(err: ServiceError, request_id: str) -> dict[str, t.Any]:
    """The common Globus shape: code, message, request_id (Transfer, Groups, Flows...)."""
    doc: dict[str, t.Any] = {"code": err.code, "message": err.message, "request_id": request_id}
    doc.update(err.extra)
    return doc


# Generic codes for failures that happen before a route's own logic runs.
STATUS_CODES: dict[int, str] = {
    400: "BadRequest",
    401: "AuthenticationFailed",
    403: "Forbidden",
    404: "NotFound",
    405: "MethodNotAllowed",
    409: "Conflict",
    413: "RequestTooLarge",
    415: "UnsupportedMediaType",
    422: "BadRequest",
    429: "TooManyRequests",
    500: "InternalServerError",
    503: "ServiceUnavailable",
}
