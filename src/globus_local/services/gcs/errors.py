"""The GCS Manager's error document: a ``result#1.0.0`` envelope with GCS's lower-case
codes, a ``message`` and a ``detail`` (a string or a typed document)."""

from __future__ import annotations

import typing as t

from globus_local.kit.errors import Forbidden, ServiceError

RESULT_TYPE = "result#1.0.0"

# The platform's generic codes, spelled as the GCS Manager spells its own.
_GENERIC_CODES = {
    "BadRequest": "bad_request",
    "AuthenticationFailed": "not_authorized",
    "Forbidden": "permission_denied",
    "NotFound": "not_found",
    "MethodNotAllowed": "method_not_allowed",
    "Conflict": "conflict",
    "RequestTooLarge": "request_too_large",
    "UnsupportedMediaType": "unsupported_media_type",
    "UnprocessableEntity": "unprocessable_entity",
    "TooManyRequests": "too_many_requests",
    "InternalServerError": "internal_server_error",
    "ServiceUnavailable": "service_unavailable",
    "ConsentRequired": "not_authorized",
}


def format_error(err: ServiceError, request_id: str) -> dict[str, t.Any]:
    """A failed result: the envelope every GCS answer has, with no data."""
    extra = dict(err.extra)
    return {
        "DATA_TYPE": RESULT_TYPE,
        "code": _GENERIC_CODES.get(err.code, err.code),
        "http_response_code": err.http_status,
        "message": err.message,
        "detail": extra.pop("detail", None),
        "data": [],
        "has_next_page": False,
        "marker": None,
        "request_id": request_id,
    }


def missing_role(message: str, *roles: tuple[str, str | None]) -> Forbidden:
    """403 naming the roles that would have allowed the call (``missing_required_role``)."""
    return Forbidden(
        message,
        detail={
            "DATA_TYPE": "missing_required_role#1.0.0",
            "roles": [{"role": role, **({"collection": c} if c else {})} for role, c in roles],
        },
    )


def invalid_input(message: str, field: str | None = None) -> ServiceError:
    """422 for a document that does not validate (``invalid_input``)."""
    error: dict[str, t.Any] = {"message": message}
    if field is not None:
        error["property"] = field
    return ServiceError(
        422,
        "UnprocessableEntity",
        message,
        detail={"DATA_TYPE": "invalid_input#1.0.0", "errors": [error]},
    )
