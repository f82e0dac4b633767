"""Checks a flow definition and input schema get before they are sent to the Flows service.

The service checks everything again; these catch the common mistakes without a round
trip and name where they are. They use the standard library only, so they check the
structure of the flow language and of a JSON Schema, not every keyword's meaning.
"""

from __future__ import annotations

import typing as t
from collections.abc import Mapping

from globus_automate_client.errors import FlowValidationError

STATE_TYPES = frozenset({"Action", "Pass", "Choice", "Wait", "Fail", "ExpressionEval", "Succeed"})
#: state types that end or branch by themselves, without Next/End
SELF_ROUTED = frozenset({"Choice", "Fail", "Succeed"})
WAIT_FIELDS = ("Seconds", "SecondsPath", "Timestamp", "TimestampPath")
JSON_TYPES = frozenset({"array", "boolean", "integer", "null", "number", "object", "string"})


def validate_flow_definition(flow_definition: Mapping[str, t.Any]) -> None:
    """Raise ``FlowValidationError`` listing every structural problem of a flow definition."""
    errors: list[str] = []
    if not isinstance(flow_definition, Mapping):
        raise FlowValidationError(["The flow definition must be a JSON object"])
    start = flow_definition.get("StartAt")
    states = flow_definition.get("States")
    if not isinstance(start, str) or not start:
        errors.append("'StartAt' is required and must name a state")
    if not isinstance(states, Mapping) or not states:
        errors.append("'States' is required and must be a non-empty object")
        raise FlowValidationError(errors)
    referenced: set[str] = {start} if isinstance(start, str) else set()
    for name, state in states.items():
        errors.extend(_state_errors(str(name), state, referenced))
    for missing in sorted(referenced - set(states)):
        errors.append(f"State '{missing}' is referenced but not defined in 'States'")
    for unused in sorted(set(states) - referenced):
        errors.append(f"State '{unused}' is defined but no other state leads to it")
    if errors:
        raise FlowValidationError(errors)


def _state_errors(name: str, state: t.Any, referenced: set[str]) -> list[str]:
    where = f"'States.{name}'"
    if not isinstance(state, Mapping):
        return [f"{where} must be a JSON object"]
    kind = state.get("Type")
    if kind not in STATE_TYPES:
        return [f"{where}: 'Type' must be one of {', '.join(sorted(STATE_TYPES))}, not {kind!r}"]
    errors: list[str] = []
    if "OutputPath" in state:
        errors.append(f"{where}: 'OutputPath' is not supported; use 'ResultPath'")
    if kind not in SELF_ROUTED:
        has_next, has_end = "Next" in state, state.get("End") is True
        if has_next == has_end:
            errors.append(
                f"{where}: a state of type '{kind}' must be defined as either terminal "
                '("End": true) or transitional ("Next": "NextStateId")'
            )
    _collect_target(state.get("Next"), referenced)
    for catcher in state.get("Catch") or []:
        if isinstance(catcher, Mapping):
            _collect_target(catcher.get("Next"), referenced)
    if kind == "Action":
        if not isinstance(state.get("ActionUrl"), str):
            errors.append(f"{where}: 'ActionUrl' is required")
        if ("Parameters" in state) == ("InputPath" in state):
            errors.append(f"{where}: exactly one of 'Parameters' or 'InputPath' is required")
    elif kind == "ExpressionEval":
        for field in ("Parameters", "ResultPath"):
            if field not in state:
                errors.append(f"{where}: '{field}' is required")
    elif kind == "Wait":
        if sum(field in state for field in WAIT_FIELDS) != 1:
            errors.append(f"{where}: exactly one of {', '.join(WAIT_FIELDS)} is required")
    elif kind == "Choice":
        errors.extend(_choice_errors(where, state, referenced))
    return errors


def _choice_errors(where: str, state: Mapping[str, t.Any], referenced: set[str]) -> list[str]:
    choices = state.get("Choices")
    if not isinstance(choices, list) or not choices:
        return [f"{where}: 'Choices' must be a non-empty list"]
    errors = []
    for index, rule in enumerate(choices):
        if not isinstance(rule, Mapping) or not isinstance(rule.get("Next"), str):
            errors.append(f"{where}.Choices[{index}]: every choice needs a 'Next' state")
            continue
        _collect_target(rule["Next"], referenced)
    _collect_target(state.get("Default"), referenced)
    return errors


def _collect_target(target: t.Any, referenced: set[str]) -> None:
    if isinstance(target, str):
        referenced.add(target)


def validate_input_schema(input_schema: Mapping[str, t.Any] | None) -> None:
    """Raise ``FlowValidationError`` when ``input_schema`` is not a well-formed JSON Schema
    (types, properties, required, items, additionalProperties at every level)."""
    if input_schema is None:
        raise FlowValidationError(["No input schema provided"])
    errors = _schema_errors(input_schema, "input_schema")
    if errors:
        raise FlowValidationError(errors)


def _schema_errors(schema: t.Any, where: str) -> list[str]:
    if isinstance(schema, bool):
        return []
    if not isinstance(schema, Mapping):
        return [f"'{where}' must be an object or a boolean"]
    errors: list[str] = []
    kinds = schema.get("type")
    for kind in kinds if isinstance(kinds, list) else [] if kinds is None else [kinds]:
        if kind not in JSON_TYPES:
            errors.append(f"'{where}.type': {kind!r} is not a JSON Schema type")
    properties = schema.get("properties")
    if properties is not None:
        if not isinstance(properties, Mapping):
            errors.append(f"'{where}.properties' must be an object")
        else:
            for key, sub in properties.items():
                errors.extend(_schema_errors(sub, f"{where}.properties.{key}"))
    required = schema.get("required")
    if required is not None and (
        not isinstance(required, list)
        or not all(isinstance(r, str) for r in required)
        or len(set(required)) != len(required)
    ):
        errors.append(f"'{where}.required' must be a list of distinct strings")
    for key in ("additionalProperties", "items", "not"):
        if key in schema and not isinstance(schema[key], list):
            errors.extend(_schema_errors(schema[key], f"{where}.{key}"))
    for key in ("anyOf", "allOf", "oneOf"):
        if key in schema:
            subs = schema[key]
            if not isinstance(subs, list) or not subs:
                errors.append(f"'{where}.{key}' must be a non-empty list")
                continue
            for index, sub in enumerate(subs):
                errors.extend(_schema_errors(sub, f"{where}.{key}[{index}]"))
    return errors
