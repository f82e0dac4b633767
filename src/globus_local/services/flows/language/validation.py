"""Checking a flow definition against the rules of the language, before it is stored or run.

Any JSON value may arrive here; it either passes or raises DefinitionError naming the state
(None for the flow as a whole), the rule and what is wrong, so the interpreter can rely on
every field it reads being present and of the right type.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from globus_local.services.flows.language import choices, expressions, paths, templating
from globus_local.services.flows.language.errors import DefinitionError
from globus_local.services.flows.language.input_schema import check_input_schema, validate_input
from globus_local.services.flows.language.timestamps import parse_timestamp

__all__ = [
    "ActionState",
    "DefinitionError",
    "action_states",
    "check_definition",
    "check_input_schema",
    "validate_input",
]

MAX_DEFINITION_BYTES = 1_000_000
MAX_DEPTH = 64
MAX_STATES = 1000
MAX_NAME_LENGTH = 128
MAX_WAIT_SECONDS = 365 * 24 * 3600
"""A run lasts at most a year, so neither may one wait nor one action's WaitTime."""
DEFAULT_WAIT_TIME = 300

SUPPORTED_TYPES = ("Action", "Pass", "Choice", "Wait", "Fail", "ExpressionEval", "Succeed")
REJECTED_TYPES = ("Task", "Parallel", "Map")
ERROR_NAMES = ("ActionUnableToRun", "ActionFailedException", "ActionTimeout", "States.ALL")

_FIELDS: dict[str, frozenset[str]] = {
    "Action": frozenset(
        {
            "Type",
            "Comment",
            "ActionUrl",
            "ActionScope",
            "Parameters",
            "InputPath",
            "ResultPath",
            "WaitTime",
            "ExceptionOnActionFailure",
            "RunAs",
            "Catch",
            "Next",
            "End",
        }
    ),
    "Pass": frozenset({"Type", "Comment", "Parameters", "InputPath", "ResultPath", "Next", "End"}),
    "ExpressionEval": frozenset({"Type", "Comment", "Parameters", "ResultPath", "Next", "End"}),
    "Choice": frozenset({"Type", "Comment", "Choices", "Default"}),
    "Wait": frozenset(
        {"Type", "Comment", "Seconds", "SecondsPath", "Timestamp", "TimestampPath", "Next", "End"}
    ),
    "Fail": frozenset({"Type", "Comment", "Error", "Cause", "ErrorPath", "CausePath"}),
    "Succeed": frozenset({"Type", "Comment"}),
}
_TRANSITIONAL = ("Action", "Pass", "ExpressionEval", "Wait")
_WAIT_FORMS = ("Seconds", "SecondsPath", "Timestamp", "TimestampPath")


@dataclass(frozen=True)
class ActionState:
    """An Action state as the Flows service needs it to plan scopes and tokens."""

    name: str
    action_url: str
    action_scope: str | None
    run_as: str


def check_definition(definition: Any) -> None:
    """Raise DefinitionError unless `definition` is a flow this language can run."""
    _check_size(definition)
    if not isinstance(definition, dict):
        raise DefinitionError(None, "definition-object", "the definition must be an object")
    unknown = sorted(set(definition) - {"Comment", "StartAt", "States"})
    if unknown:
        raise DefinitionError(
            None, "definition-fields", f"unexpected top-level fields: {', '.join(unknown)}"
        )
    _check_optional_string(None, definition, "Comment")
    states = definition.get("States")
    if not isinstance(states, dict) or not states:
        raise DefinitionError(None, "states", "'States' must be a non-empty object of states")
    if len(states) > MAX_STATES:
        raise DefinitionError(None, "states", f"a flow may have at most {MAX_STATES} states")
    start = definition.get("StartAt")
    if not isinstance(start, str):
        raise DefinitionError(None, "start-at", "'StartAt' must name the first state")
    if start not in states:
        raise DefinitionError(None, "start-at", f"'StartAt' names '{start}', which is not a state")
    for name, state in states.items():
        if not isinstance(name, str) or not name or len(name) > MAX_NAME_LENGTH:
            raise DefinitionError(
                name, "state-name", f"state names must be 1 to {MAX_NAME_LENGTH} characters"
            )
        _check_state(name, state, states)
    _check_reachable(start, states)


