"""The ActionRequest a client posts to start an action: checked against the interface's
own schema, its ``body`` against the provider's ``input_schema`` (with the jsonschema
library), its times and principals read, and fingerprinted so a repeated ``request_id``
can be told from a reused one."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import typing as t
from dataclasses import dataclass

import jsonschema
from jsonschema.exceptions import ValidationError, best_match

from globus_local.kit.errors import ServiceError
from globus_local.kit.params import parse_datetime
from globus_local.services.actions.access import valid_principal
from globus_local.services.actions.durations import parse_duration
from globus_local.services.actions.errors import bad_request, validation_error

# The longest an action may be given to run, and how long an ended one is kept by default.
MAXIMUM_DEADLINE = "P30D"
MAXIMUM_DEADLINE_SECONDS = 30 * 86400
DEFAULT_RELEASE_AFTER = 30 * 86400
MAX_RELEASE_AFTER = 365 * 86400
MAX_MESSAGE = 400

# Clients send null for what they leave out, so every optional field takes it.
_STRINGS = {"type": ["array", "null"], "items": {"type": "string"}}
REQUEST_SCHEMA: dict[str, t.Any] = {
    "type": "object",
    "properties": {
        "request_id": {"type": "string", "minLength": 1, "maxLength": 256},
        "body": {"type": "object"},
        "label": {"type": ["string", "null"], "minLength": 1, "maxLength": 64},
        "monitor_by": _STRINGS,
        "manage_by": _STRINGS,
        "allowed_clients": _STRINGS,
        "deadline": {"type": ["string", "null"]},
        "release_after": {"type": ["string", "integer", "null"], "minimum": 0},
        "tags": _STRINGS,
    },
    "required": ["request_id", "body"],
    "additionalProperties": False,
}


@dataclass(frozen=True)
class ActionRequest:
    request_id: str
    body: dict[str, t.Any]
    label: str | None
    monitor_by: list[str]
    manage_by: list[str]
    deadline: dt.datetime | None
    release_after: int
    fingerprint: str


def _where(error: ValidationError, root: str) -> str:
    steps = [root, *(str(step) for step in error.absolute_path)]
    return ".".join(s for s in steps if s)


def _problem(schema: dict[str, t.Any], document: t.Any, root: str) -> str | None:
    """The most telling way ``document`` breaks ``schema``, naming the field; None if valid."""
    validator_class = jsonschema.validators.validator_for(
        schema, default=jsonschema.Draft7Validator
    )
    error = best_match(validator_class(schema).iter_errors(document))
    if error is None:
        return None
    message = error.message
    if len(message) > MAX_MESSAGE:
        message = message[:MAX_MESSAGE] + "..."
    where = _where(error, root)
    return f"Field '{where}': {message}" if where else message


def check_input_schema(schema: dict[str, t.Any]) -> None:
    """A provider's input schema must itself be a valid JSON Schema."""
    validator_class = jsonschema.validators.validator_for(
        schema, default=jsonschema.Draft7Validator
    )
    validator_class.check_schema(schema)


def _principals(values: list[str], field: str, default: list[str]) -> list[str]:
    for value in values:
        if not valid_principal(value):
            raise validation_error(f"Field '{field}': {value!r} is not a principal URN")
    return list(dict.fromkeys(values)) or default


def _deadline(value: str | None, now: dt.datetime) -> dt.datetime | None:
    if value is None:
        return None
    try:
        deadline = parse_datetime(value, "deadline")
    except ServiceError as err:
        raise validation_error(f"Field 'deadline': {err.message}") from None
    if deadline > now + dt.timedelta(seconds=MAXIMUM_DEADLINE_SECONDS):
        raise validation_error(
            f"Field 'deadline': later than the provider's maximum_deadline {MAXIMUM_DEADLINE}"
        )
    return deadline


def _release_after(value: str | int | None) -> int:
    """Seconds: an ISO-8601 duration, or a number of seconds."""
    if value is None:
        return DEFAULT_RELEASE_AFTER
    seconds = value if isinstance(value, int) else parse_duration(value)
    if seconds is None:
        raise validation_error(f"Field 'release_after': {value!r} is not an ISO-8601 duration")
    return min(seconds, MAX_RELEASE_AFTER)


def fingerprint(document: dict[str, t.Any]) -> str:
    raw = json.dumps(document, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(raw.encode()).hexdigest()


def parse_request(
    raw: t.Any, input_schema: dict[str, t.Any], creator_urn: str, now: dt.datetime
) -> ActionRequest:
    """Read and check an ActionRequest; 400 ``RequestValidationError`` naming the field."""
    if not isinstance(raw, dict):
        raise bad_request("The request body must be a JSON object (an ActionRequest)")
    problem = _problem(REQUEST_SCHEMA, raw, "")
    if problem is not None:
        raise validation_error(problem)
    problem = _problem(input_schema, raw["body"], "body")
    if problem is not None:
        raise validation_error(problem)
    return ActionRequest(
        request_id=raw["request_id"],
        body=raw["body"],
        label=raw.get("label"),
        monitor_by=_principals(raw.get("monitor_by") or [], "monitor_by", [creator_urn]),
        manage_by=_principals(raw.get("manage_by") or [], "manage_by", [creator_urn]),
        deadline=_deadline(raw.get("deadline"), now),
        release_after=_release_after(raw.get("release_after")),
        fingerprint=fingerprint(raw),
    )
