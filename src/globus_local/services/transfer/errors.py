"""Transfer's error document: ``{"code", "message", "request_id", "resource"}``.

``resource`` is the request path. The formatter only receives the error, so the path is
remembered per request by :func:`remember_resource` (a router dependency) in a context
variable; errors raised before routing (unknown routes) fall back to no resource path.
"""

from __future__ import annotations

import typing as t
from contextvars import ContextVar

from fastapi import Request

from globus_local.kit.errors import ServiceError

SERVICE_PREFIX = "/transfer"

_resource: ContextVar[str | None] = ContextVar("transfer_resource", default=None)

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


async def remember_resource(request: Request) -> None:
    """Router dependency: lets error documents name the request path."""
    _resource.set(resource_path(request))


def format_error(err: ServiceError, request_id: str) -> dict[str, t.Any]:
    # Generic codes arrive for errors raised outside Transfer's routes (bad tokens,
    # unknown routes); Transfer's own codes pass through unchanged.
    doc: dict[str, t.Any] = {
        "code": _GENERIC_CODES.get(err.code, err.code),
        "message": err.message,
        "request_id": request_id,
        "resource": err.extra.get("resource") or _resource.get(),
    }
    doc.update({k: v for k, v in err.extra.items() if k != "resource"})
    return doc