def action_states(definition: dict[str, Any]) -> list[ActionState]:
    """The Action states of a checked definition, in definition order."""
    return [
        ActionState(
            name=name,
            action_url=state["ActionUrl"],
            action_scope=state.get("ActionScope"),
            run_as=state.get("RunAs", "User"),
        )
        for name, state in definition["States"].items()
        if state["Type"] == "Action"
    ]


def successors(state: dict[str, Any]) -> list[str]:
    """The names of the states `state` may go to next."""
    names = [state["Next"]] if isinstance(state.get("Next"), str) else []
    for rule in state.get("Choices") or []:
        if isinstance(rule, dict) and isinstance(rule.get("Next"), str):
            names.append(rule["Next"])
    if isinstance(state.get("Default"), str):
        names.append(state["Default"])
    for catcher in state.get("Catch") or []:
        if isinstance(catcher, dict) and isinstance(catcher.get("Next"), str):
            names.append(catcher["Next"])
    return names


def _check_state(name: str, state: Any, states: dict[str, Any]) -> None:
    if not isinstance(state, dict):
        raise DefinitionError(name, "state-object", "a state must be an object")
    kind = state.get("Type")
    if kind in REJECTED_TYPES:
        raise DefinitionError(name, "state-type", f"states of type '{kind}' are not supported")
    if kind not in SUPPORTED_TYPES:
        raise DefinitionError(
            name,
            "state-type",
            f"'Type' must be one of {', '.join(SUPPORTED_TYPES)}, not {json.dumps(kind)}",
        )
    if "OutputPath" in state:
        raise DefinitionError(
            name, "output-path", "'OutputPath' is not allowed; use 'ResultPath' instead"
        )
    unknown = sorted(set(state) - _FIELDS[kind])
    if unknown:
        raise DefinitionError(
            name, "state-fields", f"unexpected fields for a {kind} state: {', '.join(unknown)}"
        )
    _check_optional_string(name, state, "Comment")
    if kind in _TRANSITIONAL:
        _check_transition(name, kind, state, states)
    {
        "Action": _check_action,
        "Pass": _check_pass,
        "ExpressionEval": _check_expression_eval,
        "Choice": _check_choice,
        "Wait": _check_wait,
        "Fail": _check_fail,
        "Succeed": lambda *_: None,
    }[kind](name, state, states)


def _check_transition(name: str, kind: str, state: dict[str, Any], states: dict[str, Any]) -> None:
    end = state.get("End", False)
    if not isinstance(end, bool):
        raise DefinitionError(name, "end", "'End' must be true or false")
    has_next = "Next" in state
    if end == has_next:
        raise DefinitionError(
            name,
            "next-or-end",
            f"A state of type '{kind}' must be defined as either terminal "
            '("End": true) or transitional ("Next": "NextStateId")',
        )
    if has_next:
        _check_target(name, "next", state["Next"], states)


def _check_target(name: str, rule: str, target: Any, states: dict[str, Any]) -> None:
    if not isinstance(target, str) or target not in states:
        raise DefinitionError(
            name, rule, f"the next state {json.dumps(target)} is not a state of this flow"
        )


def _check_action(name: str, state: dict[str, Any], states: dict[str, Any]) -> None:
    url = state.get("ActionUrl")
    if not isinstance(url, str) or not _is_http_url(url):
        raise DefinitionError(name, "action-url", "'ActionUrl' must be an http(s) URL")
    if ("Parameters" in state) == ("InputPath" in state):
        raise DefinitionError(
            name, "action-input", "an Action state needs exactly one of 'Parameters' or 'InputPath'"
        )
    if "Parameters" in state and not isinstance(state["Parameters"], dict):
        raise DefinitionError(name, "parameters", "'Parameters' must be an object")
    _check_input(name, state)
    _check_result_path(name, state)
    _check_optional_string(name, state, "ActionScope")
    run_as = state.get("RunAs", "User")
    if not isinstance(run_as, str) or not run_as or len(run_as) > MAX_NAME_LENGTH:
        raise DefinitionError(
            name, "run-as", "'RunAs' must be 'User', 'Flow' or a role name of 1 to 128 characters"
        )
    wait_time = state.get("WaitTime", DEFAULT_WAIT_TIME)
    if not _is_int(wait_time) or not 1 <= wait_time <= MAX_WAIT_SECONDS:
        raise DefinitionError(
            name,
            "wait-time",
            f"'WaitTime' must be a whole number of seconds, 1 to {MAX_WAIT_SECONDS}",
        )
    if not isinstance(state.get("ExceptionOnActionFailure", True), bool):
        raise DefinitionError(
            name, "exception-on-action-failure", "'ExceptionOnActionFailure' must be true or false"
        )
    _check_catch(name, state.get("Catch", []), states)


