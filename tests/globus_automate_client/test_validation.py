"""The client's own checks of flow definitions and input schemas, before any request."""

from __future__ import annotations

import typing as t

import pytest

from globus_automate_client import FlowValidationError, validate_flow_definition
from globus_automate_client.validation import validate_input_schema

HELLO = {
    "StartAt": "Hello",
    "States": {
        "Hello": {
            "Type": "Action",
            "ActionUrl": "https://actions.globus.org/hello_world",
            "Parameters": {"echo_string.$": "$.input.echo"},
            "ResultPath": "$.Hello",
            "Next": "Check",
        },
        "Check": {
            "Type": "Choice",
            "Choices": [
                {"Variable": "$.Hello.status", "StringEquals": "SUCCEEDED", "Next": "Done"}
            ],
            "Default": "Failed",
        },
        "Done": {"Type": "Pass", "End": True},
        "Failed": {"Type": "Fail", "Error": "NotHello"},
    },
}


def test_a_complete_definition_passes() -> None:
    validate_flow_definition(HELLO)


def _errors(definition: t.Any) -> list[str]:
    with pytest.raises(FlowValidationError) as info:
        validate_flow_definition(definition)
    return info.value.errors


def test_missing_start_and_states() -> None:
    assert _errors({}) == [
        "'StartAt' is required and must name a state",
        "'States' is required and must be a non-empty object",
    ]


def test_each_problem_is_named_with_its_state() -> None:
    definition = {
        "StartAt": "A",
        "States": {
            "A": {"Type": "Action", "ActionUrl": "https://x", "Next": "Nowhere"},
            "B": {"Type": "Task", "End": True},
            "C": {"Type": "Pass", "Next": "A", "End": True, "OutputPath": "$.x"},
            "D": {"Type": "Wait", "Seconds": 1, "Timestamp": "2020-01-01T00:00:00Z", "End": True},
        },
    }
    errors = _errors(definition)
    assert "'States.A': exactly one of 'Parameters' or 'InputPath' is required" in errors
    assert any(e.startswith("'States.B': 'Type' must be one of") for e in errors)
    assert any("must be defined as either terminal" in e and "States.C" in e for e in errors)
    assert "'States.C': 'OutputPath' is not supported; use 'ResultPath'" in errors
    assert any(e.startswith("'States.D': exactly one of Seconds") for e in errors)
    assert "State 'Nowhere' is referenced but not defined in 'States'" in errors
    assert "State 'B' is defined but no other state leads to it" in errors
    # the message joins every problem, so one exception says all of it
    assert str(FlowValidationError(errors)) == "; ".join(sorted(errors))


def test_choice_and_catch_targets_count_as_references() -> None:
    definition = {
        "StartAt": "Act",
        "States": {
            "Act": {
                "Type": "Action",
                "ActionUrl": "https://actions.globus.org/hello_world",
                "InputPath": "$.body",
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Oops"}],
                "End": True,
            },
            "Oops": {"Type": "Fail"},
        },
    }
    validate_flow_definition(definition)
    bad_choice = {
        "StartAt": "C",
        "States": {"C": {"Type": "Choice", "Choices": [{"Variable": "$.x"}]}},
    }
    assert _errors(bad_choice) == ["'States.C'.Choices[0]: every choice needs a 'Next' state"]


@pytest.mark.parametrize(
    "schema",
    [
        {},
        {"type": "object", "properties": {"echo": {"type": "string"}}, "required": ["echo"]},
        {"type": ["string", "null"]},
        {"anyOf": [{"type": "integer"}, {"type": "object", "additionalProperties": False}]},
    ],
)
def test_well_formed_schemas_pass(schema: dict[str, t.Any]) -> None:
    validate_input_schema(schema)


def test_schema_problems_name_their_place() -> None:
    with pytest.raises(FlowValidationError) as info:
        validate_input_schema(
            {
                "type": "obj",
                "properties": {"a": {"type": "strin"}, "b": []},
                "required": ["a", "a"],
                "anyOf": [],
            }
        )
    assert info.value.errors == sorted(
        [
            "'input_schema.type': 'obj' is not a JSON Schema type",
            "'input_schema.properties.a.type': 'strin' is not a JSON Schema type",
            "'input_schema.properties.b' must be an object or a boolean",
            "'input_schema.required' must be a list of distinct strings",
            "'input_schema.anyOf' must be a non-empty list",
        ]
    )
    with pytest.raises(FlowValidationError, match="No input schema provided"):
        validate_input_schema(None)
