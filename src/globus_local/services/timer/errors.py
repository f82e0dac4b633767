"""Timers' error documents: ``{"error": {"code", "detail", "status"}}`` for most errors,
and the validation shape ``{"detail": [{"loc", "msg", "type"}]}`` for a 422, both of
which the SDK's ``TimersAPIError`` reads."""

from __future__ import annotations

import typing as t

from globus_local.kit.errors import ServiceError, Unprocessable

# The platform's generic codes, spelled as Timers spells its own.
_GENERIC_CODES = {
    "BadRequest": "BAD_REQUEST",
    "AuthenticationFailed": "UNAUTHORIZED",
    "ConsentRequired": "ConsentRequired",
    "Forbidden": "FORBIDDEN",
    "NotFound": "NOT_FOUND",
    "MethodNotAllowed": "METHOD_NOT_ALLOWED",
    "Conflict": "CONFLICT",
    "RequestTooLarge": "REQUEST_TOO_LARGE",
    "UnprocessableEntity": "UNPROCESSABLE_ENTITY",
    "UnsupportedMediaType": "UNSUPPORTED_MEDIA_TYPE",
    "TooManyRequests": "TOO_MANY_REQUESTS",
    "InternalServerError": "ERROR",
    "ServiceUnavailable": "SERVICE_UNAVAILABLE",
}


def format_error(err: ServiceError, request_id: str) -> dict[str, t.Any]:
    extra = dict(err.extra)
    detail = extra.pop("detail", None)
    if isinstance(detail, list):
        return {"detail": detail}
    error: dict[str, t.Any] = {
        "code": _GENERIC_CODES.get(err.code, err.code),
        "detail": detail if isinstance(detail, str) else err.message,
        "status": err.http_status,
    }
    error.update(extra)
    return {"error": error, "request_id": request_id}


def invalid(message: str, loc: list[str | int]) -> ServiceError:
    """A 422 naming the field at fault, as Timers' validation reports it."""
    return Unprocessable(message, detail=[{"loc": loc, "msg": message, "type": "value_error"}])