def _check_pass(name: str, state: dict[str, Any], states: dict[str, Any]) -> None:
    if "Parameters" in state and not isinstance(state["Parameters"], dict):
        raise DefinitionError(name, "parameters", "'Parameters' must be an object")
    _check_input(name, state)
    _check_result_path(name, state)


def _check_expression_eval(name: str, state: dict[str, Any], states: dict[str, Any]) -> None:
    if not isinstance(state.get("Parameters"), dict):
        raise DefinitionError(
            name, "parameters", "an ExpressionEval state needs 'Parameters' (an object)"
        )
    if "ResultPath" not in state:
        raise DefinitionError(name, "result-path", "an ExpressionEval state needs 'ResultPath'")
    _check_input(name, state)
    _check_result_path(name, state)


def _check_choice(name: str, state: dict[str, Any], states: dict[str, Any]) -> None:
    rules = state.get("Choices")
    if not isinstance(rules, list) or not rules:
        raise DefinitionError(name, "choices", "a Choice state needs a non-empty 'Choices' list")
    for rule in rules:
        choices.check_rule(name, rule, top=True)
        _check_target(name, "choice-next", rule["Next"], states)
    if "Default" in state:
        _check_target(name, "default", state["Default"], states)


def _check_wait(name: str, state: dict[str, Any], states: dict[str, Any]) -> None:
    forms = [form for form in _WAIT_FORMS if form in state]
    if len(forms) != 1:
        raise DefinitionError(
            name, "wait-form", f"a Wait state needs exactly one of {', '.join(_WAIT_FORMS)}"
        )
    form, value = forms[0], state[forms[0]]
    if form == "Seconds" and not (_is_int(value) and 0 <= value <= MAX_WAIT_SECONDS):
        raise DefinitionError(
            name, "wait-seconds", f"'Seconds' must be a whole number from 0 to {MAX_WAIT_SECONDS}"
        )
    if form == "Timestamp" and parse_timestamp(value) is None:
        raise DefinitionError(name, "wait-timestamp", "'Timestamp' must be an RFC 3339 timestamp")
    if form.endswith("Path"):
        _check_path_field(name, state, form)


def _check_fail(name: str, state: dict[str, Any], states: dict[str, Any]) -> None:
    for field in ("Error", "Cause"):
        _check_optional_string(name, state, field)
        if field in state and f"{field}Path" in state:
            raise DefinitionError(name, "fail-fields", f"give '{field}' or '{field}Path', not both")
        if f"{field}Path" in state:
            _check_path_field(name, state, f"{field}Path")


def _check_input(name: str, state: dict[str, Any]) -> None:
    if "InputPath" in state:
        _check_path_field(name, state, "InputPath")
    if "Parameters" in state:
        _check_template(name, state["Parameters"])


def _check_result_path(name: str, state: dict[str, Any]) -> None:
    if "ResultPath" in state:
        _check_writable(name, state["ResultPath"], "ResultPath")


def _check_writable(name: str, path: Any, field: str) -> None:
    try:
        paths.check_writable(path)
    except paths.ReadOnlyPath as exc:
        raise DefinitionError(name, "context-read-only", f"'{field}': {exc}") from exc
    except paths.PathError as exc:
        raise DefinitionError(name, "result-path", f"'{field}': {exc}") from exc


def _check_path_field(name: str, state: dict[str, Any], field: str) -> None:
    try:
        paths.check_path(state[field])
    except paths.PathError as exc:
        raise DefinitionError(name, "jsonpath", f"'{field}': {exc}") from exc


