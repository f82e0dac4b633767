"""One error mechanism for every service.

Logic raises a :class:`ServiceError` (most often one of the named classes below, whose
generic codes each service's formatter spells its own way: Transfer's
``ClientError.BadRequest``, Groups' ``BAD_REQUEST``); the app turns it, and validation
failures, unknown routes and unexpected exceptions, into the error document of the service
that owns the path, always with a ``request_id`` and never with a traceback.
"""

from __future__ import annotations

import typing as t
from contextvars import ContextVar

# The request's path below its service's prefix (``/v0.10/task/...``), set by the platform
# before the service's routes run: for error documents that name it (Transfer's
# ``resource``). None outside a service's request.
request_path: ContextVar[str | None] = ContextVar("request_path", default=None)


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


class _NamedError(ServiceError):
    """A :class:`ServiceError` whose status and generic code come from its class; ``code``
    overrides the code where a service has a more precise one of its own."""

    status: t.ClassVar[int] = 500
    generic_code: t.ClassVar[str] = "InternalServerError"

    def __init__(self, message: str, *, code: str | None = None, **extra: t.Any) -> None:
        super().__init__(self.status, code or self.generic_code, message, **extra)


class BadRequest(_NamedError):
    status = 400
    generic_code = "BadRequest"


class AuthenticationFailed(_NamedError):
    status = 401
    generic_code = "AuthenticationFailed"


class Forbidden(_NamedError):
    status = 403
    generic_code = "Forbidden"


class NotFound(_NamedError):
    status = 404
    generic_code = "NotFound"


class Conflict(_NamedError):
    status = 409
    generic_code = "Conflict"


class RequestTooLarge(_NamedError):
    status = 413
    generic_code = "RequestTooLarge"


class Unprocessable(_NamedError):
    status = 422
    generic_code = "UnprocessableEntity"


class ServiceUnavailable(_NamedError):
    status = 503
    generic_code = "ServiceUnavailable"


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
    422: "BadRequest",  # FastAPI's request validation: a bad request to every Globus service
    429: "TooManyRequests",
    500: "InternalServerError",
    503: "ServiceUnavailable",
}
