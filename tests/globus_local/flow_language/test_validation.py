"""Definition checks: every rule of the language, each failure naming its state and rule."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from globus_local.flow_language.validation import (
    MAX_DEFINITION_BYTES,
    ActionState,
    DefinitionError,
    action_states,
    check_definition,
)

HELLO = "https://actions.globus.org/hello_world"

GOOD: dict[str, Any] = {
    "Comment": "Every state type",
    "StartAt": "Hello",
    "States": {
        "Hello": {
            "Type": "Action",
            "Comment": "say hello",
            "ActionUrl": HELLO,
            "ActionScope": "https://auth.globus.org/scopes/actions.globus.org/hello_world",
            "Parameters": {"echo_string.$": "$.input.text", "__Private_Parameters": ["x"]},
            "ResultPath": "$.HelloResult",
            "WaitTime": 60,
            "ExceptionOnActionFailure": False,
            "RunAs": "Reviewer",
            "Catch": [
                {"ErrorEquals": ["ActionFailedException", "ActionTimeout"], "Next": "Failed"},
                {"ErrorEquals": ["States.ALL"], "Next": "Failed", "ResultPath": "$.Error"},
            ],
            "Next": "Shape",
        },
        "Shape": {
            "Type": "Pass",
            "Parameters": {"n.=": "len(input.items)", "list": [{"p.$": "$.input"}]},
            "ResultPath": "$.shaped",
            "Next": "Compute",
        },
        "Compute": {
            "Type": "ExpressionEval",
            "Parameters": {"sum.=": "shaped.n + 1"},
            "ResultPath": "$.computed",
            "Next": "Decide",
        },
        "Decide": {
            "Type": "Choice",
            "Choices": [
                {"Variable": "$.computed.sum", "NumericGreaterThan": 3, "Next": "Pause"},
                {
                    "And": [
                        {"Variable": "$.input.name", "IsPresent": True},
                        {"Not": {"Variable": "$.input.name", "StringMatches": "tmp*"}},
                    ],
                    "Next": "Until",
                },
            ],
            "Default": "Done",
        },
        "Pause": {"Type": "Wait", "Seconds": 5, "Next": "Done"},
        "Until": {"Type": "Wait", "TimestampPath": "$.input.when", "End": True},
        "Done": {"Type": "Pass", "End": True},
        "Failed": {"Type": "Fail", "Error": "HelloFailed", "Cause": "the hello action failed"},
    },
}


def broken(change) -> dict[str, Any]:
    definition = copy.deepcopy(GOOD)
    change(definition)
    return definition


def rejects(definition: Any, rule: str, state: str | None = None) -> DefinitionError:
    with pytest.raises(DefinitionError) as caught:
        check_definition(definition)
    assert caught.value.rule == rule, caught.value
    assert caught.value.state == state
    return caught.value


def test_a_definition_using_every_state_type_passes():
    check_definition(GOOD)


def test_the_smallest_definitions_pass():
    check_definition({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}})
    check_definition({"StartAt": "A", "States": {"A": {"Type": "Succeed"}}})
    check_definition({"StartAt": "A", "States": {"A": {"Type": "Fail"}}})


@pytest.mark.parametrize("definition", [None, [], "flow", 5, True])
def test_a_definition_must_be_an_object(definition):
    rejects(definition, "definition-object")


def test_start_at_must_name_a_state():
    rejects(broken(lambda d: d.pop("StartAt")), "start-at")
    rejects(broken(lambda d: d.update(StartAt="Nowhere")), "start-at")
    rejects(broken(lambda d: d.update(StartAt=["Hello"])), "start-at")


def test_states_must_be_a_non_empty_object():
    rejects({"StartAt": "A", "States": {}}, "states")
    rejects({"StartAt": "A", "States": []}, "states")
    rejects({"StartAt": "A"}, "states")


def test_unknown_top_level_fields_are_refused():
    rejects(broken(lambda d: d.update(Version="1.0")), "definition-fields")


def test_next_must_name_a_state():
    error = rejects(broken(lambda d: d["States"]["Shape"].update(Next="Nowhere")), "next", "Shape")
    assert "Nowhere" in str(error)


def test_a_state_needs_exactly_one_of_next_or_end():
    error = rejects(broken(lambda d: d["States"]["Hello"].pop("Next")), "next-or-end", "Hello")
    assert error.message == (
        "A state of type 'Action' must be defined as either terminal "
        '("End": true) or transitional ("Next": "NextStateId")'
    )
    rejects(broken(lambda d: d["States"]["Shape"].update(End=True)), "next-or-end", "Shape")
    rejects(broken(lambda d: d["States"]["Done"].update(End=False)), "next-or-end", "Done")
    rejects(broken(lambda d: d["States"]["Done"].update(End="yes")), "end", "Done")


@pytest.mark.parametrize("kind", ["Task", "Parallel", "Map"])
def test_other_state_machine_types_are_refused(kind):
    rejects(broken(lambda d: d["States"]["Done"].update(Type=kind)), "state-type", "Done")


@pytest.mark.parametrize("kind", ["Bogus", None, 5, ["Pass"]])
def test_unknown_types_are_refused(kind):
    rejects(broken(lambda d: d["States"]["Done"].update(Type=kind)), "state-type", "Done")


def test_output_path_is_refused_anywhere():
    rejects(broken(lambda d: d["States"]["Shape"].update(OutputPath="$")), "output-path", "Shape")
    rejects(broken(lambda d: d["States"]["Decide"].update(OutputPath="$")), "output-path", "Decide")


def test_unknown_state_fields_are_refused():
    error = rejects(
        broken(lambda d: d["States"]["Shape"].update(Paramters={})), "state-fields", "Shape"
    )
    assert "Paramters" in str(error)
    rejects(broken(lambda d: d["States"]["Done"].update(Result={})), "state-fields", "Done")
    rejects(broken(lambda d: d["States"]["Failed"].update(Next="Done")), "state-fields", "Failed")


def test_unreachable_states_are_refused():
    rejects(
        broken(lambda d: d["States"].update(Orphan={"Type": "Pass", "End": True})),
        "unreachable",
        "Orphan",
    )


def test_a_flow_needs_a_state_that_ends_it():
    rejects(
        {
            "StartAt": "A",
            "States": {"A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Pass", "Next": "A"}},
        },
        "no-terminal-state",
    )


def test_states_reached_only_through_catch_or_default_count_as_reachable():
    check_definition(GOOD)  # Failed is reached only through Catch, Done through Default too


def test_state_names_are_bounded():
    long = "x" * 129
    rejects({"StartAt": long, "States": {long: {"Type": "Succeed"}}}, "state-name", long)


def test_action_fields():
    rejects(broken(lambda d: d["States"]["Hello"].pop("ActionUrl")), "action-url", "Hello")
    rejects(
        broken(lambda d: d["States"]["Hello"].update(ActionUrl="ftp://x")), "action-url", "Hello"
    )
    rejects(broken(lambda d: d["States"]["Hello"].pop("Parameters")), "action-input", "Hello")
    rejects(
        broken(lambda d: d["States"]["Hello"].update(InputPath="$.input")),
        "action-input",
        "Hello",
    )
    rejects(broken(lambda d: d["States"]["Hello"].update(Parameters=[])), "parameters", "Hello")
    for wait in (0, -1, 1.5, "300", True, 10**9):
        rejects(
            broken(lambda d, w=wait: d["States"]["Hello"].update(WaitTime=w)), "wait-time", "Hello"
        )
    rejects(
        broken(lambda d: d["States"]["Hello"].update(ExceptionOnActionFailure="no")),
        "exception-on-action-failure",
        "Hello",
    )
    rejects(broken(lambda d: d["States"]["Hello"].update(RunAs="")), "run-as", "Hello")
    rejects(broken(lambda d: d["States"]["Hello"].update(ActionScope=5)), "string-field", "Hello")


def test_action_with_input_path_instead_of_parameters():
    definition = broken(lambda d: d["States"]["Hello"].pop("Parameters"))
    definition["States"]["Hello"]["InputPath"] = "$.input"
    check_definition(definition)


def test_result_paths_must_be_definite_and_outside_the_context():
    rejects(
        broken(lambda d: d["States"]["Shape"].update(ResultPath="$._context.x")),
        "context-read-only",
        "Shape",
    )
    rejects(
        broken(lambda d: d["States"]["Shape"].update(ResultPath="$.items[*]")),
        "result-path",
        "Shape",
    )
    rejects(
        broken(lambda d: d["States"]["Shape"].update(ResultPath="result")), "result-path", "Shape"
    )
    rejects(
        broken(lambda d: d["States"]["Hello"]["Catch"][1].update(ResultPath="$._context")),
        "context-read-only",
        "Hello",
    )


def test_paths_and_expressions_in_templates_are_checked():
    rejects(
        broken(lambda d: d["States"]["Shape"]["Parameters"].update({"x.$": "input.items"})),
        "jsonpath",
        "Shape",
    )
    rejects(
        broken(lambda d: d["States"]["Shape"]["Parameters"]["list"][0].update({"y.$": "$["})),
        "jsonpath",
        "Shape",
    )
    error = rejects(
        broken(lambda d: d["States"]["Compute"]["Parameters"].update({"z.=": "1 +"})),
        "expression",
        "Compute",
    )
    assert "z.=" in str(error)
    rejects(
        broken(lambda d: d["States"]["Compute"]["Parameters"].update({"z.=": "x.__class__"})),
        "expression",
        "Compute",
    )
    rejects(
        broken(lambda d: d["States"]["Shape"]["Parameters"].update({"n": 1})),
        "parameter-names",
        "Shape",
    )
    rejects(
        broken(lambda d: d["States"]["Hello"]["Parameters"].update(__Private_Parameters="x")),
        "private-parameters",
        "Hello",
    )
    rejects(broken(lambda d: d["States"]["Shape"].update(InputPath="nope")), "jsonpath", "Shape")


def test_expression_eval_needs_parameters_and_result_path():
    rejects(broken(lambda d: d["States"]["Compute"].pop("Parameters")), "parameters", "Compute")
    rejects(broken(lambda d: d["States"]["Compute"].pop("ResultPath")), "result-path", "Compute")
    rejects(
        broken(lambda d: d["States"]["Compute"].update(InputPath="$")), "state-fields", "Compute"
    )


def test_choice_rules_are_checked():
    def choice(rule):
        return broken(lambda d: d["States"]["Decide"].update(Choices=[rule]))

    rejects(broken(lambda d: d["States"]["Decide"].pop("Choices")), "choices", "Decide")
    rejects(broken(lambda d: d["States"]["Decide"].update(Choices=[])), "choices", "Decide")
    rejects(choice({"Variable": "$.a", "StringEquals": "x"}), "choice-next", "Decide")
    rejects(
        choice({"Variable": "$.a", "StringEquals": "x", "Next": "Nowhere"}),
        "choice-next",
        "Decide",
    )
    rejects(choice({"Variable": "$.a", "Bogus": 1, "Next": "Done"}), "choice-operator", "Decide")
    rejects(
        choice({"Variable": "$.a", "StringEquals": "x", "IsNull": True, "Next": "Done"}),
        "choice-operator",
        "Decide",
    )
    rejects(choice({"Variable": "a", "IsNull": True, "Next": "Done"}), "choice-variable", "Decide")
    rejects(choice({"StringEquals": "x", "Next": "Done"}), "choice-variable", "Decide")
    rejects(choice({"And": [], "Next": "Done"}), "choice-rule", "Decide")
    rejects(choice({"Or": {"Variable": "$.a"}, "Next": "Done"}), "choice-rule", "Decide")
    rejects(
        choice({"Not": {"Variable": "$.a", "IsNull": True, "Next": "Done"}, "Next": "Done"}),
        "choice-next",
        "Decide",
    )
    rejects(
        choice({"And": [{"Variable": "$.a", "IsNull": True}], "Extra": 1, "Next": "Done"}),
        "choice-rule",
        "Decide",
    )
    rejects(broken(lambda d: d["States"]["Decide"].update(Default="Nowhere")), "default", "Decide")
    deep: dict[str, Any] = {"Variable": "$.a", "IsNull": True}
    for _ in range(40):
        deep = {"Not": deep}
    rejects(choice({**deep, "Next": "Done"}), "choice-depth", "Decide")


@pytest.mark.parametrize(
    ("operator", "value"),
    [
        ("StringEquals", 1),
        ("StringMatches", 5),
        ("StringMatches", "*" * 2000),
        ("NumericEquals", "1"),
        ("NumericLessThan", True),
        ("BooleanEquals", "true"),
        ("TimestampEquals", "yesterday"),
        ("TimestampLessThan", 5),
        ("IsNull", "yes"),
        ("IsPresent", 1),
        ("StringEqualsPath", "a"),
        ("NumericGreaterThanPath", 3),
    ],
)
def test_operator_values_must_have_the_operators_type(operator, value):
    rule = {"Variable": "$.a", operator: value, "Next": "Done"}
    rejects(
        broken(lambda d: d["States"]["Decide"].update(Choices=[rule])), "choice-operand", "Decide"
    )


def test_wait_needs_exactly_one_form():
    rejects(broken(lambda d: d["States"]["Pause"].pop("Seconds")), "wait-form", "Pause")
    rejects(
        broken(lambda d: d["States"]["Pause"].update(Timestamp="2030-01-01T00:00:00Z")),
        "wait-form",
        "Pause",
    )
    for seconds in (-1, 1.5, "5", 10**10):
        rejects(
            broken(lambda d, s=seconds: d["States"]["Pause"].update(Seconds=s)),
            "wait-seconds",
            "Pause",
        )
    definition = broken(lambda d: d["States"]["Pause"].pop("Seconds"))
    definition["States"]["Pause"]["Timestamp"] = "tomorrow"
    rejects(definition, "wait-timestamp", "Pause")
    definition["States"]["Pause"] = {"Type": "Wait", "SecondsPath": "x", "Next": "Done"}
    rejects(definition, "jsonpath", "Pause")


def test_fail_fields():
    rejects(broken(lambda d: d["States"]["Failed"].update(Error=5)), "string-field", "Failed")
    rejects(
        broken(lambda d: d["States"]["Failed"].update(ErrorPath="$.e")), "fail-fields", "Failed"
    )
    definition = broken(lambda d: d["States"]["Failed"].pop("Cause"))
    definition["States"]["Failed"]["CausePath"] = "$.why"
    check_definition(definition)


def test_catch_entries_are_checked():
    def catch(entries):
        return broken(lambda d: d["States"]["Hello"].update(Catch=entries))

    rejects(catch({}), "catch", "Hello")
    rejects(catch([5]), "catch", "Hello")
    rejects(catch([{"Next": "Done"}]), "catch", "Hello")
    rejects(catch([{"ErrorEquals": [], "Next": "Done"}]), "catch", "Hello")
    rejects(catch([{"ErrorEquals": [5], "Next": "Done"}]), "catch-error", "Hello")
    rejects(catch([{"ErrorEquals": ["States.ALL"], "Next": "Nowhere"}]), "catch-next", "Hello")
    rejects(catch([{"ErrorEquals": ["States.ALL"], "Next": "Done", "Extra": 1}]), "catch", "Hello")
    rejects(
        catch(
            [
                {"ErrorEquals": ["States.ALL"], "Next": "Done"},
                {"ErrorEquals": ["ActionTimeout"], "Next": "Done"},
            ]
        ),
        "catch-all",
        "Hello",
    )
    rejects(
        catch([{"ErrorEquals": ["States.ALL", "ActionTimeout"], "Next": "Done"}]),
        "catch-all",
        "Hello",
    )


def test_absurd_sizes_are_refused():
    big = broken(
        lambda d: d["States"]["Shape"]["Parameters"].update(blob="x" * MAX_DEFINITION_BYTES)
    )
    rejects(big, "definition-size")
    deep: Any = 1
    for _ in range(100):
        deep = {"d": deep}
    rejects(
        broken(lambda d: d["States"]["Shape"]["Parameters"].update(deep=deep)), "definition-depth"
    )
    many = {f"S{i}": {"Type": "Pass", "Next": f"S{i + 1}"} for i in range(1001)}
    many["S1001"] = {"Type": "Succeed"}
    rejects({"StartAt": "S0", "States": many}, "states")


def test_action_states_lists_what_the_service_needs_for_scopes():
    assert action_states(GOOD) == [
        ActionState(
            name="Hello",
            action_url=HELLO,
            action_scope="https://auth.globus.org/scopes/actions.globus.org/hello_world",
            run_as="Reviewer",
        )
    ]
    plain = {
        "StartAt": "A",
        "States": {"A": {"Type": "Action", "ActionUrl": HELLO, "Parameters": {}, "End": True}},
    }
    check_definition(plain)
    assert action_states(plain) == [ActionState("A", HELLO, None, "User")]


def test_definition_error_text_names_the_state():
    error = rejects(broken(lambda d: d["States"]["Shape"].update(Next="Nowhere")), "next", "Shape")
    assert str(error).startswith("State 'Shape': ")
