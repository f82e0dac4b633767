"""Transfer's error document: ``{"code", "message", "request_id", "resource"}``.

``resource`` is the request path below the service's prefix, which the platform keeps for
each request in ``kit.errors.request_path`` (the formatter only receives the error).
"""

from __future__ import annotations

import typing as t

from fastapi import Request

from globus_local.kit.errors import ServiceError, request_path

SERVICE_PREFIX = "/transfer"

# The platform's generic codes, spelled as Transfer spells them. ("NotFound" stays as it
# is: Transfer itself answers a missing stat path with plain ``NotFound``.)
_GENERIC_CODES = {
    "BadRequest": "ClientError.BadRequest",
    "AuthenticationFailed": "ClientError.AuthenticationFailed",
    "Forbidden": "ClientError.Forbidden",
    "MethodNotAllowed": "ClientError.MethodNotAllowed",
    "Conflict": "ClientError.Conflict",
    "RequestTooLarge": "ClientError.RequestTooLarge",
    "UnsupportedMediaType": "ClientError.UnsupportedMediaType",
    "TooManyRequests": "ClientError.TooManyRequests",
}


def resource_path(request: Request) -> str:
    """The request path as Transfer reports it (``/v0.10/...``, without the service prefix)."""
    path: str = request.scope["path"]
    if path.startswith(SERVICE_PREFIX + "/"):
        path = path[len(SERVICE_PREFIX) :]
    return path


def format_error(err: ServiceError, request_id: str) -> dict[str, t.Any]:
    # Generic codes arrive for errors raised outside Transfer's routes (bad tokens,
    # unknown routes); Transfer's own codes pass through unchanged.
    doc: dict[str, t.Any] = {
        "code": _GENERIC_CODES.get(err.code, err.code),
        "message": err.message,
        "request_id": request_id,
        "resource": err.extra.get("resource") or request_path.get(),
    }
    doc.update({k: v for k, v in err.extra.items() if k != "resource"})
    return doc
