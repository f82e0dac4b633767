"""JSONPath into a run's state document: read any path, write definite ones.

A flow names places in its state as JSONPath (`$.Foo.Bar`, `$.items[0]`). Reading follows
jsonpath-ng; a path that can match only one place gives that value, any other path gives the
list of its matches. Writing (ResultPath) takes only definite paths and returns a new
document, so a failed step never leaves a half-written state behind. `$._context` is the
run's context, supplied by the caller and never written.
"""

from __future__ import annotations

import copy
from functools import lru_cache
from typing import Any

from jsonpath_ng import jsonpath
from jsonpath_ng import parse as _jsonpath_parse

CONTEXT_KEY = "_context"
MAX_PATH_LENGTH = 1024


class PathError(ValueError):
    """A JSONPath could not be used."""


class InvalidPath(PathError):
    """The text is not a JSONPath this language accepts."""


class PathNotFound(PathError):
    """The path selects nothing in the document."""


class ReadOnlyPath(PathError):
    """The path points into the read-only run context."""


def is_path(value: object) -> bool:
    """Whether `value` is a JSONPath string (starts with `$` and parses)."""
    if not isinstance(value, str) or not value.startswith("$"):
        return False
    try:
        _parse(value)
    except InvalidPath:
        return False
    return True


def check_path(path: object) -> None:
    """Raise InvalidPath unless `path` is a JSONPath string."""
    if not isinstance(path, str):
        raise InvalidPath(f"a path must be a string, not {type(path).__name__}")
    _parse(path)


def check_writable(path: object) -> None:
    """Raise PathError unless `path` names one place that may be written (a ResultPath)."""
    check_path(path)
    assert isinstance(path, str)
    steps = _steps(path)
    if steps and steps[0] == CONTEXT_KEY:
        raise ReadOnlyPath(f"'{path}' points into the read-only run context")


def get_path(document: Any, path: str, context: dict[str, Any] | None = None) -> Any:
    """The value at `path` in `document`; `$._context` reads `context` when given."""
    expr = _parse(path)
    if context is not None and isinstance(document, dict) and _reads_context(expr):
        document = {**document, CONTEXT_KEY: context}
    try:
        matches = [match.value for match in expr.find(document)]
    except Exception as exc:  # jsonpath-ng raises bare errors on odd shapes
        raise PathNotFound(f"'{path}' cannot be followed: {exc}") from exc
    if _is_definite(expr):
        if not matches:
            raise PathNotFound(f"'{path}' is not present")
        return matches[0]
    return matches


def has_path(document: Any, path: str, context: dict[str, Any] | None = None) -> bool:
    """Whether `path` selects something in `document`."""
    try:
        value = get_path(document, path, context)
    except PathNotFound:
        return False
    return _is_definite(_parse(path)) or bool(value)


def set_path(document: Any, path: str, value: Any) -> dict[str, Any]:
    """A new document with `value` written at `path`; `$` replaces the whole document.

    Missing objects along the way are created; list items must already exist.
    """
    check_writable(path)
    steps = _steps(path)
    if not steps:
        if not isinstance(value, dict):
            raise PathError(
                f"writing at '$' needs an object, not {type(value).__name__}; "
                "give a ResultPath such as '$.result'"
            )
        if CONTEXT_KEY in value:
            raise ReadOnlyPath(f"the state may not have its own '{CONTEXT_KEY}'")
        return value
    if not isinstance(document, dict):
        raise PathError("the state document is not an object")
    root: dict[str, Any] = copy.copy(document)
    parent: Any = root
    for index, step in enumerate(steps):
        last = index == len(steps) - 1
        if isinstance(step, str):
            if not isinstance(parent, dict):
                raise PathError(f"'{path}': cannot set '{step}' inside a {_kind(parent)}")
            if last:
                parent[step] = value
                break
            child = parent.get(step)
            child = {} if child is None else copy.copy(child)
            parent[step] = child
        else:
            if not isinstance(parent, list):
                raise PathError(f"'{path}': cannot index [{step}] into a {_kind(parent)}")
            if not -len(parent) <= step < len(parent):
                raise PathError(f"'{path}': index [{step}] is outside the list")
            if last:
                parent[step] = value
                break
            child = copy.copy(parent[step])
            parent[step] = child
        parent = child
    return root


def _steps(path: str) -> list[str | int]:
    """The field names and indexes of a definite path, root first; InvalidPath otherwise."""
    expr = _parse(path)
    steps: list[str | int] = []
    if not _collect(expr, steps):
        raise InvalidPath(f"'{path}' must name one place (fields and indexes only)")
    return steps


def _collect(expr: Any, steps: list[str | int]) -> bool:
    if isinstance(expr, jsonpath.Root):
        return True
    if isinstance(expr, jsonpath.Child):
        return _collect(expr.left, steps) and _collect(expr.right, steps)
    if isinstance(expr, jsonpath.Fields) and len(expr.fields) == 1 and expr.fields[0] != "*":
        steps.append(expr.fields[0])
        return True
    if isinstance(expr, jsonpath.Index) and len(expr.indices) == 1:
        steps.append(expr.indices[0])
        return True
    return False


def _reads_context(expr: Any) -> bool:
    """Whether the path's first step is the `_context` field."""
    while isinstance(expr, (jsonpath.Child, jsonpath.Descendants, jsonpath.Where)):
        if isinstance(expr.left, jsonpath.Root):
            return isinstance(expr.right, jsonpath.Fields) and CONTEXT_KEY in expr.right.fields
        expr = expr.left
    return False


def _is_definite(expr: Any) -> bool:
    return _collect(expr, [])


def _kind(value: Any) -> str:
    return "list" if isinstance(value, list) else type(value).__name__


def _parse(path: object) -> Any:
    if not isinstance(path, str):
        raise InvalidPath(f"a path must be a string, not {type(path).__name__}")
    return _parse_text(path)


@lru_cache(maxsize=1024)
def _parse_text(path: str) -> Any:
    if not path.startswith("$"):
        raise InvalidPath(f"'{path}' must start with '$'")
    if len(path) > MAX_PATH_LENGTH:
        raise InvalidPath(f"a path may be at most {MAX_PATH_LENGTH} characters")
    try:
        expr = _jsonpath_parse(path)
    except Exception as exc:  # the jsonpath-ng lexer and parser raise plain Exception
        raise InvalidPath(f"'{path}' is not a valid JSONPath: {exc}") from exc
    if not _starts_at_root(expr):
        raise InvalidPath(f"'{path}' must start at the root '$'")
    return expr


def _starts_at_root(expr: Any) -> bool:
    while isinstance(expr, (jsonpath.Child, jsonpath.Descendants, jsonpath.Where)):
        expr = expr.left
    return isinstance(expr, jsonpath.Root)
