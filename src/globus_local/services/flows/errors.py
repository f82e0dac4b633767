"""Flows' error document, ``{"error": {"code", "detail"}, "debug_id"}``, and its own codes."""

from __future__ import annotations

import typing as t

from globus_local.kit.errors import Conflict, Forbidden, ServiceError, Unprocessable

# The platform's generic codes, spelled as Flows spells its own.
_GENERIC_CODES = {
    "BadRequest": "BAD_REQUEST",
    "AuthenticationFailed": "UNAUTHORIZED",
    "ConsentRequired": "MISSING_SCOPE",
    "Forbidden": "FORBIDDEN",
    "NotFound": "NOT_FOUND",
    "MethodNotAllowed": "METHOD_NOT_ALLOWED",
    "Conflict": "CONFLICT",
    "RequestTooLarge": "REQUEST_TOO_LARGE",
    "UnprocessableEntity": "UNPROCESSABLE_ENTITY",
    "UnsupportedMediaType": "UNSUPPORTED_MEDIA_TYPE",
    "TooManyRequests": "TOO_MANY_REQUESTS",
    "InternalServerError": "INTERNAL_ERROR",
    "ServiceUnavailable": "SERVICE_UNAVAILABLE",
}


def format_error(err: ServiceError, request_id: str) -> dict[str, t.Any]:
    """The error under ``error`` (its code, detail and any extras) and the request id as
    ``debug_id``, where the SDK's ``FlowsAPIError`` reads them."""
    error: dict[str, t.Any] = {"code": _GENERIC_CODES.get(err.code, err.code)}
    extra = dict(err.extra)
    error["detail"] = extra.pop("detail", err.message)
    if not isinstance(error["detail"], str):
        error["message"] = err.message
    error.update(extra)
    return {"error": error, "debug_id": request_id}


def missing_scope(scope: str) -> ServiceError:
    """The caller's token lacks the scope this needs (a run's flow scope, most often)."""
    return Forbidden(
        f"Missing required scope: {scope}", code="MISSING_SCOPE", required_scopes=[scope]
    )


def state_conflict(message: str) -> ServiceError:
    return Conflict(message, code="STATE_CONFLICT")


def unprocessable(message: str, loc: list[str | int]) -> ServiceError:
    """A 422 whose detail is a list of ``{loc, msg, type}``, as Flows reports a definition
    or schema it refuses."""
    return Unprocessable(message, detail=[{"loc": loc, "msg": message, "type": "value_error"}])