def _check_template(name: str, template: Any) -> None:
    stack = [template]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
            continue
        if not isinstance(item, dict):
            continue
        seen: set[str] = set()
        for key, value in item.items():
            if not isinstance(key, str):
                raise DefinitionError(name, "parameter-names", "parameter names must be strings")
            if key == templating.PRIVATE_KEY:
                if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                    raise DefinitionError(
                        name, "private-parameters", f"'{key}' must be a list of parameter names"
                    )
                continue
            base = templating.base_name(key)
            if base in seen or not base:
                raise DefinitionError(
                    name, "parameter-names", f"the parameter '{base}' is given more than once"
                )
            seen.add(base)
            if key.endswith(templating.PATH_SUFFIX):
                if not paths.is_path(value):
                    raise DefinitionError(
                        name, "jsonpath", f"'{key}' must be a JSONPath starting with '$'"
                    )
            elif key.endswith(templating.EXPRESSION_SUFFIX):
                try:
                    expressions.check_expression(value)
                except expressions.ExpressionError as exc:
                    raise DefinitionError(name, "expression", f"'{key}': {exc}") from exc
            else:
                stack.append(value)


def _check_catch(name: str, catchers: Any, states: dict[str, Any]) -> None:
    if not isinstance(catchers, list):
        raise DefinitionError(name, "catch", "'Catch' must be a list")
    for index, catcher in enumerate(catchers):
        if not isinstance(catcher, dict):
            raise DefinitionError(name, "catch", "each 'Catch' entry must be an object")
        unknown = sorted(set(catcher) - {"ErrorEquals", "Next", "ResultPath", "Comment"})
        if unknown:
            raise DefinitionError(
                name, "catch", f"unexpected fields in a 'Catch' entry: {', '.join(unknown)}"
            )
        errors = catcher.get("ErrorEquals")
        if not isinstance(errors, list) or not errors:
            raise DefinitionError(name, "catch", "'ErrorEquals' must be a non-empty list")
        for error in errors:
            if not isinstance(error, str) or not 0 < len(error) <= MAX_NAME_LENGTH:
                raise DefinitionError(
                    name,
                    "catch-error",
                    f"'ErrorEquals' holds error names such as {', '.join(ERROR_NAMES)}",
                )
        if "States.ALL" in errors and (len(errors) > 1 or index != len(catchers) - 1):
            raise DefinitionError(
                name, "catch-all", "'States.ALL' must be alone in the last 'Catch' entry"
            )
        _check_target(name, "catch-next", catcher.get("Next"), states)
        if "ResultPath" in catcher:
            _check_writable(name, catcher["ResultPath"], "Catch ResultPath")


def _check_reachable(start: str, states: dict[str, Any]) -> None:
    seen = {start}
    queue = [start]
    while queue:
        for target in successors(states[queue.pop()]):
            if target not in seen:
                seen.add(target)
                queue.append(target)
    unreachable = [name for name in states if name not in seen]
    if unreachable:
        raise DefinitionError(
            unreachable[0], "unreachable", "the state cannot be reached from 'StartAt'"
        )


def _check_optional_string(name: str | None, container: dict[str, Any], field: str) -> None:
    if field in container and not isinstance(container[field], str):
        raise DefinitionError(name, "string-field", f"'{field}' must be a string")


def _check_size(definition: Any) -> None:
    """Bound depth and size before any other walk, so nothing later can run away."""
    total = 0
    stack: list[tuple[Any, int]] = [(definition, 0)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise DefinitionError(
                None, "definition-depth", f"the definition nests deeper than {MAX_DEPTH} levels"
            )
        if isinstance(item, dict):
            total += 2 + sum(len(str(key)) + 4 for key in item)
            stack.extend((value, depth + 1) for value in item.values())
        elif isinstance(item, list):
            total += 2 + len(item)
            stack.extend((value, depth + 1) for value in item)
        else:
            total += len(item) + 2 if isinstance(item, str) else 8
        if total > MAX_DEFINITION_BYTES:
            raise DefinitionError(
                None,
                "definition-size",
                f"the definition is larger than {MAX_DEFINITION_BYTES} bytes",
            )


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_http_url(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)
