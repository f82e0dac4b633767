"""The step function, state by state and driven through whole flows as the engine drives it."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from globus_local.flow_language.interpreter import (
    MAX_STATE_BYTES,
    after_action,
    after_error,
    start,
    step,
)
from globus_local.flow_language.outcomes import (
    CallAction,
    Fail,
    Goto,
    Succeed,
    WaitUntil,
)
from globus_local.flow_language.validation import check_definition

HELLO = "https://actions.globus.org/hello_world"
NOW = datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc)
CONTEXT = {"run_id": "run-1", "username": "alice", "flow_id": "flow-1"}


def flow(states: dict[str, Any], start_at: str | None = None) -> dict[str, Any]:
    definition = {"StartAt": start_at or next(iter(states)), "States": states}
    check_definition(definition)
    return definition


def status(state: str, **details: Any) -> dict[str, Any]:
    return {"action_id": "a-1", "status": state, "creator_id": "urn:x", "details": details}


def drive(definition, document, actions=None):
    """Run a flow to its end as the engine would: actions answer from `actions[url](body)`."""
    actions = actions or {}
    name = start(definition)
    log: list[dict[str, Any]] = []
    for _ in range(100):
        outcome = step(definition, name, document, CONTEXT, now=NOW)
        log += outcome.entries
        if isinstance(outcome, WaitUntil):
            outcome = outcome.then
            log += outcome.entries
        if isinstance(outcome, CallAction):
            answer = actions[outcome.action_url](outcome.body)
            if isinstance(answer, tuple):
                outcome = after_error(definition, name, document, *answer)
            else:
                outcome = after_action(definition, name, document, answer)
            log += outcome.entries
        if isinstance(outcome, Goto):
            name, document = outcome.next_state, outcome.document
            continue
        return outcome, log
    raise AssertionError("the flow did not end")


def codes(log):
    return [entry["code"] for entry in log]


def test_start_names_the_first_state():
    assert start(flow({"A": {"Type": "Pass", "End": True}})) == "A"


def test_pass_without_parameters_keeps_the_state():
    definition = flow({"A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Pass", "End": True}})
    outcome = step(definition, "A", {"x": 1}, CONTEXT)
    assert outcome == Goto(
        "B",
        {"x": 1},
        [
            {
                "code": "PassStarted",
                "description": "State A of type Pass started",
                "details": {"state_name": "A", "state_type": "Pass", "input": {"x": 1}},
            },
            {
                "code": "PassCompleted",
                "description": "State A of type Pass completed",
                "details": {"state_name": "A", "state_type": "Pass", "output": {"x": 1}},
            },
        ],
    )


def test_pass_parameters_and_result_path():
    definition = flow(
        {
            "A": {
                "Type": "Pass",
                "Parameters": {"who.$": "$._context.username", "n.=": "x + 1", "k": "v"},
                "ResultPath": "$.out",
                "End": True,
            }
        }
    )
    outcome = step(definition, "A", {"x": 1}, CONTEXT)
    assert isinstance(outcome, Succeed)
    assert outcome.document == {"x": 1, "out": {"who": "alice", "n": 2, "k": "v"}}


def test_pass_default_result_path_replaces_the_state():
    definition = flow({"A": {"Type": "Pass", "Parameters": {"only": 1}, "End": True}})
    assert step(definition, "A", {"x": 1}, CONTEXT).document == {"only": 1}


def test_pass_input_path_selects_the_input():
    definition = flow(
        {"A": {"Type": "Pass", "InputPath": "$.inner", "ResultPath": "$.copy", "End": True}}
    )
    outcome = step(definition, "A", {"inner": {"v": 2}}, CONTEXT)
    assert outcome.document == {"inner": {"v": 2}, "copy": {"v": 2}}


def test_expression_eval_stores_its_parameters():
    definition = flow(
        {
            "E": {
                "Type": "ExpressionEval",
                "Parameters": {"path.=": "pathsplit(p)[1]", "twice.=": "n * 2"},
                "ResultPath": "$.computed",
                "End": True,
            }
        }
    )
    outcome = step(definition, "E", {"p": "/~/a/b.txt", "n": 4}, CONTEXT)
    assert outcome.document["computed"] == {"path": "b.txt", "twice": 8}
    assert codes(outcome.entries) == ["ExpressionEvalStarted", "ExpressionEvalCompleted"]


@pytest.mark.parametrize(
    "parameters", [{"x.=": "missing + 1"}, {"x.$": "$.missing"}, {"x.=": "1 / 0"}]
)
def test_failing_parameters_fail_the_run_with_a_runtime_error(parameters):
    definition = flow(
        {
            "E": {
                "Type": "ExpressionEval",
                "Parameters": parameters,
                "ResultPath": "$.r",
                "End": True,
            }
        }
    )
    outcome = step(definition, "E", {"a": 1}, CONTEXT)
    assert isinstance(outcome, Fail)
    assert outcome.error == "States.Runtime"
    assert outcome.document == {"a": 1}
    assert codes(outcome.entries) == ["ExpressionEvalStarted", "ExpressionEvalFailed"]


def test_writing_into_the_context_is_impossible_even_through_a_template():
    definition = flow(
        {"A": {"Type": "Pass", "Parameters": {"x": 1}, "ResultPath": "$.r", "End": True}}
    )
    definition["States"]["A"]["ResultPath"] = "$._context.run_id"  # bypassing the definition check
    outcome = step(definition, "A", {}, CONTEXT)
    assert isinstance(outcome, Fail) and outcome.error == "States.ResultPathMatchFailure"


def test_a_non_object_result_at_the_root_fails():
    definition = flow({"A": {"Type": "Pass", "InputPath": "$.list", "End": True}})
    outcome = step(definition, "A", {"list": [1]}, CONTEXT)
    assert isinstance(outcome, Fail) and outcome.error == "States.ResultPathMatchFailure"


def test_the_state_may_not_grow_past_its_limit():
    definition = flow(
        {
            "A": {
                "Type": "ExpressionEval",
                "Parameters": {"a.=": "'x' * 90000", "b.=": "'y' * 90000", "c.$": "$.s"},
                "ResultPath": "$.big",
                "End": True,
            }
        }
    )
    outcome = step(definition, "A", {"s": "z" * 50_000}, CONTEXT)
    assert isinstance(outcome, Fail) and outcome.error == "States.DataLimitExceeded"
    assert str(MAX_STATE_BYTES) in outcome.cause


def choice_flow() -> dict[str, Any]:
    return flow(
        {
            "C": {
                "Type": "Choice",
                "Choices": [
                    {"Variable": "$.n", "NumericGreaterThan": 10, "Next": "Big"},
                    {
                        "And": [
                            {"Variable": "$.name", "IsPresent": True},
                            {"Variable": "$.name", "StringMatches": "*.txt"},
                        ],
                        "Next": "Text",
                    },
                ],
                "Default": "Other",
            },
            "Big": {"Type": "Pass", "End": True},
            "Text": {"Type": "Pass", "End": True},
            "Other": {"Type": "Pass", "End": True},
        }
    )


@pytest.mark.parametrize(
    ("document", "chosen"),
    [({"n": 11}, "Big"), ({"n": 1, "name": "a.txt"}, "Text"), ({"n": 1}, "Other")],
)
def test_choice_takes_the_first_matching_rule_or_the_default(document, chosen):
    outcome = step(choice_flow(), "C", document, CONTEXT)
    assert isinstance(outcome, Goto) and outcome.next_state == chosen
    assert outcome.document == document
    assert codes(outcome.entries) == ["ChoiceStarted", "ChoiceCompleted"]


def test_choice_without_a_match_or_default_fails():
    definition = choice_flow()
    del definition["States"]["C"]["Default"]
    definition["States"]["Other"] = {"Type": "Pass", "End": True}
    outcome = step(definition, "C", {"n": 1}, CONTEXT)
    assert isinstance(outcome, Fail) and outcome.error == "States.NoChoiceMatched"


def test_choice_on_a_missing_variable_fails():
    outcome = step(choice_flow(), "C", {"name": "x"}, CONTEXT)
    assert isinstance(outcome, Fail) and outcome.error == "States.Runtime"
    assert "$.n" in outcome.cause


@pytest.mark.parametrize(
    ("form", "document", "when"),
    [
        ({"Seconds": 30}, {}, NOW + timedelta(seconds=30)),
        ({"SecondsPath": "$.s"}, {"s": 2.5}, NOW + timedelta(seconds=2.5)),
        (
            {"Timestamp": "2024-06-01T00:00:00Z"},
            {},
            datetime(2024, 6, 1, tzinfo=timezone.utc),
        ),
        (
            {"TimestampPath": "$.t"},
            {"t": "2024-06-01T02:00:00+02:00"},
            datetime(2024, 6, 1, tzinfo=timezone.utc),
        ),
    ],
)
def test_wait_forms(form, document, when):
    definition = flow(
        {"W": {"Type": "Wait", **form, "Next": "N"}, "N": {"Type": "Pass", "End": True}}
    )
    outcome = step(definition, "W", document, CONTEXT, now=NOW)
    assert isinstance(outcome, WaitUntil)
    assert outcome.when == when
    assert codes(outcome.entries) == ["WaitStarted"]
    assert isinstance(outcome.then, Goto) and outcome.then.next_state == "N"
    assert codes(outcome.then.entries) == ["WaitCompleted"]


def test_a_terminal_wait_then_succeeds():
    definition = flow({"W": {"Type": "Wait", "Seconds": 0, "End": True}})
    outcome = step(definition, "W", {"a": 1}, CONTEXT, now=NOW)
    assert isinstance(outcome, WaitUntil) and outcome.then == Succeed(
        {"a": 1}, outcome.then.entries
    )


def test_wait_without_clock_uses_the_current_time():
    definition = flow({"W": {"Type": "Wait", "Seconds": 60, "End": True}})
    outcome = step(definition, "W", {}, CONTEXT)
    assert isinstance(outcome, WaitUntil)
    assert outcome.when - datetime.now(timezone.utc) > timedelta(seconds=50)


@pytest.mark.parametrize(
    ("form", "document"),
    [
        ({"SecondsPath": "$.s"}, {"s": "soon"}),
        ({"SecondsPath": "$.s"}, {"s": -1}),
        ({"SecondsPath": "$.s"}, {"s": 10**12}),
        ({"SecondsPath": "$.s"}, {}),
        ({"TimestampPath": "$.t"}, {"t": "not a time"}),
    ],
)
def test_wait_on_bad_state_values_fails(form, document):
    definition = flow({"W": {"Type": "Wait", **form, "End": True}})
    outcome = step(definition, "W", document, CONTEXT, now=NOW)
    assert isinstance(outcome, Fail) and outcome.error == "States.Runtime"


def test_fail_state_gives_error_and_cause():
    definition = flow({"F": {"Type": "Fail", "Error": "Bad", "Cause": "it broke"}})
    outcome = step(definition, "F", {"a": 1}, CONTEXT)
    assert (outcome.error, outcome.cause, outcome.document) == ("Bad", "it broke", {"a": 1})
    assert codes(outcome.entries) == ["FailStarted"]


def test_fail_state_defaults_and_paths():
    assert step(flow({"F": {"Type": "Fail"}}), "F", {}, CONTEXT).error == "FlowFailed"
    definition = flow({"F": {"Type": "Fail", "ErrorPath": "$.e", "CausePath": "$.c"}})
    outcome = step(definition, "F", {"e": "Custom", "c": {"why": 1}}, CONTEXT)
    assert (outcome.error, outcome.cause) == ("Custom", '{"why": 1}')


def test_succeed_state_ends_the_run():
    outcome = step(flow({"S": {"Type": "Succeed"}}), "S", {"a": 1}, CONTEXT)
    assert isinstance(outcome, Succeed) and outcome.document == {"a": 1}
    assert codes(outcome.entries) == ["SucceedStarted", "SucceedCompleted"]


def action_flow(**fields: Any) -> dict[str, Any]:
    state = {
        "Type": "Action",
        "ActionUrl": HELLO,
        "Parameters": {
            "echo_string.$": "$.text",
            "__Private_Parameters": ["secret"],
            "secret.$": "$.pw",
        },
        "ResultPath": "$.Hello",
        "Next": "Done",
        **fields,
    }
    return flow(
        {
            "Hello": state,
            "Done": {"Type": "Pass", "End": True},
            "Recover": {"Type": "Pass", "End": True},
        }
        if "Catch" in fields
        else {"Hello": state, "Done": {"Type": "Pass", "End": True}}
    )


def test_action_step_asks_for_the_call_with_defaults():
    outcome = step(action_flow(), "Hello", {"text": "hi", "pw": "p"}, CONTEXT)
    assert isinstance(outcome, CallAction)
    assert outcome.state_name == "Hello"
    assert outcome.action_url == HELLO
    assert outcome.action_scope is None
    assert outcome.run_as == "User"
    assert outcome.wait_time == 300
    assert outcome.body == {"echo_string": "hi", "secret": "p"}
    assert outcome.entries == [
        {
            "code": "ActionStarted",
            "description": "State Hello of type Action started",
            "details": {
                "state_name": "Hello",
                "state_type": "Action",
                "input": {"echo_string": "hi"},
            },
        }
    ]


def test_action_fields_pass_through():
    outcome = step(
        action_flow(WaitTime=10, RunAs="Flow", ActionScope="scope:x"),
        "Hello",
        {"text": "", "pw": ""},
    )
    assert (outcome.wait_time, outcome.run_as, outcome.action_scope) == (10, "Flow", "scope:x")


def test_action_with_input_path():
    definition = action_flow()
    state = definition["States"]["Hello"]
    del state["Parameters"]
    state["InputPath"] = "$.body"
    outcome = step(definition, "Hello", {"body": {"echo_string": "x"}}, CONTEXT)
    assert outcome.body == {"echo_string": "x"}


def test_action_result_is_the_status_plus_state_name_at_result_path():
    definition = action_flow()
    document = {"text": "hi", "pw": "p"}
    outcome = after_action(definition, "Hello", document, status("SUCCEEDED", hello="hi"))
    assert isinstance(outcome, Goto) and outcome.next_state == "Done"
    assert outcome.document == {
        **document,
        "Hello": {**status("SUCCEEDED", hello="hi"), "state_name": "Hello"},
    }
    assert codes(outcome.entries) == ["ActionCompleted"]


def test_action_default_result_path_replaces_the_state():
    definition = action_flow()
    del definition["States"]["Hello"]["ResultPath"]
    outcome = after_action(definition, "Hello", {"text": "x"}, status("SUCCEEDED"))
    assert outcome.document == {**status("SUCCEEDED"), "state_name": "Hello"}


def test_a_failed_action_raises_action_failed_exception_by_default():
    document = {"text": "x"}
    failed = status("FAILED", code="Oops", description="bad")
    outcome = after_action(action_flow(), "Hello", document, failed)
    assert isinstance(outcome, Fail)
    assert outcome.error == "ActionFailedException"
    assert outcome.cause == {**failed, "state_name": "Hello"}
    assert outcome.document == document
    assert codes(outcome.entries) == ["ActionFailed"]


def test_a_failed_action_is_stored_when_exceptions_are_off():
    failed = status("FAILED", code="Oops")
    outcome = after_action(
        action_flow(ExceptionOnActionFailure=False), "Hello", {"text": "x"}, failed
    )
    assert isinstance(outcome, Goto) and outcome.next_state == "Done"
    assert outcome.document["Hello"]["status"] == "FAILED"


@pytest.mark.parametrize("error", ["ActionUnableToRun", "ActionFailedException", "ActionTimeout"])
def test_catch_with_result_path_keeps_the_state_and_adds_the_error(error):
    definition = action_flow(
        Catch=[{"ErrorEquals": [error], "Next": "Recover", "ResultPath": "$.Failure"}]
    )
    outcome = after_error(definition, "Hello", {"text": "x"}, error, {"code": "E"})
    assert isinstance(outcome, Goto) and outcome.next_state == "Recover"
    assert outcome.document == {"text": "x", "Failure": {"code": "E"}}


def test_catch_without_result_path_replaces_the_state():
    definition = action_flow(Catch=[{"ErrorEquals": ["States.ALL"], "Next": "Recover"}])
    outcome = after_error(definition, "Hello", {"text": "x"}, "ActionTimeout", {"status": "ACTIVE"})
    assert outcome == Goto("Recover", {"status": "ACTIVE"}, outcome.entries)
    other = after_error(definition, "Hello", {"text": "x"}, "ActionUnableToRun", "refused")
    assert other.document == {"Error": "ActionUnableToRun", "Cause": "refused"}


def test_catch_picks_the_first_matching_entry():
    definition = action_flow(
        Catch=[
            {"ErrorEquals": ["ActionTimeout"], "Next": "Done"},
            {"ErrorEquals": ["States.ALL"], "Next": "Recover"},
        ]
    )
    assert after_error(definition, "Hello", {}, "ActionTimeout", {}).next_state == "Done"
    assert after_error(definition, "Hello", {}, "ActionUnableToRun", {}).next_state == "Recover"


def test_an_uncaught_error_fails_the_run():
    definition = action_flow(Catch=[{"ErrorEquals": ["ActionTimeout"], "Next": "Recover"}])
    outcome = after_error(definition, "Hello", {"a": 1}, "ActionUnableToRun", {"code": "X"})
    assert outcome == Fail("ActionUnableToRun", {"code": "X"}, {"a": 1}, outcome.entries)


def test_catch_of_action_failed_exception_after_a_failed_status():
    definition = action_flow(
        Catch=[{"ErrorEquals": ["ActionFailedException"], "Next": "Recover", "ResultPath": "$.F"}]
    )
    outcome = after_action(definition, "Hello", {"a": 1}, status("FAILED", code="Oops"))
    assert isinstance(outcome, Goto) and outcome.next_state == "Recover"
    assert outcome.document["F"]["details"] == {"code": "Oops"}
    assert outcome.document["F"]["state_name"] == "Hello"


def test_parameters_that_cannot_be_filled_are_action_unable_to_run():
    definition = action_flow(
        Catch=[{"ErrorEquals": ["ActionUnableToRun"], "Next": "Recover", "ResultPath": "$.F"}]
    )
    outcome = step(definition, "Hello", {"pw": "p"}, CONTEXT)
    assert isinstance(outcome, Goto) and outcome.next_state == "Recover"
    assert outcome.document["F"]["code"] == "ActionUnableToRun"
    assert "$.text" in outcome.document["F"]["description"]
    uncaught = step(action_flow(), "Hello", {"pw": "p"}, CONTEXT)
    assert isinstance(uncaught, Fail) and uncaught.error == "ActionUnableToRun"


def test_an_input_path_that_is_not_an_object_is_action_unable_to_run():
    definition = action_flow()
    state = definition["States"]["Hello"]
    del state["Parameters"]
    state["InputPath"] = "$.text"
    outcome = step(definition, "Hello", {"text": "x"}, CONTEXT)
    assert isinstance(outcome, Fail) and outcome.error == "ActionUnableToRun"


def test_private_parameters_and_private_keys_stay_out_of_the_log():
    document = {"text": "hi", "_private_pw": "hunter2"}
    definition = action_flow()
    definition["States"]["Hello"]["Parameters"]["secret.$"] = "$._private_pw"
    call = step(definition, "Hello", document, CONTEXT)
    done = after_action(definition, "Hello", document, status("SUCCEEDED", secret="echoed"))
    final = step(definition, "Done", done.document, CONTEXT)
    text = repr(call.entries + done.entries + final.entries)
    assert "hunter2" not in text and "_private_pw" not in text
    assert "echoed" not in repr(done.entries)
    assert call.body["secret"] == "hunter2"


def test_a_whole_flow_runs_to_success():
    definition = flow(
        {
            "Prepare": {
                "Type": "ExpressionEval",
                "Parameters": {"greeting.=": "'hello ' + name"},
                "ResultPath": "$.prepared",
                "Next": "Hello",
            },
            "Hello": {
                "Type": "Action",
                "ActionUrl": HELLO,
                "Parameters": {"echo_string.$": "$.prepared.greeting"},
                "ResultPath": "$.HelloResult",
                "Next": "Check",
            },
            "Check": {
                "Type": "Choice",
                "Choices": [
                    {
                        "Variable": "$.HelloResult.details.hello",
                        "StringEquals": "hello world",
                        "Next": "Pause",
                    }
                ],
                "Default": "Bad",
            },
            "Pause": {"Type": "Wait", "Seconds": 1, "Next": "Done"},
            "Done": {
                "Type": "Pass",
                "Parameters": {"echo.$": "$.HelloResult.details.hello"},
                "ResultPath": "$.final",
                "End": True,
            },
            "Bad": {"Type": "Fail", "Error": "WrongGreeting"},
        }
    )
    outcome, log = drive(
        definition,
        {"name": "world"},
        {HELLO: lambda body: status("SUCCEEDED", hello=body["echo_string"])},
    )
    assert isinstance(outcome, Succeed)
    assert outcome.document["final"] == {"echo": "hello world"}
    assert codes(log) == [
        "ExpressionEvalStarted",
        "ExpressionEvalCompleted",
        "ActionStarted",
        "ActionCompleted",
        "ChoiceStarted",
        "ChoiceCompleted",
        "WaitStarted",
        "WaitCompleted",
        "PassStarted",
        "PassCompleted",
    ]


def test_a_whole_flow_recovers_through_catch():
    definition = flow(
        {
            "Try": {
                "Type": "Action",
                "ActionUrl": HELLO,
                "Parameters": {},
                "ResultPath": "$.r",
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Report", "ResultPath": "$.err"}],
                "End": True,
            },
            "Report": {"Type": "Fail", "ErrorPath": "$.err.code", "CausePath": "$.err.description"},
        }
    )
    outcome, log = drive(
        definition,
        {},
        {HELLO: lambda body: ("ActionUnableToRun", {"code": "Refused", "description": "no"})},
    )
    assert isinstance(outcome, Fail)
    assert (outcome.error, outcome.cause) == ("Refused", "no")
    assert codes(log) == ["ActionStarted", "ActionFailed", "FailStarted"]


def test_a_state_too_deep_to_store_fails_instead_of_raising():
    deep: object = 1
    for _ in range(5000):
        deep = [deep]
    definition = flow(
        {"A": {"Type": "Pass", "Parameters": {"x": 1}, "ResultPath": "$.r", "End": True}}
    )
    outcome = step(definition, "A", {"deep": deep}, CONTEXT)
    assert isinstance(outcome, Fail) and outcome.error == "States.DataLimitExceeded"
