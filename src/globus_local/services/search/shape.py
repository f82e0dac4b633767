"""Checking untrusted JSON before it is stored: nesting, numbers and strings, without recursion.

A stored entry is parsed, flattened and serialized again on every read, so anything one of
those steps cannot do (nest past a serializer's depth, hold NaN or a number no float can
hold, a NUL that PostgreSQL text refuses) is refused here, at ingest, with a 400.
"""

from __future__ import annotations

import math
import typing as t

from globus_local.kit.errors import ServiceError
from globus_local.services.search.errors import validation_error
from globus_local.services.search.text import escape_key

# Where a value sits, as (parent crumb, key or index): the path text is built only for an error.
Crumb = tuple["Crumb | None", str | int]


def render_path(root: str, crumb: Crumb | None) -> str:
    """``root.key.0.sub`` (keys escaped as field paths are) for an error message; an empty
    ``root`` names paths from the top of the document (``filters.0.values``)."""
    parts: list[str] = []
    while crumb is not None:
        crumb, part = crumb
        parts.append(escape_key(part) if isinstance(part, str) else str(part))
    return ".".join([root, *reversed(parts)] if root else reversed(parts)) or "(document)"


def scalar_problem(value: t.Any) -> str | None:
    """Why Search could not store or serve back this scalar, or None: NaN, ±inf, a number
    beyond a float's range, a string holding NUL."""
    if isinstance(value, str):
        return "Strings must not contain the NUL character." if "\x00" in value else None
    if isinstance(value, float) and not math.isfinite(value):
        return "Not a valid number (NaN and Infinity are not JSON)."
    if isinstance(value, int) and not isinstance(value, bool):
        try:
            float(value)
        except OverflowError:
            return "Number out of range."
    return None


def check_scalar(value: t.Any, path: str) -> None:
    """400 naming ``path`` for a scalar Search could not store (a subject, id or principal
    holding NUL, which PostgreSQL text refuses); None passes."""
    problem = scalar_problem(value)
    if problem is not None:
        raise validation_error(problem, path)


def check_json(value: t.Any, root: str, *, max_objects: int, max_containers: int) -> None:
    """Walk ``value`` with an explicit stack; 400 naming the first offending path.

    ``max_objects`` bounds nested objects, ``max_containers`` objects and lists together.
    """
    stack: list[tuple[t.Any, Crumb | None, int, int]] = [(value, None, 0, 0)]
    while stack:
        item, crumb, objects, containers = stack.pop()
        if isinstance(item, (dict, list)):
            objects += isinstance(item, dict)
            containers += 1
            if objects > max_objects or containers > max_containers:
                raise _too_deep(render_path(root, crumb), max_objects, max_containers)
            if isinstance(item, dict):
                for key, sub in item.items():
                    if "\x00" in key:
                        raise validation_error(
                            "Keys must not contain the NUL character.", render_path(root, crumb)
                        )
                    stack.append((sub, (crumb, key), objects, containers))
            else:
                stack.extend((sub, (crumb, i), objects, containers) for i, sub in enumerate(item))
        else:
            problem = scalar_problem(item)
            if problem is not None:
                raise validation_error(problem, render_path(root, crumb))


def _too_deep(path: str, max_objects: int, max_containers: int) -> ServiceError:
    return validation_error(
        f"Document too deeply nested: at most {max_objects} levels of objects and "
        f"{max_containers} of objects and lists together.",
        path,
    )
