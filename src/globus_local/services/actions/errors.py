"""The Action Provider error document: ``{"code", "description"}`` with the codes the
Action Provider tools answer with, so clients written for Globus providers read ours."""

from __future__ import annotations

import typing as t

from globus_local.kit.errors import BadRequest, Conflict, NotFound, ServiceError

# The platform's generic codes, spelled as action providers spell theirs.
_GENERIC_CODES = {
    "BadRequest": "BadActionRequest",
    "AuthenticationFailed": "UnauthorizedRequest",
    "ConsentRequired": "UnauthorizedRequest",
    "Forbidden": "ForbiddenRequest",
    "NotFound": "ActionNotFound",
    "MethodNotAllowed": "MethodNotAllowed",
    "Conflict": "ActionConflict",
    "RequestTooLarge": "RequestTooLarge",
    "UnprocessableEntity": "BadActionRequest",
    "InternalServerError": "ActionProviderError",
    "ServiceUnavailable": "ActionProviderError",
}


def format_error(err: ServiceError, request_id: str) -> dict[str, t.Any]:
    """``{"code", "description"}``, plus extras (``required_scopes``) and the request id."""
    doc: dict[str, t.Any] = {
        "code": _GENERIC_CODES.get(err.code, err.code),
        "description": err.message,
        "request_id": request_id,
    }
    doc.update(err.extra)
    return doc


def validation_error(message: str) -> ServiceError:
    """An ActionRequest (or its body) that breaks the provider's schema."""
    return BadRequest(message, code="RequestValidationError")


def bad_request(message: str) -> ServiceError:
    return BadRequest(message, code="BadActionRequest")


def action_not_found(action_id: str) -> ServiceError:
    return NotFound(f"No Action with id {action_id}", code="ActionNotFound")


def action_conflict(message: str) -> ServiceError:
    return Conflict(message, code="ActionConflict")
