"""The rules for one state of a flow definition, by its Type.

Each check raises DefinitionError naming the state and the rule it breaks; once a state has
passed, the interpreter may read every field it uses without looking again.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

from globus_local.flow_language import choices, expressions, paths, templating
from globus_local.flow_language.errors import DefinitionError
from globus_local.flow_language.timestamps import parse_timestamp

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


def check_state(name: str, state: Any, states: dict[str, Any]) -> None:
    """Raise DefinitionError unless `state` is a well-formed state named `name` among `states`."""
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
    check_optional_string(name, state, "Comment")
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
    check_optional_string(name, state, "ActionScope")
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
        check_optional_string(name, state, field)
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
            if base in seen:
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


def check_optional_string(name: str | None, container: dict[str, Any], field: str) -> None:
    """Raise DefinitionError if `field` is in `container` and not a string."""
    if field in container and not isinstance(container[field], str):
        raise DefinitionError(name, "string-field", f"'{field}' must be a string")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_http_url(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)
