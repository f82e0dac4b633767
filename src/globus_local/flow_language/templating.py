"""Parameters templates: build a state's input from the run's state, and keep secrets out of view.

A template is JSON whose object keys may end in `.$` (the value is a JSONPath into the state)
or `.=` (the value is an expression); the suffix is dropped in the result. Objects and lists
nest. `__Private_Parameters`, at any level, lists the names at that level to hide from
non-administrators' view of the flow and from a run's status and log.
"""

from __future__ import annotations

from typing import Any

from globus_local.flow_language import expressions, paths

PRIVATE_KEY = "__Private_Parameters"
PRIVATE_PREFIX = "_private"
PATH_SUFFIX = ".$"
EXPRESSION_SUFFIX = ".="


class TemplateError(ValueError):
    """A template could not be filled in from the state."""


def base_name(key: str) -> str:
    """A template key without its `.$` or `.=` suffix."""
    if key.endswith((PATH_SUFFIX, EXPRESSION_SUFFIX)):
        return key[:-2]
    return key


def render(parameters: Any, document: Any, context: dict[str, Any] | None = None) -> Any:
    """The value of the template `parameters` against the state `document` and run `context`."""
    if isinstance(parameters, list):
        return [render(item, document, context) for item in parameters]
    if not isinstance(parameters, dict):
        return parameters
    result: dict[str, Any] = {}
    for key, value in parameters.items():
        if key == PRIVATE_KEY:
            continue
        if key.endswith(PATH_SUFFIX):
            result[key[:-2]] = _resolve(value, document, context)
        elif key.endswith(EXPRESSION_SUFFIX):
            result[key[:-2]] = _compute(value, document, context)
        else:
            result[key] = render(value, document, context)
    return result


def private_names(parameters: Any) -> set[str]:
    """Every name listed in a `__Private_Parameters` anywhere in `parameters`, suffix dropped."""
    names: set[str] = set()
    stack = [parameters]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            listed = item.get(PRIVATE_KEY)
            if isinstance(listed, list):
                names.update(base_name(name) for name in listed if isinstance(name, str))
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return names


def strip_private(definition: Any) -> Any:
    """A copy of a flow definition with each state's private parameters removed."""
    if not isinstance(definition, dict) or not isinstance(definition.get("States"), dict):
        return definition
    states = {}
    for name, state in definition["States"].items():
        if isinstance(state, dict) and "Parameters" in state:
            state = {**state, "Parameters": _strip_listed(state["Parameters"])}
        states[name] = state
    return {**definition, "States": states}


MAX_SHOWN_DEPTH = 64
TOO_DEEP = "[nested too deeply to show]"


def hide_private(
    values: Any, names: set[str] | frozenset[str] = frozenset(), depth: int = 0
) -> Any:
    """A copy of `values` without the keys named in `names` or starting `_private`, at any depth.

    What lies deeper than MAX_SHOWN_DEPTH is replaced by a note rather than searched.
    """
    if isinstance(values, (list, dict)) and depth >= MAX_SHOWN_DEPTH:
        return TOO_DEEP
    if isinstance(values, list):
        return [hide_private(item, names, depth + 1) for item in values]
    if not isinstance(values, dict):
        return values
    return {
        key: hide_private(value, names, depth + 1)
        for key, value in values.items()
        if not (
            isinstance(key, str) and (base_name(key) in names or key.startswith(PRIVATE_PREFIX))
        )
    }


def _strip_listed(parameters: Any) -> Any:
    if isinstance(parameters, list):
        return [_strip_listed(item) for item in parameters]
    if not isinstance(parameters, dict):
        return parameters
    listed = parameters.get(PRIVATE_KEY)
    hidden = (
        {base_name(name) for name in listed if isinstance(name, str)}
        if isinstance(listed, list)
        else set()
    )
    return {
        key: value if key == PRIVATE_KEY else _strip_listed(value)
        for key, value in parameters.items()
        if key == PRIVATE_KEY or base_name(key) not in hidden
    }


def _resolve(path: Any, document: Any, context: dict[str, Any] | None) -> Any:
    try:
        return paths.get_path(document, path, context)
    except paths.PathError as exc:
        raise TemplateError(str(exc)) from exc


def _compute(expression: Any, document: Any, context: dict[str, Any] | None) -> Any:
    names = dict(document) if isinstance(document, dict) else {}
    if context is not None:
        names[paths.CONTEXT_KEY] = context
    try:
        return expressions.evaluate(expression, names)
    except expressions.ExpressionError as exc:
        raise TemplateError(f"the expression '{expression}' failed: {exc}") from exc
