"""Hand-rolled checks for request bodies, so every bad input gets a precise 400."""

from __future__ import annotations

import typing as t

from globus_local.kit.errors import BadRequest

_MISSING: t.Any = object()


def expect_object(body: t.Any, what: str = "The request body") -> dict[str, t.Any]:
    if not isinstance(body, dict):
        raise BadRequest(f"{what} must be a JSON object")
    return body


def get_str(
    body: dict[str, t.Any], key: str, *, required: bool = False, nullable: bool = True
) -> t.Any:
    """The string at ``key``; ``_MISSING`` when absent and not required."""
    if key not in body:
        if required:
            raise BadRequest(f"{key} is required")
        return _MISSING
    value = body[key]
    if value is None and nullable and not required:
        return None
    return storable_str(value, key)


def storable_str(value: t.Any, key: str) -> str:
    """``value`` as text a row can hold: a string without NUL, which PostgreSQL refuses."""
    if not isinstance(value, str):
        raise BadRequest(f"{key} must be a string")
    if "\x00" in value:
        raise BadRequest(f"{key} must not contain the NUL character")
    return value


def get_bool(body: dict[str, t.Any], key: str, *, required: bool = False) -> t.Any:
    if key not in body or body[key] is None:
        if required:
            raise BadRequest(f"{key} is required")
        return _MISSING
    value = body[key]
    if not isinstance(value, bool):
        raise BadRequest(f"{key} must be a boolean")
    return value


def get_choice(
    body: dict[str, t.Any], key: str, choices: t.Sequence[str], *, required: bool = False
) -> t.Any:
    if key not in body or body[key] is None:
        if required:
            raise BadRequest(f"{key} is required")
        return _MISSING
    value = body[key]
    if value not in choices:
        raise BadRequest(f"{key} must be one of {', '.join(choices)}, got {value!r}")
    return value


def present(value: t.Any) -> bool:
    return value is not _MISSING
