"""Auth's error document, shared by the OAuth endpoints and the REST API.

Globus Auth answers with an ``errors`` list (``status``, ``code``, ``detail``, ``id``, ``title``)
and, on OAuth endpoints, the RFC 6749 ``error``/``error_description`` pair. One document carrying
both satisfies every reader: the SDK's AuthAPIError parses ``errors[0]``, OAuth libraries read
``error``.

Status codes used for OAuth errors (consistently): ``invalid_client`` 401, ``invalid_grant`` 401
(as Globus and the SDK's recorded fixture do), ``unsupported_grant_type``, ``invalid_scope``,
``invalid_request`` and ``unauthorized_client`` 400.
"""

from __future__ import annotations

import http
import re
import typing as t

from globus_local.kit.errors import ServiceError

# Generic platform codes (raised before a route's own logic) → Auth's upper-case codes.
_GENERIC_CODES = {
    "BadRequest": "BAD_REQUEST",
    "AuthenticationFailed": "UNAUTHORIZED",
    "Forbidden": "FORBIDDEN",
    "NotFound": "NOT_FOUND",
    "MethodNotAllowed": "METHOD_NOT_ALLOWED",
    "Conflict": "CONFLICT",
    "InternalServerError": "INTERNAL_SERVER_ERROR",
}
# Default OAuth ``error`` for a code when the raiser gave none.
_OAUTH_ERRORS = {
    "BAD_REQUEST": "invalid_request",
    "UNAUTHORIZED": "unauthorized",
    "FORBIDDEN": "forbidden",
    "NOT_FOUND": "not_found",
}
# Codes whose spelling the SDK depends on (``err.info.consent_required``).
_KEEP = {"ConsentRequired"}

OAUTH_STATUS = {
    "invalid_client": 401,
    "invalid_grant": 401,
    "unauthorized_client": 400,
    "unsupported_grant_type": 400,
    "invalid_scope": 400,
    "invalid_request": 400,
}


def oauth_error(error: str, description: str) -> ServiceError:
    """An RFC 6749 error with Globus's status for it."""
    return ServiceError(OAUTH_STATUS.get(error, 400), error.upper(), description, error=error)


def api_error(status: int, code: str, detail: str, **extra: t.Any) -> ServiceError:
    return ServiceError(status, code, detail, **extra)


def _upper_code(code: str) -> str:
    if code in _KEEP or code.isupper():
        return code
    if code in _GENERIC_CODES:
        return _GENERIC_CODES[code]
    return re.sub(r"(?<!^)(?=[A-Z])", "_", code).upper()


def _title(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def format_error(err: ServiceError, request_id: str) -> dict[str, t.Any]:
    extra = dict(err.extra)
    code = _upper_code(err.code)
    error = extra.pop("error", None) or _OAUTH_ERRORS.get(code) or code.lower()
    doc: dict[str, t.Any] = {
        "errors": [
            {
                "status": str(err.http_status),
                "code": code,
                "detail": err.message,
                "id": request_id,
                "title": _title(err.http_status),
            }
        ],
        "error": error,
        "error_description": err.message,
        "request_id": request_id,
    }
    for key, value in extra.items():
        if not key.startswith("_"):
            doc.setdefault(key, value)
            doc["errors"][0].setdefault(key, value)
    return doc
