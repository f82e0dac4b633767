"""Groups' error document: ``{"code", "detail"}`` with Groups' upper-case codes."""

from __future__ import annotations

import typing as t

from globus_local.kit.errors import ServiceError

# The platform's generic codes, spelled as Groups spells its own.
_GENERIC_CODES = {
    "BadRequest": "BAD_REQUEST",
    "Forbidden": "FORBIDDEN",
    "NotFound": "NOT_FOUND",
    "MethodNotAllowed": "METHOD_NOT_ALLOWED",
    "Conflict": "CONFLICT",
    "RequestTooLarge": "REQUEST_TOO_LARGE",
    "UnsupportedMediaType": "UNSUPPORTED_MEDIA_TYPE",
    "TooManyRequests": "TOO_MANY_REQUESTS",
    "InternalServerError": "INTERNAL_SERVER_ERROR",
}


def format_error(err: ServiceError, request_id: str) -> dict[str, t.Any]:
    """Groups' error document: ``{"code", "detail"}`` plus extras (``required_scopes``,
    ``ambiguous_identities``) and the request id."""
    doc: dict[str, t.Any] = {
        "code": _GENERIC_CODES.get(err.code, err.code),
        "detail": err.message,
        "request_id": request_id,
    }
    doc.update(err.extra)
    return doc
