"""Search's error document (GError) and the errors Search routes raise."""

from __future__ import annotations

import typing as t

from globus_local.kit.errors import BadRequest, Forbidden, NotFound, ServiceError
from globus_local.kit.params import InvalidValue

# The app's generic codes (validation, unknown route...) in Search's dotted style.
_GENERIC = {
    "BadRequest": "BadRequest.ValidationError",
    "NotFound": "NotFound.Generic",
    "Forbidden": "Forbidden.Generic",
    "MethodNotAllowed": "MethodNotAllowed",
    "RequestTooLarge": "RequestTooLarge",
    "InternalServerError": "InternalError",
}


def format_error(err: ServiceError, request_id: str) -> dict[str, t.Any]:
    """``{"@datatype": "GError", code, message, request_id, status, error_data, ...}``."""
    extra = dict(err.extra)
    error_data = extra.pop("error_data", None)
    if error_data is None and isinstance(err, InvalidValue):
        error_data = field_detail(err.field, err.message)
    doc: dict[str, t.Any] = {
        "@datatype": "GError",
        "@version": "2017-09-01",
        "code": _GENERIC.get(err.code, err.code),
        "message": err.message,
        "request_id": request_id,
        "status": err.http_status,
    }
    if error_data is not None:
        doc["error_data"] = error_data
    # e.g. ConsentRequired's required_scopes: kept top-level where the SDK looks for them
    doc.update(extra)
    return doc


def field_detail(field_path: str, message: str) -> dict[str, t.Any]:
    """The marshmallow-style ``error_data`` naming the field a message is about."""
    return {"messages": {"json": {field_path: [message]}}}


def validation_error(message: str, field_path: str | None = None) -> ServiceError:
    """400 ``BadRequest.ValidationError``; with ``field_path`` the marshmallow-style detail."""
    error_data = None if field_path is None else field_detail(field_path, message)
    return BadRequest(message, code="BadRequest.ValidationError", error_data=error_data)


def no_such_index(index_id: str) -> ServiceError:
    return NotFound(f'There is no search index named "{index_id}"', code="NotFound.NoSuchIndex")


def not_found(message: str) -> ServiceError:
    return NotFound(message, code="NotFound.Generic")


def forbidden(message: str) -> ServiceError:
    return Forbidden(message, code="Forbidden.Generic")
